import { describe, expect, it } from 'vitest';
import { forEachConcurrently } from '../../../shared/base/concurrently.js';

/** Resolves when `signal` aborts, rejecting with its reason. */
function untilAborted(signal: AbortSignal): Promise<never> {
  return new Promise((_, reject) =>
    signal.addEventListener('abort', () => reject(signal.reason as Error), { once: true }),
  );
}

async function settle(): Promise<void> {
  await new Promise((resolve) => setImmediate(resolve));
}

describe('forEachConcurrently', () => {
  it('runs every item, never more than `concurrency` at once, starting them in order', async () => {
    let running = 0;
    let mostRunning = 0;
    const started: number[] = [];
    await forEachConcurrently(
      [1, 2, 3, 4, 5, 6, 7],
      async (item) => {
        started.push(item);
        running += 1;
        mostRunning = Math.max(mostRunning, running);
        await settle();
        running -= 1;
      },
      { concurrency: 3 },
    );
    expect(started).toEqual([1, 2, 3, 4, 5, 6, 7]);
    expect(mostRunning).toBe(3);
  });

  it('runs nothing for no items, and at least one task at a time whatever the bound', async () => {
    const seen: string[] = [];
    await forEachConcurrently([], async () => undefined, { concurrency: 4 });
    await forEachConcurrently(
      new Set(['a', 'b']),
      async (item) => {
        seen.push(item);
      },
      { concurrency: 0 },
    );
    expect(seen).toEqual(['a', 'b']);
  });

  it('on the first failure aborts the running tasks, starts no more, and throws it once they have stopped', async () => {
    const failure = new Error('partition 2 failed');
    const stopped: number[] = [];
    const started: number[] = [];
    const done = forEachConcurrently(
      [1, 2, 3, 4],
      async (item, signal) => {
        started.push(item);
        if (item === 2) {
          await settle();
          throw failure;
        }
        try {
          await untilAborted(signal);
        } finally {
          stopped.push(item);
        }
      },
      { concurrency: 2 },
    );
    await expect(done).rejects.toBe(failure);
    expect(started).toEqual([1, 2]);
    expect(stopped).toEqual([1]);
  });

  it('stops when the caller aborts, throwing the caller’s reason', async () => {
    const caller = new AbortController();
    const reason = new Error('run cancelled');
    const started: number[] = [];
    const done = forEachConcurrently(
      [1, 2, 3],
      async (item, signal) => {
        started.push(item);
        await untilAborted(signal);
      },
      { concurrency: 1, abortSignal: caller.signal },
    );
    await settle();
    caller.abort(reason);
    await expect(done).rejects.toBe(reason);
    expect(started).toEqual([1]);
  });
});
