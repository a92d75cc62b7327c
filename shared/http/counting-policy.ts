/** Counts every attempt that reaches the transport: per request (`attempts`) and in the run's metrics. */
import type { RequestKind, RequestMetrics } from './metrics.js';
import type { HttpPolicy, HttpRequest } from './pipeline.js';

export interface CountingPolicyOptions {
  readonly metrics?: RequestMetrics;
  /** The metric a request counts as; `undefined`: not counted (e.g. MSAL's metadata reads). */
  readonly kindOf: (request: HttpRequest) => RequestKind | undefined;
}

export function countingPolicy(options: CountingPolicyOptions): HttpPolicy {
  return {
    name: 'counting',
    sendRequest(request, next) {
      request.attempts += 1;
      const kind = options.kindOf(request);
      if (kind !== undefined) {
        options.metrics?.record(kind);
      }
      return next(request);
    },
  };
}
