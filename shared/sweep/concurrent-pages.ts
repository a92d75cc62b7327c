/**
 * Reads several paged sources at once and hands every page to one consumer as it arrives. Pages are
 * processed one at a time (the consumer is synchronous), so shared tallies need no locking; only the
 * sources' requests overlap. At most `sources.length` requests are in flight.
 */
import { forEachConcurrently } from '../base/concurrently.js';

/** A paged source, started with the signal that stops it. */
export type PageSource<T> = (abortSignal: AbortSignal) => AsyncIterable<T>;

/**
 * Consumes every source to its end. On the first failure (or when `abortSignal` aborts) the other
 * sources are aborted, and once all of them have stopped that first error is thrown.
 */
export async function forEachPageConcurrently<T>(
  sources: readonly PageSource<T>[],
  onPage: (page: T) => void,
  abortSignal?: AbortSignal,
): Promise<void> {
  let consumerFailed = false;
  await forEachConcurrently(
    sources,
    async (source, signal) => {
      for await (const page of source(signal)) {
        if (consumerFailed) {
          return;
        }
        signal.throwIfAborted();
        try {
          onPage(page);
        } catch (error) {
          // Noted before the loop exits: closing the source takes a turn, in which others could go on.
          consumerFailed = true;
          throw error;
        }
      }
    },
    { concurrency: sources.length, abortSignal },
  );
}
