/**
 * Four due-date ranges read pages at once through pipelines that share one throttle pause, against a
 * server with a regular throttling pattern, in virtual time (a deterministic clock, scheduler and
 * random). Resuming in lockstep after each pause, the ranges reach the server in the same order every
 * time and one of them keeps drawing the refused slot until it runs out of attempts; resuming spread
 * over the pause's length, every range gets through.
 */
import { describe, expect, it } from 'vitest';
import { createOutboundPipeline } from '../../../shared/http/outbound-pipeline.js';
import { createHttpRequest } from '../../../shared/http/pipeline.js';
import type { HttpTransport } from '../../../shared/http/pipeline.js';
import { parseRetryAfter } from '../../../shared/http/retry.js';
import type { Sleep } from '../../../shared/http/retry.js';
import { createThrottlePauses } from '../../../shared/http/throttle-pauses.js';

const RANGES = 4;
const PAGES_PER_RANGE = 8;
const GRAPH = 'https://graph.example';

/** A virtual clock whose timers fire in order of time, then of creation, once everything else has settled. */
function virtualTime() {
  let now = 0;
  let sequence = 0;
  const timers: { at: number; sequence: number; fire: () => void }[] = [];
  const sleep: Sleep = (ms, signal) =>
    new Promise<void>((resolve, reject) => {
      if (signal?.aborted) return reject(signal.reason);
      timers.push({ at: now + ms, sequence: (sequence += 1), fire: resolve });
    });
  const settle = () => new Promise<void>((resolve) => setImmediate(resolve));
  return {
    clock: () => now,
    sleep,
    /** Runs until `done` settles, firing timers one at a time. */
    async run<T>(done: Promise<T>): Promise<T> {
      let finished = false;
      const result = done.finally(() => (finished = true));
      for (await settle(); !finished; await settle()) {
        timers.sort((a, b) => a.at - b.at || a.sequence - b.sequence);
        const next = timers.shift();
        if (!next) break;
        now = next.at;
        next.fire();
      }
      return result;
    },
  };
}

/** Seeded, uniform in [0, 1) (mulberry32). */
function seededRandom(seed: number): () => number {
  let state = seed;
  return () => {
    state = (state + 0x6d2b79f5) | 0;
    let t = Math.imul(state ^ (state >>> 15), 1 | state);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}

/**
 * The regular pattern: every tenth request is refused with 429 and `Retry-After: 1`, and Graph's window
 * has not quite rolled over when that second has just passed, so a request arriving within 50 ms of a
 * pause's end is refused again.
 */
function throttlingServer(clock: () => number) {
  const log: { at: number; range: number; status: number }[] = [];
  let pauseEnd = -Infinity;
  const transport: HttpTransport = async (request) => {
    const at = clock();
    const refused = (at >= pauseEnd && at < pauseEnd + 50) || (log.length + 1) % 10 === 0;
    if (refused) pauseEnd = at + 1_000;
    const status = refused ? 429 : 200;
    log.push({ at, range: Number(new URL(request.url).searchParams.get('range')), status });
    const headers: Record<string, string> = refused ? { 'retry-after': '1' } : {};
    return { request, status, headers, bodyAsText: '{}' };
  };
  return { transport, log };
}

async function sweep(maxResumeSpreadMs: number) {
  const time = virtualTime();
  const server = throttlingServer(time.clock);
  const random = seededRandom(42);
  const throttle = createThrottlePauses({ clock: time.clock, sleep: time.sleep, random, maxResumeSpreadMs });
  const send = createOutboundPipeline({
    retry: {
      policy: { maxAttempts: 6, baseDelayMs: 1_000, maxDelayMs: 60_000, budgetMs: 120_000 },
      classify: (outcome) => {
        if (outcome.kind === 'error') throw outcome.error;
        const { response } = outcome;
        if (response.status !== 429) return { kind: 'done', value: response };
        const retryAfterMs = parseRetryAfter(response.headers['retry-after']) ?? 0;
        return { kind: 'retry', error: new Error('429'), retryAfterMs };
      },
      giveUp: (event) => new Error(`gave up after ${event.attempts} attempts`),
      sleep: time.sleep,
      clock: time.clock,
      random,
    },
    throttle,
    timeoutMs: 30_000,
    countAs: () => 'graph',
    transport: server.transport,
  });
  const readRange = async (range: number): Promise<number> => {
    for (let page = 1; page <= PAGES_PER_RANGE; page += 1) {
      await send(createHttpRequest({ url: `${GRAPH}/items?range=${range}&page=${page}`, deadline: 540_000 }));
    }
    return PAGES_PER_RANGE;
  };
  const outcomes = await time.run(Promise.allSettled(Array.from({ length: RANGES }, (_, range) => readRange(range))));
  return { outcomes, log: server.log };
}

describe('resuming after a shared throttle pause', () => {
  it('in lockstep, one range keeps drawing the refused slot and gives up after six attempts', async () => {
    const { outcomes, log } = await sweep(0);
    const failed = outcomes.filter((outcome) => outcome.status === 'rejected');
    expect(failed.length).toBeGreaterThan(0);
    expect(String((failed[0] as PromiseRejectedResult).reason)).toContain('gave up after 6 attempts');
    // The same range drew the first six refusals, and gave up 5 s into a run with 540 s of budget.
    const refusals = log.filter((entry) => entry.status === 429);
    expect(new Set(refusals.slice(0, 6).map((entry) => entry.range)).size).toBe(1);
    expect(refusals[5]?.at).toBe(5_000);
  });

  it('with jitter, the waiting requests resume spread over the pause and every range reads every page', async () => {
    const { outcomes, log } = await sweep(2_000);
    expect(outcomes.map((outcome) => outcome.status)).toEqual(Array(RANGES).fill('fulfilled'));
    expect(log.filter((entry) => entry.status === 200)).toHaveLength(RANGES * PAGES_PER_RANGE);
    // After the first pause (t = 1 s), the held requests go out at different instants within the window.
    const resumed = log.filter((entry) => entry.at >= 1_000 && entry.at < 2_000).map((entry) => entry.at);
    expect(new Set(resumed).size).toBeGreaterThanOrEqual(3);
    // No range is refused more than a couple of times in a row.
    const refusals = new Map<number, number>();
    for (const entry of log) {
      refusals.set(entry.range, entry.status === 429 ? (refusals.get(entry.range) ?? 0) + 1 : 0);
      expect(refusals.get(entry.range)).toBeLessThan(6);
    }
  });
});
