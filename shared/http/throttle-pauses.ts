/**
 * One throttle pause per origin, shared by every pipeline given the same instance: Graph throttles an
 * app, not a request, so when it answers 429/503 with `Retry-After`, the list reads of every due-date
 * range and sendMail hold back until then, instead of being throttled in turn (each refusal still
 * costs resource units and prolongs the throttling).
 *
 * When a pause releases several requests at once they resume spread over a window as long as the
 * pause (at most `maxResumeSpreadMs`), in random order: resuming in lockstep, they would reach Graph
 * in the same order each time, and under a regular throttling pattern the same one would draw the
 * refused slot every time until it ran out of attempts. A request held alone resumes on time.
 */
import { abortableSleep } from './retry.js';
import type { Sleep } from './retry.js';
import type { HttpRequest } from './pipeline.js';

export interface ThrottlePausesOptions {
  readonly clock?: () => number;
  readonly sleep?: Sleep;
  /** Uniform in [0, 1); deterministic in tests. */
  readonly random?: () => number;
  /** Upper bound of the resume window; default 2 s. */
  readonly maxResumeSpreadMs?: number;
  /**
   * Longest pause shared; default 60 s, the longest wait any client's retry policy accepts. The request
   * that draws a longer one gives up at once (its `Retry-After` is over its cap), and holding every
   * later delivery or run for it would only turn one refusal into many that were never tried.
   */
  readonly maxPauseMs?: number;
}

export interface ThrottlePauses {
  /** Notes that `origin` asked to be left alone for `delayMs` from now; the longest pause (within the cap) wins. */
  pause(origin: string, delayMs: number): void;
  /**
   * Waits `delayMs`, and until the pause of the request's origin has passed if it has not waited for
   * it yet; then, when other requests are held too, a random share of the resume window.
   * @throws PauseBeyondDeadlineError when the wait would pass the request's deadline (nothing waited).
   */
  hold(request: HttpRequest, delayMs: number): Promise<void>;
}

/** The origin is paused past the request's deadline: waiting would be in vain. */
export class PauseBeyondDeadlineError extends Error {
  override readonly name = 'PauseBeyondDeadlineError';
  readonly waitMs: number;

  constructor(waitMs: number) {
    super(`The server asked for a pause of ${waitMs} ms, which would pass the request's deadline.`);
    this.waitMs = waitMs;
  }
}

interface OriginState {
  /** Epoch ms until which the origin is paused. */
  until: number;
  /** Length of the latest pause: the resume window scales with it. */
  lengthMs: number;
  /** Requests waiting for this origin right now. */
  held: number;
}

export function createThrottlePauses(options: ThrottlePausesOptions = {}): ThrottlePauses {
  const {
    clock = Date.now,
    sleep = abortableSleep,
    random = Math.random,
    maxResumeSpreadMs = 2_000,
    maxPauseMs = 60_000,
  } = options;
  const origins = new Map<string, OriginState>();
  const stateOf = (origin: string): OriginState => {
    let state = origins.get(origin);
    if (state === undefined) {
      state = { until: 0, lengthMs: 0, held: 0 };
      origins.set(origin, state);
    }
    return state;
  };

  return {
    pause(origin, delayMs) {
      if (delayMs > maxPauseMs) {
        return;
      }
      const state = stateOf(origin);
      const until = clock() + delayMs;
      if (until > state.until) {
        state.until = until;
        state.lengthMs = delayMs;
      }
    },

    async hold(request, delayMs) {
      const state = stateOf(new URL(request.url).origin);
      const start = clock();
      const pending = (): number => (state.until > (request.pauseWaitedUntil ?? -Infinity) ? state.until : 0);
      let target = Math.max(start + delayMs, pending());
      if (target <= start) {
        return;
      }
      const { abortSignal, deadline = Infinity } = request;
      if (target > deadline) {
        throw new PauseBeyondDeadlineError(target - start);
      }
      state.held += 1;
      try {
        await sleep(target - start, abortSignal);
        // Another answer may have lengthened the pause meanwhile: wait for the rest too.
        for (let until = pending(); until > target; until = pending()) {
          if (until > deadline) {
            throw new PauseBeyondDeadlineError(until - target);
          }
          await sleep(until - target, abortSignal);
          target = until;
        }
        request.pauseWaitedUntil = target;
        if (state.held > 1) {
          const spread = Math.min(maxResumeSpreadMs, state.lengthMs, deadline - target);
          const jitter = Math.floor(random() * spread);
          if (jitter > 0) {
            await sleep(jitter, abortSignal);
          }
        }
      } finally {
        state.held -= 1;
      }
    },
  };
}
