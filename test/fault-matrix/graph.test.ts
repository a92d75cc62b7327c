/**
 * Fault matrix, Graph rows: a 429 storm, 503 / connection reset / reset mid-body / truncated JSON, a
 * foreign `@odata.nextLink`, and runs that cannot finish (throttled beyond what a run waits for, or out
 * of RUN_TIME_BUDGET_SECONDS). Driven through the local host against the local stack; where Graph's
 * answers must be rewritten, a small HTTPS proxy sits in front of the Graph emulator (GRAPH_BASE_URL).
 *
 * The list holds 2,050 obligations (three pages of 1,000): 2,040 due in 8 days (read, no reminder) and
 * 10 due in 7, 3 and 1 days (a reminder each). One due-date range (GRAPH_CONCURRENCY 1) keeps the order
 * of requests, and so which request a fault hits, fixed.
 */
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { loadSeedFile } from '../../emulators/stack/seed-file.js';
import type { SeedFile } from '../../emulators/stack/seed.js';
import { DEMO_SEED_PATH } from '../../emulators/stack/stack.js';
import type { SweepSummary } from '../../shared/sweep/sweep.js';
import { failureOf, publicFailureCode, runSummaryOf, useFunctionHost } from '../support/function-host.js';
import { startHttpsProxy, startRecordingServer } from '../support/https-test-servers.js';
import { inDays, obligation } from '../support/obligations.js';
import type { TestHttpsServer } from '../support/https-test-servers.js';
import { useLocalStack } from '../support/stack.js';

const READ_ONLY_ITEMS = 2040;
const REMINDER_DAYS_AHEAD = [7, 7, 7, 3, 3, 3, 1, 1, 1, 1];

async function graphSeed(): Promise<SeedFile> {
  const demo = await loadSeedFile(DEMO_SEED_PATH);
  const items = [
    ...Array.from({ length: READ_ONLY_ITEMS }, (_, index) => obligation(index + 1, inDays(8))),
    ...REMINDER_DAYS_AHEAD.map((days, index) => obligation(READ_ONLY_ITEMS + index + 1, inDays(days))),
  ];
  const sites = demo.graph.sites.map((site) => ({
    ...site,
    lists: site.lists.map((list) => (list.id === demo.daemon.listId ? { ...list, items } : list)),
  }));
  return { ...demo, graph: { ...demo.graph, sites } };
}

const stack = useLocalStack({ seed: await graphSeed() });
const host = useFunctionHost(stack, { settings: { GRAPH_CONCURRENCY: '1' } });

/** What a run without faults reads and enqueues. */
let baseline: { readonly summary: SweepSummary; readonly reminderIds: readonly string[] };

beforeAll(async () => {
  const outcome = await host().fireTimer();
  expect(outcome.status).toBe('succeeded');
  baseline = {
    summary: runSummaryOf(outcome.logs),
    reminderIds: (await host().drainReminders()).map((reminder) => reminder.id),
  };
  expect(baseline.summary.itemsRead).toBe(READ_ONLY_ITEMS + REMINDER_DAYS_AHEAD.length);
  expect(baseline.reminderIds).toHaveLength(REMINDER_DAYS_AHEAD.length);
  expect(baseline.summary.requests.graph).toBe(3);
  stack().counters.reset();
});

const servers: TestHttpsServer[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((server) => server.close()));
});

/** A run that recovered: the same items read once each, the same reminders enqueued; its summary. */
async function expectRecoveredRun(extraGraphRequests: number): Promise<SweepSummary> {
  const outcome = await host().fireTimer();
  expect(outcome.status).toBe('succeeded');
  const summary = runSummaryOf(outcome.logs);
  expect(summary).toMatchObject({
    itemsRead: baseline.summary.itemsRead,
    eligible: baseline.summary.eligible,
    skipped: baseline.summary.skipped,
  });
  expect(summary.requests.graph).toBe(baseline.summary.requests.graph + extraGraphRequests);
  expect((await host().drainReminders()).map((reminder) => reminder.id)).toEqual(baseline.reminderIds);
  return summary;
}

async function proxyInFrontOfGraph(
  transform: NonNullable<Parameters<typeof startHttpsProxy>[0]['transform']>,
): Promise<TestHttpsServer> {
  const proxy = await startHttpsProxy({ target: stack().urls.graph, transform });
  servers.push(proxy);
  host().setSettings({ GRAPH_BASE_URL: `${proxy.url}/v1.0` });
  return proxy;
}

describe('fault matrix: Graph', () => {
  it('Graph 429 storm (several in a row, fractional Retry-After): recovers, all items read once', async () => {
    // Four 429s in a row on the first page, then two more on a later page.
    stack().faults.add({
      endpoint: 'graph.listItems',
      path: '^(?!.*skiptoken)',
      action: { type: 'status', status: 429, retryAfter: '0.15' },
      count: 4,
    });
    stack().faults.add({
      endpoint: 'graph.listItems',
      path: 'skiptoken',
      action: { type: 'status', status: 429, retryAfter: '0.05' },
      count: 2,
    });
    const summary = await expectRecoveredRun(6);
    expect(stack().counters.get('graph.listItems')).toBe(baseline.summary.requests.graph + 6);
    // Every Retry-After was waited for.
    expect(summary.durationMs).toBeGreaterThanOrEqual(4 * 150 + 2 * 50);
  });

  it('Graph 503, connection reset and reset mid-body: the run recovers', async () => {
    // The first page's connection is reset; the second page is cut off mid-body, then answered 503.
    // Each is a first retry of its page, so the backoff without Retry-After stays below a second.
    stack().faults.add({ endpoint: 'graph.listItems', path: '^(?!.*skiptoken)', action: { type: 'reset' }, count: 1 });
    stack().faults.add({ endpoint: 'graph.listItems', path: 'skiptoken', action: { type: 'truncate' }, count: 1 });
    stack().faults.add({
      endpoint: 'graph.listItems',
      path: 'skiptoken',
      action: { type: 'status', status: 503, retryAfter: '0.05' },
      count: 1,
    });
    await expectRecoveredRun(3);
    expect(stack().counters.get('graph.listItems')).toBe(baseline.summary.requests.graph + 3);
  });

  it('Graph truncated JSON (a complete response with half a body): the run recovers', async () => {
    await proxyInFrontOfGraph((response, index) =>
      index === 1 ? { ...response, body: response.body.subarray(0, response.body.length / 2) } : response,
    );
    await expectRecoveredRun(1);
  });

  it.each([
    ['another port on the same host', (graph: URL, foreign: URL) => `${foreign.origin}${graph.pathname}`],
    [
      'another host name for the same address',
      (_graph: URL, foreign: URL) => `https://localhost:${foreign.port}/v1.0/sites/x/lists/y/items`,
    ],
    ['plain http', (_graph: URL, foreign: URL) => `http://${foreign.host}/v1.0/sites/x/lists/y/items`],
  ])(
    'foreign @odata.nextLink (%s): the run fails, the foreign host receives no request with a token',
    async (_case, foreignLink) => {
      const foreign = await startRecordingServer();
      servers.push(foreign);
      await proxyInFrontOfGraph((response) => {
        const page = JSON.parse(response.body.toString('utf8')) as Record<string, unknown>;
        const link = page['@odata.nextLink'];
        if (typeof link !== 'string') return response;
        const rewritten = { ...page, '@odata.nextLink': foreignLink(new URL(link), new URL(foreign.url)) };
        return { ...response, body: Buffer.from(JSON.stringify(rewritten)) };
      });

      const timer = await host().fireTimer();
      const error = failureOf(timer) as Error;
      expect(error).toMatchObject({ code: 'UntrustedGraphUrl' });
      expect(error.message).toMatch(
        /^Refusing to send the Graph access token to \S+: only URLs under https:\/\/127\.0\.0\.1:\d+\/v1\.0 \(GRAPH_BASE_URL\) are trusted\. No request was sent\.$/,
      );
      expect(foreign.requests.filter((request) => request.headers.authorization !== undefined)).toEqual([]);
      expect(foreign.requests).toEqual([]);
      expect(await host().drainReminders()).toEqual([]);

      const http = await host().runByHttp();
      expect(http.response.status).toBe(502);
      expect(publicFailureCode(http)).toBe('UntrustedGraphUrl');
      expect(foreign.requests).toEqual([]);
    },
  );

  it('Graph throttles a later page beyond every retry: the run fails loudly and writes nothing of the pages it read', async () => {
    stack().faults.add({
      endpoint: 'graph.listItems',
      path: 'skiptoken',
      action: { type: 'status', status: 429, retryAfter: '0.02' },
    });
    const timer = await host().fireTimer();
    const error = failureOf(timer) as Error;
    expect(error).toMatchObject({ code: 'GraphThrottled' });
    expect(error.message).toContain('Graph is throttling the app.');
    expect(error.message).toContain('Graph: gave up after 6 attempts.');
    // The first page was read; nothing of it reached the queue.
    expect(stack().counters.get('graph.listItems')).toBe(1 + 6);
    expect(await host().drainReminders()).toEqual([]);
  });

  it('a run that outlasts RUN_TIME_BUDGET_SECONDS stops with RunTimeBudgetExceeded and writes nothing', async () => {
    host().setSettings({ RUN_TIME_BUDGET_SECONDS: '1' });
    stack().faults.add({ endpoint: 'graph.listItems', path: 'skiptoken', action: { type: 'latency', ms: 10_000 } });
    const started = performance.now();
    const timer = await host().fireTimer();
    expect(performance.now() - started).toBeLessThan(3_000);
    const error = failureOf(timer) as Error;
    expect(error).toMatchObject({ code: 'RunTimeBudgetExceeded' });
    expect(error.message).toMatch(
      /time budget of 1 s \(RUN_TIME_BUDGET_SECONDS\) ran out, after reading 1000 list item\(s\); it enqueues no reminder\./,
    );
    expect(await host().drainReminders()).toEqual([]);

    const http = await host().runByHttp();
    expect(http.response.status).toBe(503);
    expect(publicFailureCode(http)).toBe('RunTimeBudgetExceeded');
  });
});
