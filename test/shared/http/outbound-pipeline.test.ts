import { describe, expect, it } from 'vitest';
import { createOutboundPipeline } from '../../../shared/http/outbound-pipeline.js';
import type { OutboundPipelineOptions } from '../../../shared/http/outbound-pipeline.js';
import { UntrustedUrlError } from '../../../shared/http/origin-pinning-policy.js';
import { createHttpRequest } from '../../../shared/http/pipeline.js';
import type { HttpRequest, HttpTransport } from '../../../shared/http/pipeline.js';
import { createRequestMetrics } from '../../../shared/http/metrics.js';
import { parseRetryAfter } from '../../../shared/http/retry.js';
import { PauseBeyondDeadlineError, createThrottlePauses } from '../../../shared/http/throttle-pauses.js';

/** A transport answering statuses from a script (then 200), recording what it was sent. */
function scripted(statuses: readonly number[], retryAfter = '1') {
  const sent: { url: string; headers: Record<string, string> }[] = [];
  const remaining = [...statuses];
  const transport: HttpTransport = async (request) => {
    sent.push({ url: request.url, headers: { ...request.headers } });
    const status = remaining.shift() ?? 200;
    const headers: Record<string, string> = status === 429 ? { 'retry-after': retryAfter } : {};
    return { request, status, headers, bodyAsText: '{}' };
  };
  return { transport, sent };
}

function pipeline(transport: HttpTransport, overrides: Partial<OutboundPipelineOptions> = {}) {
  let now = 1_000_000;
  const waits: number[] = [];
  const sleep = async (ms: number) => {
    waits.push(ms);
    now += ms;
  };
  const metrics = createRequestMetrics();
  const tokenCalls: boolean[] = [];
  const send = createOutboundPipeline({
    baseUrl: 'https://graph.example/v1.0',
    retry: {
      policy: { maxAttempts: 4, baseDelayMs: 100, maxDelayMs: 60_000, budgetMs: 120_000 },
      classify: (outcome) => {
        if (outcome.kind === 'error') throw outcome.error;
        const { response } = outcome;
        if (response.status !== 429) return { kind: 'done', value: response };
        const retryAfterMs = parseRetryAfter(response.headers['retry-after']) ?? 0;
        return { kind: 'retry', error: new Error('throttled'), retryAfterMs };
      },
      giveUp: (event) => new Error(`${event.reason} after ${event.attempts}`),
      sleep,
      clock: () => now,
    },
    tokens: {
      getAccessToken: async ({ forceRefresh = false } = {}) => {
        tokenCalls.push(forceRefresh);
        return forceRefresh ? 'fresh' : 'cached';
      },
    },
    throttle: createThrottlePauses({ clock: () => now, sleep }),
    timeoutMs: 1_000,
    metrics,
    countAs: () => 'graph',
    transport,
    ...overrides,
  });
  return { send, waits, metrics, tokenCalls, now: () => now };
}

const request = (init: Partial<HttpRequest> = {}) =>
  createHttpRequest({ url: 'https://graph.example/v1.0/items', ...init });

describe('createOutboundPipeline', () => {
  it('sends a fresh client-request-id per attempt, counts every attempt, and the bearer token', async () => {
    const server = scripted([429]);
    const { send, metrics, waits } = pipeline(server.transport);
    const sending = request();
    expect((await send(sending)).status).toBe(200);
    expect(waits).toEqual([1_000]);
    expect(sending.attempts).toBe(2);
    expect(metrics.snapshot().graph).toBe(2);
    const [first, second] = server.sent.map((entry) => entry.headers['client-request-id']);
    expect(first).toMatch(/^[0-9a-f-]{36}$/);
    expect(second).not.toBe(first);
    expect(server.sent[0]?.headers.Authorization).toBe('Bearer cached');
  });

  it('gets one fresh token after a 401, once per request', async () => {
    const server = scripted([401, 401]);
    const { send, tokenCalls } = pipeline(server.transport);
    expect((await send(request())).status).toBe(401);
    expect(tokenCalls).toEqual([false, true]);
    expect(server.sent.map((entry) => entry.headers.Authorization)).toEqual(['Bearer cached', 'Bearer fresh']);
  });

  it('sends nothing, not even for a token, outside the configured origin and path', async () => {
    const server = scripted([]);
    const { send, tokenCalls } = pipeline(server.transport);
    for (const url of ['https://evil.example/v1.0/items', 'https://graph.example/beta/items', 'items']) {
      await expect(send(request({ url }))).rejects.toBeInstanceOf(UntrustedUrlError);
    }
    expect(server.sent).toEqual([]);
    expect(tokenCalls).toEqual([]);
  });

  it('starts no retry wait that would pass the deadline', async () => {
    const server = scripted([429], '30');
    const { send, waits, now } = pipeline(server.transport);
    await expect(send(request({ deadline: now() + 10_000 }))).rejects.toThrow('deadline after 1');
    expect(waits).toEqual([]);
  });

  it('does not hold a request for a shared pause that would pass its deadline, and sends nothing', async () => {
    const server = scripted([429], '30');
    const { send, now } = pipeline(server.transport, {
      retry: {
        policy: { maxAttempts: 1, baseDelayMs: 1, maxDelayMs: 60_000, budgetMs: 60_000 },
        classify: (outcome) => {
          if (outcome.kind === 'error') throw outcome.error;
          return { kind: 'done', value: outcome.response };
        },
        giveUp: () => new Error('gave up'),
      },
    });
    expect((await send(request())).status).toBe(429);
    await expect(send(request({ deadline: now() + 10_000 }))).rejects.toBeInstanceOf(PauseBeyondDeadlineError);
    expect(server.sent).toHaveLength(1);
  });
});
