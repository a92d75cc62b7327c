import { describe, expect, it } from 'vitest';
import { forEachPageConcurrently } from '../../../shared/sweep/concurrent-pages.js';
import type { PageSource } from '../../../shared/sweep/concurrent-pages.js';

/** A source whose pages are released by the test, recording how many sources wait at once. */
function gatedSources(count: number, pagesEach: number) {
  let waiting = 0;
  let mostWaiting = 0;
  const releases: (() => void)[] = [];
  const release = (): void => {
    for (const next of releases.splice(0)) next();
  };
  const sources: PageSource<string>[] = Array.from(
    { length: count },
    (_, source) =>
      async function* (signal) {
        for (let page = 0; page < pagesEach; page += 1) {
          waiting += 1;
          mostWaiting = Math.max(mostWaiting, waiting);
          await new Promise<void>((resolve, reject) => {
            releases.push(resolve);
            signal.addEventListener('abort', () => reject(signal.reason as Error), { once: true });
          });
          waiting -= 1;
          yield `${source}.${page}`;
        }
      },
  );
  return { sources, release, mostWaiting: () => mostWaiting };
}

async function settle(): Promise<void> {
  await new Promise((resolve) => setImmediate(resolve));
}

describe('forEachPageConcurrently', () => {
  it('reads every source at once and hands over every page', async () => {
    const gated = gatedSources(3, 2);
    const pages: string[] = [];
    const done = forEachPageConcurrently(gated.sources, (page) => pages.push(page));
    while (pages.length < 6) {
      await settle();
      gated.release();
    }
    await done;
    expect(gated.mostWaiting()).toBe(3);
    expect(pages.toSorted()).toEqual(['0.0', '0.1', '1.0', '1.1', '2.0', '2.1']);
  });

  it('stops the other sources on the first failure and throws it once they have stopped', async () => {
    const failure = new Error('range 2 failed');
    const stopped: string[] = [];
    const slow: PageSource<string> = async function* (signal) {
      try {
        yield 'slow.0';
        await new Promise((_, reject) =>
          signal.addEventListener('abort', () => reject(signal.reason as Error), { once: true }),
        );
      } finally {
        stopped.push('slow');
      }
    };
    const failing: PageSource<string> = async function* () {
      await settle();
      yield 'failing.0';
      throw failure;
    };
    const pages: string[] = [];
    await expect(forEachPageConcurrently([slow, failing], (page) => pages.push(page))).rejects.toBe(failure);
    expect(stopped).toEqual(['slow']);
    expect(pages.toSorted()).toEqual(['failing.0', 'slow.0']);
  });

  it('stops every source when the caller aborts', async () => {
    const gated = gatedSources(2, 3);
    const caller = new AbortController();
    const reason = new Error('run cancelled');
    const done = forEachPageConcurrently(gated.sources, () => undefined, caller.signal);
    await settle();
    caller.abort(reason);
    await expect(done).rejects.toBe(reason);
  });

  it('a failing consumer stops the run like a failing source', async () => {
    const gated = gatedSources(2, 2);
    const failure = new Error('cannot process');
    let calls = 0;
    const done = forEachPageConcurrently(gated.sources, () => {
      calls += 1;
      throw failure;
    });
    await settle();
    gated.release();
    await expect(done).rejects.toBe(failure);
    gated.release();
    await settle();
    expect(calls).toBe(1);
  });
});
