/**
 * Holds each attempt while its origin is paused, and turns a 429/503 with `Retry-After` into a pause
 * for every request to that origin (throttle-pauses.ts). The throttled answer itself goes back to the
 * retry policy, whose wait joins the same pause.
 */
import type { HttpPolicy } from './pipeline.js';
import { parseRetryAfter } from './retry.js';
import type { ThrottlePauses } from './throttle-pauses.js';

const PAUSING_STATUSES = new Set([429, 503]);

export function throttlePolicy(pauses: ThrottlePauses): HttpPolicy {
  return {
    name: 'throttle',
    async sendRequest(request, next) {
      await pauses.hold(request, 0);
      const response = await next(request);
      if (PAUSING_STATUSES.has(response.status)) {
        const delayMs = parseRetryAfter(response.headers['retry-after']);
        if (delayMs !== undefined) {
          pauses.pause(new URL(request.url).origin, delayMs);
        }
      }
      return response;
    },
  };
}
