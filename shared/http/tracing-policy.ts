/**
 * One client span per outbound request, retries included: the service kind, the host, the final
 * status and how many attempts it took. Never the path or query (a mailbox address is in sendMail's
 * path) and never a header (the token).
 */
import { inSpan } from '../base/telemetry.js';
import type { RequestKind } from './metrics.js';
import type { HttpPolicy, HttpRequest } from './pipeline.js';

export interface TracingPolicyOptions {
  /** The service a request goes to (as counted); `undefined`: `other`. */
  readonly kindOf: (request: HttpRequest) => RequestKind | undefined;
}

export function tracingPolicy(options: TracingPolicyOptions): HttpPolicy {
  return {
    name: 'tracing',
    sendRequest(request, next) {
      const kind = options.kindOf(request) ?? 'other';
      return inSpan(
        `HTTP ${request.method} ${kind}`,
        { 'http.request.method': request.method, 'server.address': hostOf(request.url), 'due_notifier.service': kind },
        async (span) => {
          try {
            const response = await next(request);
            span.setAttribute('http.response.status_code', response.status);
            return response;
          } finally {
            span.setAttribute('due_notifier.attempts', request.attempts);
            span.setAttribute('http.request.resend_count', Math.max(0, request.attempts - 1));
          }
        },
        { client: true },
      );
    },
  };
}

function hostOf(url: string): string {
  try {
    return new URL(url).host;
  } catch {
    return 'invalid';
  }
}
