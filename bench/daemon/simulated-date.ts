/**
 * Simulated time for the daemon process of the steady-state scenario: `Date` (and `Date.now`) run ahead
 * of the real clock by an offset the benchmark sets before each run, while timers, `performance.now()`
 * and TLS keep real time. Every cache of the daemon then sees the simulated day: MSAL's token cache and
 * the managed identity's (both read `Date`), the Key Vault credential cache (its clock defaults to
 * `Date.now`) and the sweep's "today". The emulators get the same offset, so tokens are issued and
 * checked in simulated time too.
 */
export interface SimulatedClock {
  /** Milliseconds the simulated clock is ahead of the real one. */
  readonly offsetMs: number;
  setOffset(offsetMs: number): void;
  /** Puts the real `Date` back. */
  restore(): void;
}

/**
 * Replaces the global `Date` with one that runs `offsetMs` ahead; install it before any client is built,
 * since some capture `Date.now` when they are created. `instanceof Date` keeps working.
 */
export function installSimulatedDate(): SimulatedClock {
  const RealDate = globalThis.Date;
  let offsetMs = 0;
  const simulatedNow = (): number => RealDate.now() + offsetMs;
  globalThis.Date = new Proxy(RealDate, {
    construct(target, args, newTarget) {
      return Reflect.construct(target, args.length === 0 ? [simulatedNow()] : args, newTarget) as object;
    },
    apply() {
      // `Date()` called as a function returns the current time as a string.
      return new RealDate(simulatedNow()).toString();
    },
    get(target, property, receiver) {
      return property === 'now' ? simulatedNow : Reflect.get(target, property, receiver);
    },
  });
  return {
    get offsetMs() {
      return offsetMs;
    },
    setOffset(next) {
      if (!Number.isFinite(next)) {
        throw new RangeError(`The clock offset must be a finite number of milliseconds, got ${next}`);
      }
      offsetMs = next;
    },
    restore() {
      globalThis.Date = RealDate;
    },
  };
}
