/**
 * Runs one async task per item with a bound on how many run at once. The sweep reads its due-date ranges
 * with it (shared/sweep/concurrent-pages.ts), the ledger's sent index its due-date partitions.
 */

export interface ConcurrencyOptions {
  /** Tasks running at once (at least 1). */
  readonly concurrency: number;
  readonly abortSignal?: AbortSignal;
}

/**
 * Calls `task` for every item, at most `concurrency` at a time, in the items' order. On the first failure
 * (or when `abortSignal` aborts) the signal handed to the running tasks aborts and no further item
 * starts; once every running task has stopped, that first error is thrown.
 */
export async function forEachConcurrently<T>(
  items: Iterable<T>,
  task: (item: T, abortSignal: AbortSignal) => Promise<void>,
  { concurrency, abortSignal }: ConcurrencyOptions,
): Promise<void> {
  const stopOthers = new AbortController();
  const signal = abortSignal ? AbortSignal.any([abortSignal, stopOthers.signal]) : stopOthers.signal;
  let failure: { readonly error: unknown } | undefined;
  const fail = (error: unknown): void => {
    if (!failure) {
      failure = { error };
      stopOthers.abort(error);
    }
  };
  const pending = items[Symbol.iterator]();
  const worker = async (): Promise<void> => {
    for (let next = pending.next(); !next.done; next = pending.next()) {
      if (signal.aborted) {
        fail(signal.reason);
        return;
      }
      try {
        await task(next.value, signal);
      } catch (error) {
        fail(error);
      }
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, concurrency) }, worker));
  if (failure) {
    throw failure.error;
  }
}
