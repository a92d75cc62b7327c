/**
 * The app's outbound pipeline, in one order for every client (outermost first):
 *
 * 1. originPinning  the URL is under the configured base, or nothing is sent (when `baseUrl` is given);
 * 2. retry          transient failures again, bounded by attempts, budget and the request's deadline;
 * 3. throttle       holds attempts while the origin is paused, records pauses (when `throttle` is given);
 * 4. bearerToken    the token, and one fresh one after a 401 (when `tokens` is given);
 * 5. clientRequestId, 6. timeout, 7. counting: per attempt;
 * 8. `innermost`    a client's own policies next to the wire (the mailer's connection watch);
 * then the transport (node-fetch).
 *
 * Throttling before the token: a request held for a long pause then gets a token that is current.
 */
import { bearerTokenPolicy } from './bearer-token-policy.js';
import type { AccessTokenSource } from './bearer-token-policy.js';
import { clientRequestIdPolicy } from './client-request-id-policy.js';
import { countingPolicy } from './counting-policy.js';
import type { RequestKind, RequestMetrics } from './metrics.js';
import { originPinningPolicy } from './origin-pinning-policy.js';
import { createPipeline } from './pipeline.js';
import type { HttpPolicy, HttpRequest, HttpTransport, SendRequest } from './pipeline.js';
import { retryPolicy } from './retry-policy.js';
import type { RetryPolicyOptions } from './retry-policy.js';
import { throttlePolicy } from './throttle-policy.js';
import type { ThrottlePauses } from './throttle-pauses.js';
import { timeoutPolicy } from './timeout-policy.js';
import { nodeFetchTransport } from './transport.js';

export interface OutboundPipelineOptions {
  /** Only URLs under this base are sent to. */
  readonly baseUrl?: string;
  readonly retry: Omit<RetryPolicyOptions, 'wait'>;
  /** The pauses this pipeline shares with others (one per origin); without it, no shared pause. */
  readonly throttle?: ThrottlePauses;
  readonly tokens?: AccessTokenSource;
  /** Per attempt, from sending to having read the body. */
  readonly timeoutMs: number;
  readonly metrics?: RequestMetrics;
  readonly countAs: (request: HttpRequest) => RequestKind | undefined;
  readonly innermost?: readonly HttpPolicy[];
  readonly transport?: HttpTransport;
}

export function createOutboundPipeline(options: OutboundPipelineOptions): SendRequest {
  const { throttle, tokens } = options;
  const policies: HttpPolicy[] = [
    ...(options.baseUrl === undefined ? [] : [originPinningPolicy({ baseUrl: options.baseUrl })]),
    retryPolicy({
      ...options.retry,
      ...(throttle ? { wait: (request: HttpRequest, delayMs: number) => throttle.hold(request, delayMs) } : {}),
    }),
    ...(throttle ? [throttlePolicy(throttle)] : []),
    ...(tokens ? [bearerTokenPolicy({ tokens })] : []),
    clientRequestIdPolicy(),
    timeoutPolicy({ timeoutMs: options.timeoutMs }),
    countingPolicy({ ...(options.metrics ? { metrics: options.metrics } : {}), kindOf: options.countAs }),
    ...(options.innermost ?? []),
  ];
  return createPipeline(policies, options.transport ?? nodeFetchTransport);
}
