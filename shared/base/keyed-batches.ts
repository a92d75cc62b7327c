/**
 * Concurrent requests on one key combined into batches that run one at a time, in order: while a batch
 * runs, the requests that arrive wait, then run together as the next one. A shared entity updated with
 * ETags (a sender mailbox's pace) is then read and written once per batch rather than once per request,
 * and its races are only between instances, not between the deliveries of one.
 */

/** Runs a batch: one result per item, in the items' order; a throw rejects every item of the batch. */
export type RunBatch<I, O> = (items: readonly I[]) => Promise<readonly O[]>;

export interface KeyedBatches {
  /**
   * Runs `item` in the next batch of `key` (every request on a key must pass the same `runBatch`). A
   * caller whose `abortSignal` fires stops waiting at once; an item already in a running batch still runs.
   */
  submit<I, O>(key: string, item: I, runBatch: RunBatch<I, O>, abortSignal?: AbortSignal): Promise<O>;
}

interface Waiting {
  readonly item: unknown;
  readonly resolve: (value: unknown) => void;
  readonly reject: (reason: unknown) => void;
}

interface KeyQueue {
  readonly runBatch: RunBatch<unknown, unknown>;
  waiting: Waiting[];
}

export function createKeyedBatches(options: { readonly maxBatch?: number } = {}): KeyedBatches {
  const maxBatch = options.maxBatch ?? 64;
  const queues = new Map<string, KeyQueue>();

  async function drain(key: string, queue: KeyQueue): Promise<void> {
    while (queue.waiting.length > 0) {
      const batch = queue.waiting.splice(0, maxBatch);
      try {
        const results = await queue.runBatch(batch.map((waiting) => waiting.item));
        batch.forEach((waiting, index) => waiting.resolve(results[index]));
      } catch (error) {
        for (const waiting of batch) waiting.reject(error);
      }
    }
    queues.delete(key);
  }

  return {
    submit<I, O>(key: string, item: I, runBatch: RunBatch<I, O>, abortSignal?: AbortSignal): Promise<O> {
      if (abortSignal?.aborted) return Promise.reject(abortSignal.reason);
      return new Promise<O>((resolve, reject) => {
        const onAbort = (): void => {
          const queue = queues.get(key);
          if (queue) queue.waiting = queue.waiting.filter((waiting) => waiting !== entry);
          reject(abortSignal?.reason);
        };
        const entry: Waiting = {
          item,
          resolve: (value) => {
            abortSignal?.removeEventListener('abort', onAbort);
            // The queue of a key holds only items of its own runBatch: the value is that batch's O.
            resolve(value as O);
          },
          reject: (reason) => {
            abortSignal?.removeEventListener('abort', onAbort);
            reject(reason);
          },
        };
        abortSignal?.addEventListener('abort', onAbort, { once: true });
        const running = queues.get(key);
        if (running) {
          running.waiting.push(entry);
          return;
        }
        const queue: KeyQueue = { runBatch: runBatch as RunBatch<unknown, unknown>, waiting: [entry] };
        queues.set(key, queue);
        void drain(key, queue);
      });
    },
  };
}
