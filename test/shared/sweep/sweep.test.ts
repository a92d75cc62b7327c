import { describe, expect, it } from 'vitest';
import type { AppConfig } from '../../../shared/config/config.js';
import { DueNotifierError } from '../../../shared/base/errors.js';
import type { GraphClient, ListItemsQuery } from '../../../shared/clients/graph.js';
import type { ListItem } from '../../../shared/reminders/rules.js';
import { createRequestMetrics } from '../../../shared/http/metrics.js';
import type { RequestMetrics } from '../../../shared/http/metrics.js';
import { runSweep } from '../../../shared/sweep/sweep.js';
import { recordingLogger } from '../../support/recording-logger.js';
import { testConfig } from '../../support/settings.js';

const CONFIG = testConfig({
  LIST_COLUMN_DUE_DATE: 'Due_x0020_Date',
  REMINDER_TIME_ZONE: 'Europe/Berlin',
  // One query per run: the fake Graph below serves the same pages whatever the filter.
  // Concurrent ranges are tested in sweep-concurrency.test.ts.
  GRAPH_CONCURRENCY: '1',
});

/** 07:00 in Berlin on 1 December 2026: T = 2026-12-01. */
const NOW = new Date('2026-12-01T06:00:00Z');

function item(id: string, due: string | undefined, overrides: Record<string, unknown> = {}): ListItem {
  return {
    id,
    fields: {
      Title: `INV-${id}`,
      CustomerName: `Customer ${id}`,
      CustomerEmail: `c${id}@example.com`,
      ...(due === undefined ? {} : { Due_x0020_Date: due }),
      AmountDue: 10.5,
      Currency: 'EUR',
      Status: 'Open',
      ...overrides,
    },
  };
}

/** Berlin midnight of a date, as Graph returns a date-only column of a Berlin site. */
function berlinMidnight(date: string): string {
  const [year, month, day] = date.split('-').map(Number);
  return new Date(Date.UTC(year ?? 0, (month ?? 1) - 1, (day ?? 1) - 1, 23)).toISOString().replace('.000Z', 'Z');
}

interface FakeGraph extends GraphClient {
  readonly queries: ListItemsQuery[];
  readonly pagesServed: () => number;
}

/** Serves the pages one at a time and counts one Graph request per page, like the real client. */
function fakeGraph(pages: readonly (readonly ListItem[])[], metrics: RequestMetrics): FakeGraph {
  const queries: ListItemsQuery[] = [];
  let served = 0;
  return {
    queries,
    pagesServed: () => served,
    listItems(query) {
      queries.push(query);
      return (async function* () {
        for (const page of pages) {
          metrics.record('graph');
          served += 1;
          yield page;
        }
      })();
    },
  };
}

describe('runSweep', () => {
  it('asks Graph for the due-date window only, with the configured columns', async () => {
    const metrics = createRequestMetrics();
    const graph = fakeGraph([[]], metrics);
    await runSweep({ config: CONFIG, graph, metrics, logger: recordingLogger() }, { now: NOW, pageSize: 50 });
    expect(graph.queries).toHaveLength(1);
    const query = graph.queries[0];
    expect(query).toMatchObject({ siteId: CONFIG.siteId, listId: CONFIG.listId, top: 50 });
    expect([...(query?.fields ?? [])].sort()).toEqual(Object.values(CONFIG.columns).sort());
    const match = /^fields\/Due_x0020_Date ge '([^']+)' and fields\/Due_x0020_Date lt '([^']+)'$/.exec(
      query?.filter ?? '',
    );
    expect(match).not.toBeNull();
    const from = new Date(match?.[1] ?? '');
    const to = new Date(match?.[2] ?? '');
    // Every due date that can produce a reminder today (T-2+1 .. T+7) lies inside; months away does not.
    for (const date of ['2026-11-30', '2026-12-01', '2026-12-02', '2026-12-08']) {
      const due = new Date(berlinMidnight(date));
      expect(due >= from && due < to, date).toBe(true);
    }
    expect(new Date(berlinMidnight('2027-02-01')) < to).toBe(false);
    expect(match?.[1]).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$/);
  });

  it('decides page by page, returns the reminders sorted by id and counts everything', async () => {
    const metrics = createRequestMetrics();
    const pages = [
      [item('9', berlinMidnight('2026-12-08')), item('10', berlinMidnight('2026-12-04'), { Status: 'Paid' })],
      [],
      [item('2', berlinMidnight('2026-12-04')), item('3', berlinMidnight('2026-12-05')), item('4', undefined)],
      [item('5', berlinMidnight('2026-12-02'), { CustomerEmail: 'not-an-address' })],
    ];
    const graph = fakeGraph(pages, metrics);
    const logger = recordingLogger();
    const result = await runSweep({ config: CONFIG, graph, metrics, logger }, { now: NOW, runId: 'run-1' });

    expect(result.reminders.map((reminder) => reminder.id)).toEqual(['2:2026-12-04:3', '9:2026-12-08:7']);
    expect(result.runId).toBe('run-1');
    expect(result.now).toBe(NOW.toISOString());
    expect(result.summary).toEqual({
      runId: 'run-1',
      now: NOW.toISOString(),
      itemsRead: 6,
      eligible: 3,
      reminders: 2,
      alreadySent: 0,
      skipped: { statusClosed: 1, missingDueDate: 1, invalidEmail: 1 },
      requests: { graph: 4, token: 0, keyVault: 0 },
      durationMs: expect.any(Number),
    });
    expect(graph.pagesServed()).toBe(4);
  });

  it('logs skipped items by id and reason, and the summary, never an e-mail address', async () => {
    const metrics = createRequestMetrics();
    const graph = fakeGraph(
      [[item('5', berlinMidnight('2026-12-02'), { CustomerEmail: 'jane.doe@@example.com' })]],
      metrics,
    );
    const logger = recordingLogger();
    await runSweep({ config: CONFIG, graph, metrics, logger }, { now: NOW, runId: 'run-2' });
    expect(logger.lines).toContain('info Run run-2: skipped item 5: invalidEmail');
    expect(logger.lines.some((line) => line.startsWith('info Run run-2 summary: {'))).toBe(true);
    expect(logger.lines.join('\n')).not.toMatch(/@/);
  });

  it('carries the language, and counts and logs by id the items whose Language it ignores', async () => {
    const metrics = createRequestMetrics();
    const graph = fakeGraph(
      [
        [
          item('1', berlinMidnight('2026-12-02'), { Language: 'de-ch' }),
          item('2', berlinMidnight('2026-12-02'), { Language: 'Deutsch' }),
          item('3', berlinMidnight('2026-12-02')),
        ],
      ],
      metrics,
    );
    const logger = recordingLogger();
    const result = await runSweep({ config: CONFIG, graph, metrics, logger }, { now: NOW, runId: 'run-3' });
    expect(result.reminders.map((reminder) => reminder.language)).toEqual(['de-CH', undefined, undefined]);
    expect(result.summary).toMatchObject({ eligible: 3, reminders: 3, languageIgnored: 1 });
    expect(logger.lines).toContain(
      'info Run run-3: item 2: its LIST_COLUMN_LANGUAGE value is not a BCP 47 tag of a known language; the reminder has none',
    );
    expect(logger.lines.join('\n')).not.toContain('Deutsch');
  });

  it('warns once in the summary when the due dates are midnights of another zone than REMINDER_TIME_ZONE', async () => {
    const metrics = createRequestMetrics();
    // A New York site's date-only values: midnight EST is 05:00Z.
    const pages = [
      [item('1', '2026-12-02T05:00:00Z'), item('2', '2026-12-04T05:00:00Z')],
      [item('3', '2026-12-08T05:00:00Z', { Status: 'Paid' })],
    ];
    const logger = recordingLogger();
    const result = await runSweep({ config: CONFIG, graph: fakeGraph(pages, metrics), metrics, logger }, { now: NOW });
    expect(result.summary.warnings).toEqual([
      expect.stringMatching(
        /^3 due date\(s\) read are not midnights in REMINDER_TIME_ZONE Europe\/Berlin but are midnights at GMT-05:00, as in America\/\w+, .* and \d+ more zones: /,
      ),
    ]);
    expect(logger.lines.filter((line) => line.startsWith('warn '))).toHaveLength(1);
  });

  it("reports only this run's requests when the clients are long-lived", async () => {
    const metrics = createRequestMetrics();
    metrics.record('token');
    metrics.record('keyVault');
    metrics.record('graph');
    const graph = fakeGraph([[], []], metrics);
    const result = await runSweep({ config: CONFIG, graph, metrics, logger: recordingLogger() }, { now: NOW });
    expect(result.summary.requests).toEqual({ graph: 2, token: 0, keyVault: 0 });
  });

  it('uses the clock seam when no instant is given', async () => {
    const metrics = createRequestMetrics();
    const graph = fakeGraph([[item('1', berlinMidnight('2026-12-02'))]], metrics);
    const result = await runSweep({ config: CONFIG, graph, metrics, logger: recordingLogger(), clock: () => NOW });
    expect(result.now).toBe(NOW.toISOString());
    expect(result.reminders.map((reminder) => reminder.id)).toEqual(['1:2026-12-02:1']);
    expect(result.runId).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('stops when Graph fails, with nothing returned', async () => {
    const metrics = createRequestMetrics();
    const failure = new Error('page 2 failed');
    const graph: GraphClient = {
      listItems: () =>
        (async function* () {
          yield [item('1', berlinMidnight('2026-12-02'))];
          throw failure;
        })(),
    };
    await expect(runSweep({ config: CONFIG, graph, metrics, logger: recordingLogger() }, { now: NOW })).rejects.toBe(
      failure,
    );
  });

  it('stops a run that outlasts RUN_TIME_BUDGET_SECONDS with RunTimeBudgetExceeded, aborting its Graph reads', async () => {
    const metrics = createRequestMetrics();
    const aborted: unknown[] = [];
    // A first page, then a read that only ends when its signal aborts (a Graph that keeps throttling).
    const graph: GraphClient = {
      listItems: (query) =>
        (async function* () {
          yield [item('1', berlinMidnight('2026-12-02'))];
          await new Promise((_resolve, reject) =>
            query.abortSignal?.addEventListener('abort', () => {
              aborted.push(query.abortSignal?.reason);
              reject(query.abortSignal?.reason);
            }),
          );
        })(),
    };
    const config: AppConfig = { ...CONFIG, runTimeBudgetMs: 50 };
    const run = runSweep({ config, graph, metrics, logger: recordingLogger() }, { now: NOW, runId: 'run-slow' });
    await expect(run).rejects.toMatchObject({
      code: 'RunTimeBudgetExceeded',
      message: expect.stringMatching(/^Run run-slow .*0\.05 s \(RUN_TIME_BUDGET_SECONDS\).* 1 list item\(s\)/),
    });
    await expect(run).rejects.toBeInstanceOf(DueNotifierError);
    expect(aborted).toHaveLength(1);
  });

  it("reports the caller's abort as it is, not as a spent budget", async () => {
    const metrics = createRequestMetrics();
    const caller = new AbortController();
    const graph: GraphClient = {
      listItems: (query) =>
        (async function* () {
          caller.abort(new Error('host shutting down'));
          query.abortSignal?.throwIfAborted();
          yield [];
        })(),
    };
    await expect(
      runSweep({ config: CONFIG, graph, metrics, logger: recordingLogger() }, { now: NOW, abortSignal: caller.signal }),
    ).rejects.toThrow('host shutting down');
  });
});
