import { describe, expect, it } from 'vitest';
import { createHttpRequest, createPipeline } from '../../../shared/http/pipeline.js';
import type { HttpTransport } from '../../../shared/http/pipeline.js';
import type { Sleep } from '../../../shared/http/retry.js';
import { createThrottlePauses } from '../../../shared/http/throttle-pauses.js';
import { throttlePolicy } from '../../../shared/http/throttle-policy.js';

/** A transport answering from a script, a clock the sleeps move, and a record of both. */
function harness(answers: readonly { status: number; retryAfter?: string }[]) {
  let now = 1_000_000;
  const waits: number[] = [];
  const sentAt: number[] = [];
  const remaining = [...answers];
  const transport: HttpTransport = async (request) => {
    sentAt.push(now);
    const answer = remaining.shift() ?? { status: 200 };
    return {
      request,
      status: answer.status,
      headers: answer.retryAfter ? { 'retry-after': answer.retryAfter } : ({} as Record<string, string>),
      bodyAsText: '{}',
    };
  };
  const sleep: Sleep = async (ms, signal) => {
    signal?.throwIfAborted();
    waits.push(ms);
    now += ms;
  };
  const send = createPipeline([throttlePolicy(createThrottlePauses({ clock: () => now, sleep }))], transport);
  const gated = (url: string, init: { signal?: AbortSignal } = {}) =>
    send(createHttpRequest({ url, ...(init.signal ? { abortSignal: init.signal } : {}) }));
  return { gated, waits, sentAt, advance: (ms: number) => (now += ms) };
}

describe('throttlePolicy', () => {
  it('holds every later request until the Retry-After of a 429 has passed', async () => {
    const { gated, waits, sentAt } = harness([{ status: 429, retryAfter: '2' }]);
    const throttled = await gated('https://graph.example/v1.0/a');
    expect(throttled.status).toBe(429);
    await gated('https://graph.example/v1.0/b');
    expect(waits).toEqual([2_000]);
    expect((sentAt[1] ?? 0) - (sentAt[0] ?? 0)).toBe(2_000);
  });

  it('counts the pause from when the answer came, and lets requests through once it has passed', async () => {
    const { gated, waits, advance } = harness([{ status: 429, retryAfter: '0.5' }]);
    await gated('https://graph.example/v1.0/a');
    advance(200);
    await gated('https://graph.example/v1.0/b');
    expect(waits).toEqual([300]);
    await gated('https://graph.example/v1.0/c');
    expect(waits).toEqual([300]);
  });

  it('pauses for 503 with Retry-After, not for other failures or a 429 without Retry-After', async () => {
    const { gated, waits } = harness([
      { status: 500, retryAfter: '5' },
      { status: 429 },
      { status: 503, retryAfter: '1' },
    ]);
    await gated('https://graph.example/v1.0/a');
    await gated('https://graph.example/v1.0/b');
    expect(waits).toEqual([]);
    await gated('https://graph.example/v1.0/c');
    await gated('https://graph.example/v1.0/d');
    expect(waits).toEqual([1_000]);
  });

  it('keeps the longest pause when concurrent requests are throttled with different Retry-After', async () => {
    const { gated, waits } = harness([
      { status: 429, retryAfter: '3' },
      { status: 429, retryAfter: '1' },
    ]);
    await Promise.all([gated('https://graph.example/v1.0/a'), gated('https://graph.example/v1.0/b')]);
    await gated('https://graph.example/v1.0/c');
    expect(waits).toEqual([3_000]);
  });

  it('gives up waiting when the request is aborted, without sending it', async () => {
    const { gated, sentAt } = harness([{ status: 429, retryAfter: '10' }]);
    await gated('https://graph.example/v1.0/a');
    const controller = new AbortController();
    controller.abort(new Error('run cancelled'));
    await expect(gated('https://graph.example/v1.0/b', { signal: controller.signal })).rejects.toThrow('run cancelled');
    expect(sentAt).toHaveLength(1);
  });

  it('does not share a pause longer than any client waits: the throttled request gives up, later ones go', async () => {
    const { gated, waits, sentAt } = harness([{ status: 429, retryAfter: '120' }]);
    await gated('https://graph.example/v1.0/a');
    await gated('https://graph.example/v1.0/b');
    expect(waits).toEqual([]);
    expect(sentAt).toHaveLength(2);
  });
});
