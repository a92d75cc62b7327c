/** A time limit per attempt, from sending the request to having read its body, joined to the caller's signal. */
import type { HttpPolicy } from './pipeline.js';

/** The attempt got no complete answer in time (the caller did not abort it). */
export class RequestTimeoutError extends Error {
  override readonly name = 'RequestTimeoutError';
  readonly timeoutMs: number;

  constructor(timeoutMs: number, options: { readonly cause?: unknown } = {}) {
    super(`No complete answer within ${timeoutMs} ms.`, options);
    this.timeoutMs = timeoutMs;
  }
}

export interface TimeoutPolicyOptions {
  readonly timeoutMs: number;
}

export function timeoutPolicy(options: TimeoutPolicyOptions): HttpPolicy {
  return {
    name: 'timeout',
    async sendRequest(request, next) {
      const timeoutMs = Math.min(options.timeoutMs, request.timeoutMs ?? Infinity);
      const timeout = AbortSignal.timeout(timeoutMs);
      const { abortSignal } = request;
      request.attemptSignal = abortSignal ? AbortSignal.any([abortSignal, timeout]) : timeout;
      try {
        return await next(request);
      } catch (error) {
        if (abortSignal?.aborted) {
          throw abortSignal.reason;
        }
        throw timeout.aborted ? new RequestTimeoutError(timeoutMs, { cause: error }) : error;
      }
    },
  };
}
