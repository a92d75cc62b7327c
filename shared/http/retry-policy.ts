/**
 * Retries what a client's classifier calls transient, bounded by a count, a per-wait cap, a time
 * budget and the request's deadline. Waits go through `wait`: a plain sleep, or a shared throttle
 * pause (throttle-pauses.ts) so that the retried request resumes together with, not ahead of, the
 * others it held back. One warning per retry round, with the classifier's (token-free) message.
 */
import type { HttpPolicy, HttpRequest, HttpResponse } from './pipeline.js';
import { abortableSleep, formatDelay, retryTransientFailures } from './retry.js';
import type { AttemptResult, GiveUpEvent, RetryPolicy, Sleep } from './retry.js';
import type { Logger } from '../base/logger.js';

/** What one attempt came to: an answer, or an error (timeout, connection failure, the caller's abort). */
export type AttemptOutcome =
  { readonly kind: 'response'; readonly response: HttpResponse } | { readonly kind: 'error'; readonly error: unknown };

/**
 * A client's judgement of an attempt: `done` (the answer to return), `retry` (with the error that
 * describes it, and the server's `Retry-After`), or a thrown error (permanent: returned to the caller).
 */
export type AttemptClassifier = (outcome: AttemptOutcome, request: HttpRequest) => AttemptResult<HttpResponse>;

export interface RetryPolicyOptions {
  readonly policy: RetryPolicy;
  readonly classify: AttemptClassifier;
  /** The error thrown when retrying stops. */
  readonly giveUp: (event: GiveUpEvent, request: HttpRequest) => Error;
  /** Warned once per retry round; default none. */
  readonly logger?: Logger;
  /** How a retry waits; default: sleep for the delay. */
  readonly wait?: (request: HttpRequest, delayMs: number) => Promise<void>;
  readonly sleep?: Sleep;
  readonly clock?: () => number;
  readonly random?: () => number;
}

export function retryPolicy(options: RetryPolicyOptions): HttpPolicy {
  const { policy, classify, giveUp, logger, sleep = abortableSleep } = options;
  const wait = options.wait ?? ((request: HttpRequest, delayMs: number) => sleep(delayMs, request.abortSignal));
  return {
    name: 'retry',
    sendRequest(request, next) {
      return retryTransientFailures(
        async () => {
          let outcome: AttemptOutcome;
          try {
            outcome = { kind: 'response', response: await next(request) };
          } catch (error) {
            outcome = { kind: 'error', error };
          }
          return classify(outcome, request);
        },
        {
          policy,
          giveUp: (event) => giveUp(event, request),
          sleep: (delayMs) => wait(request, delayMs),
          onRetry: ({ attempt, delayMs, error }) =>
            logger?.warn(
              `${error.message} Retrying in ${formatDelay(delayMs)} (attempt ${attempt + 1} of ${policy.maxAttempts}).`,
            ),
          ...(request.abortSignal ? { abortSignal: request.abortSignal } : {}),
          ...(request.deadline === undefined ? {} : { deadline: request.deadline }),
          ...(options.clock ? { clock: options.clock } : {}),
          ...(options.random ? { random: options.random } : {}),
        },
      );
    },
  };
}
