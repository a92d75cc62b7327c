/**
 * The app's outbound pipeline, in one order for every client (outermost first):
 *
 * 1. tracing        one client span per request, retries included (a no-op without a telemetry exporter);
 * 2. originPinning  the URL is under the configured base, or nothing is sent (when `baseUrl` is given);
 * 3. retry          transient failures again, bounded by attempts, budget and the request's deadline;
 *                   each wait is recorded in the throttling-wait metric;
 * 4. throttle       holds attempts while the origin is paused, records pauses (when `throttle` is given);
 * 5. bearerToken    the token, and one fresh one after a 401 (when `tokens` is given);
 * 6. clientRequestId, 7. timeout, 8. counting: per attempt;
 * 9. `innermost`    a client's own policies next to the wire (the mailer's connection watch);
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
import { tracingPolicy } from './tracing-policy.js';
import { recordThrottleWait } from '../base/telemetry.js';
import { abortableSleep } from './retry.js';
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
  // Every wait before a retry (Retry-After, backoff, a shared pause) is measured, by service.
  const wait = (request: HttpRequest, delayMs: number): Promise<void> => {
    recordThrottleWait(delayMs, { 'due_notifier.service': options.countAs(request) ?? 'other' });
    return throttle
      ? throttle.hold(request, delayMs)
      : (options.retry.sleep ?? abortableSleep)(delayMs, request.abortSignal);
  };
  const policies: HttpPolicy[] = [
    tracingPolicy({ kindOf: options.countAs }),
    ...(options.baseUrl === undefined ? [] : [originPinningPolicy({ baseUrl: options.baseUrl })]),
    retryPolicy({ ...options.retry, wait }),
    ...(throttle ? [throttlePolicy(throttle)] : []),
    ...(tokens ? [bearerTokenPolicy({ tokens })] : []),
    clientRequestIdPolicy(),
    timeoutPolicy({ timeoutMs: options.timeoutMs }),
    countingPolicy({ ...(options.metrics ? { metrics: options.metrics } : {}), kindOf: options.countAs }),
    ...(options.innermost ?? []),
  ];
  return createPipeline(policies, options.transport ?? nodeFetchTransport);
}
