/**
 * Keyed batches: requests that arrive while a key's batch runs run together as its next batch, in
 * order, each getting its own result; a failed batch rejects its own items only; keys are independent;
 * an aborted caller's item that has not run yet never runs.
 */
import { describe, expect, it } from 'vitest';
import { createKeyedBatches } from '../../../shared/base/keyed-batches.js';

function recordingBatch() {
  const batches: number[][] = [];
  let release: () => void = () => undefined;
  let gate = new Promise<void>((resolve) => {
    release = resolve;
  });
  return {
    batches,
    open: () => release(),
    run: async (items: readonly number[]): Promise<readonly string[]> => {
      batches.push([...items]);
      await gate;
      gate = Promise.resolve();
      if (items.includes(13)) throw new Error('unlucky batch');
      return items.map((item) => `result ${item}`);
    },
  };
}

describe('keyed batches', () => {
  it('runs the first request at once and the ones that arrive meanwhile as one batch, each with its own result', async () => {
    const batches = createKeyedBatches();
    const recorder = recordingBatch();
    const results = [1, 2, 3, 4].map((item) => batches.submit('mailbox', item, recorder.run));
    expect(recorder.batches).toEqual([[1]]);
    recorder.open();
    expect(await Promise.all(results)).toEqual(['result 1', 'result 2', 'result 3', 'result 4']);
    expect(recorder.batches).toEqual([[1], [2, 3, 4]]);
  });

  it('a batch that throws rejects its own items only; the next batch runs', async () => {
    const batches = createKeyedBatches();
    const recorder = recordingBatch();
    const first = batches.submit('mailbox', 13, recorder.run);
    const second = batches.submit('mailbox', 2, recorder.run);
    recorder.open();
    await expect(first).rejects.toThrow('unlucky batch');
    expect(await second).toBe('result 2');
  });

  it('keys do not wait for each other, and a batch holds at most maxBatch items', async () => {
    const batches = createKeyedBatches({ maxBatch: 2 });
    const a = recordingBatch();
    const onA = [1, 2, 3, 4, 5].map((item) => batches.submit('a', item, a.run));
    // Key a's batch is held; key b's runs and answers meanwhile.
    expect(await batches.submit('b', 9, async (items: readonly number[]) => items.map((item) => item * 2))).toBe(18);
    expect(a.batches).toEqual([[1]]);
    a.open();
    await Promise.all(onA);
    expect(a.batches).toEqual([[1], [2, 3], [4, 5]]);
  });

  it('a caller that gives up before its batch runs is rejected, and its item never runs', async () => {
    const batches = createKeyedBatches();
    const recorder = recordingBatch();
    const controller = new AbortController();
    const first = batches.submit('mailbox', 1, recorder.run);
    const abandoned = batches.submit('mailbox', 2, recorder.run, controller.signal);
    const third = batches.submit('mailbox', 3, recorder.run);
    controller.abort(new Error('gave up'));
    await expect(abandoned).rejects.toThrow('gave up');
    recorder.open();
    expect(await Promise.all([first, third])).toEqual(['result 1', 'result 3']);
    expect(recorder.batches).toEqual([[1], [3]]);
  });
});
