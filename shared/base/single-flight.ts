/**
 * Concurrent callers share one in-flight operation (one token request, one vault read), yet each caller
 * can stop waiting with its own AbortSignal. The operation itself is aborted only once every caller
 * waiting for it has given up.
 */

export interface SingleFlight<T> {
  /**
   * Joins the operation in flight, or starts one with `start`. `start` receives a signal that aborts
   * when no caller waits any more.
   */
  run(start: (abortSignal: AbortSignal) => Promise<T>, abortSignal?: AbortSignal): Promise<T>;
  /** Whether an operation is in flight. */
  readonly inFlight: boolean;
}

interface Flight<T> {
  readonly promise: Promise<T>;
  readonly controller: AbortController;
  waiters: number;
}

export function createSingleFlight<T>(): SingleFlight<T> {
  let current: Flight<T> | undefined;

  return {
    get inFlight() {
      return current !== undefined;
    },
    run(start, abortSignal) {
      if (abortSignal?.aborted) {
        return Promise.reject(abortSignal.reason);
      }
      const flight = current ?? begin(start);
      flight.waiters += 1;
      return waitFor(flight, abortSignal);
    },
  };

  function begin(start: (abortSignal: AbortSignal) => Promise<T>): Flight<T> {
    const controller = new AbortController();
    const flight: Flight<T> = {
      controller,
      waiters: 0,
      promise: Promise.resolve()
        .then(() => {
          // Every caller may have given up before the operation got to start.
          controller.signal.throwIfAborted();
          return start(controller.signal);
        })
        .finally(() => {
          if (current === flight) {
            current = undefined;
          }
        }),
    };
    // Nobody may be left waiting (all aborted): keep the rejection from going unhandled.
    flight.promise.catch(() => undefined);
    current = flight;
    return flight;
  }

  function waitFor(flight: Flight<T>, abortSignal: AbortSignal | undefined): Promise<T> {
    if (!abortSignal) {
      return flight.promise;
    }
    return new Promise<T>((resolve, reject) => {
      const onAbort = (): void => {
        flight.waiters -= 1;
        if (flight.waiters === 0) {
          flight.controller.abort(abortSignal.reason);
        }
        reject(abortSignal.reason);
      };
      abortSignal.addEventListener('abort', onAbort, { once: true });
      flight.promise.then(
        (value) => {
          abortSignal.removeEventListener('abort', onAbort);
          resolve(value);
        },
        (error: unknown) => {
          abortSignal.removeEventListener('abort', onAbort);
          reject(error);
        },
      );
    });
  }
}
