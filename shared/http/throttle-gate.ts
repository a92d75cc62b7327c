/**
 * One pause for all of a client's requests. Graph throttles an app, not a request: when it answers 429
 * (or 503) with `Retry-After`, the requests of the other due-date ranges read at the same time hold back
 * until then too, instead of being throttled in turn (each refusal still costs resource units and
 * prolongs the throttling). The throttled request itself is retried by its client, as before.
 */
import fetchImpl from 'node-fetch';
import { abortableSleep, parseRetryAfter } from './retry.js';
import type { Fetch, Sleep } from './retry.js';

export interface ThrottleGateOptions {
  /** The fetch behind the gate; default node-fetch. */
  readonly fetch?: Fetch;
  readonly clock?: () => number;
  readonly sleep?: Sleep;
}

const PAUSING_STATUSES = new Set([429, 503]);

/** A fetch that waits, before each request, until every pause any response asked for has passed. */
export function createThrottleGatedFetch(options: ThrottleGateOptions = {}): Fetch {
  const { fetch = fetchImpl, clock = Date.now, sleep = abortableSleep } = options;
  let pausedUntil = 0;
  return async (url, init) => {
    // node-fetch types its signal loosely; the clients pass real AbortSignals.
    const signal = init?.signal instanceof AbortSignal ? init.signal : undefined;
    // A later 429 may extend the pause while this request waits: look again after each wait.
    for (let waitMs = pausedUntil - clock(); waitMs > 0; waitMs = pausedUntil - clock()) {
      await sleep(waitMs, signal);
    }
    const response = await fetch(url, init);
    if (PAUSING_STATUSES.has(response.status)) {
      const now = clock();
      const delayMs = parseRetryAfter(response.headers.get('retry-after'), now);
      if (delayMs !== undefined) {
        pausedUntil = Math.max(pausedUntil, now + delayMs);
      }
    }
    return response;
  };
}
