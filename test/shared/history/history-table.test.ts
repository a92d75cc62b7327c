/**
 * The run history on Azurite's Table service, through the real @azure/data-tables client: a failed
 * write never fails the run or the delivery (logged once, counted), a failed run keeps its error and
 * code, pages and the status filter, and a prune bounded to a number of runs.
 */
import { TableClient } from '@azure/data-tables';
import { describe, expect, it } from 'vitest';
import {
  createRunHistory,
  findResubmittable,
  getRun,
  listRuns,
  pruneRuns,
  recordDelivery,
  recordRun,
} from '../../../shared/history/index.js';
import type { RunHistory } from '../../../shared/history/index.js';
import { POINTER_ROW_KEY, RUNS_PARTITION, indexRowKey, runPartitionKey } from '../../../shared/history/run-keys.js';
import { runProperties } from '../../../shared/history/run-record.js';
import { useLedgerTables } from '../delivery/ledger/ledger-fixture.js';
import { recordingLogger } from '../../support/recording-logger.js';

const tables = useLedgerTables();
const SUMMARY = { itemsRead: 2, eligible: 2, reminders: 2, alreadySent: 0, skipped: { pastDue: 1 } };
const DAY_MS = 86_400_000;
let tableCount = 0;

/** A history on a fresh table whose clock is `now()`. */
function freshHistory(now: () => Date = () => new Date()): RunHistory {
  tableCount += 1;
  const table = TableClient.fromConnectionString(tables.connectionString, `historytest${tableCount}`, {
    allowInsecureConnection: true,
  });
  return createRunHistory(table, { timeoutMs: 5000, clock: now });
}

describe('run history on Table storage', () => {
  it('a history it cannot write to fails neither the run nor the delivery: one warning each, counted', async () => {
    const unreachable = TableClient.fromConnectionString(
      'DefaultEndpointsProtocol=http;AccountName=devstoreaccount1;AccountKey=a2V5;TableEndpoint=http://127.0.0.1:1/devstoreaccount1',
      'runs',
      { allowInsecureConnection: true, retryOptions: { maxRetries: 0 } },
    );
    const history = createRunHistory(unreachable, { timeoutMs: 2000 });
    const logger = recordingLogger();
    const { lines } = logger;
    const result = await recordRun(history, logger, { trigger: 'cli' }, async ({ runId }) => ({
      runId,
      summary: SUMMARY,
    }));
    expect(result.summary).toBe(SUMMARY);
    await recordDelivery(history, logger, { runId: result.runId, reminderId: '1:2026-12-08:7', status: 'sent' });
    expect(history.writeFailures).toBe(2);
    expect(lines).toEqual([
      expect.stringMatching(
        new RegExp(`^warn Run ${result.runId} not recorded in run history table 'runs': ECONNREFUSED: .*\\[host\\]`),
      ),
      expect.stringMatching(
        /^warn Delivery of reminder 1:2026-12-08:7 \(sent\) not recorded in run history table 'runs': /,
      ),
    ]);
    expect(lines.join('\n')).not.toMatch(/127\.0\.0\.1|AccountKey/);
  });

  it('a failed run is recorded with its code and message, and its error reaches the caller unchanged', async () => {
    const history = freshHistory();
    const logger = recordingLogger();
    const { lines } = logger;
    const failure = Object.assign(new Error('Graph answered 403 for https://graph.local/v1.0/sites/1'), {
      code: 'GraphAccessDenied',
    });
    let runId = '';
    await expect(
      recordRun(history, logger, { trigger: 'timer', now: new Date('2026-12-01T06:00:00Z') }, async (run) => {
        runId = run.runId;
        expect(run.now.toISOString()).toBe('2026-12-01T06:00:00.000Z');
        throw failure;
      }),
    ).rejects.toBe(failure);
    expect(await getRun(history, runId)).toMatchObject({
      status: 'failed',
      instant: '2026-12-01T06:00:00.000Z',
      failure: { code: 'GraphAccessDenied', message: 'Graph answered 403 for [url]' },
      deliveries: { byStatus: {}, byCode: {} },
    });
    expect(lines).toEqual([]);
    expect(history.writeFailures).toBe(0);
  });

  it('lists newest first, a page at a time, optionally one status; a delivery retried is one row', async () => {
    let clock = Date.parse('2026-12-01T06:00:00Z');
    const history = freshHistory(() => new Date((clock += 1000)));
    const logger = recordingLogger();
    const ids: string[] = [];
    for (let index = 0; index < 5; index += 1) {
      const run = recordRun(history, logger, { trigger: 'http', dryRun: index === 2 }, async ({ runId }) => {
        ids.push(runId);
        if (index === 3) throw new Error('boom');
        return { summary: SUMMARY };
      });
      await run.catch(() => undefined);
    }
    for (let attempt = 0; attempt < 3; attempt += 1) {
      await recordDelivery(history, logger, {
        runId: ids[0] ?? '',
        reminderId: '1:2026-12-08:7',
        status: 'deferred',
        code: 'ReminderNotSent',
      });
    }
    await recordDelivery(history, logger, { runId: ids[0] ?? '', reminderId: '1:2026-12-08:7', status: 'sent' });

    const first = await listRuns(history, { limit: 2 });
    expect(first.runs.map((run) => run.runId)).toEqual([ids[4], ids[3]]);
    const second = await listRuns(history, { limit: 2, ...(first.next ? { after: first.next } : {}) });
    expect(second.runs.map((run) => run.runId)).toEqual([ids[2], ids[1]]);
    const last = await listRuns(history, { limit: 2, ...(second.next ? { after: second.next } : {}) });
    expect(last.runs.map((run) => run.runId)).toEqual([ids[0]]);
    expect(last.next).toBeUndefined();
    expect(last.runs[0]?.deliveries).toEqual({
      byStatus: { deferred: 1, sent: 1 },
      byCode: { ReminderNotSent: 1 },
    });
    expect((await listRuns(history, { status: 'failed' })).runs.map((run) => run.runId)).toEqual([ids[3]]);
    expect((await listRuns(history)).runs.find((run) => run.runId === ids[2])?.dryRun).toBe(true);
    await expect(listRuns(history, { after: 'not-a-cursor' })).rejects.toMatchObject({ code: 'InvalidCursor' });
  });

  it('prunes at most maxRuns of the runs older than the retention per call, their deliveries first', async () => {
    const logger = recordingLogger();
    const now = Date.parse('2026-12-01T06:00:00Z');
    let startedAt = now - 100 * DAY_MS;
    const history = freshHistory(() => new Date(startedAt));
    const old: string[] = [];
    for (let index = 0; index < 3; index += 1) {
      startedAt += 1000;
      const { runId } = await recordRun(history, logger, { trigger: 'timer' }, async (run) => ({
        ...run,
        summary: SUMMARY,
      }));
      for (let reminder = 0; reminder < 120; reminder += 1) {
        await recordDelivery(history, logger, { runId, reminderId: `${reminder}:2026-12-08:7`, status: 'sent' });
      }
      old.push(runId);
    }
    startedAt = now - DAY_MS;
    const { runId: recent } = await recordRun(history, logger, { trigger: 'timer' }, async (run) => ({
      ...run,
      summary: SUMMARY,
    }));

    const options = { retentionDays: 90, now: new Date(now), maxRuns: 2 };
    expect(await pruneRuns(history, logger, options)).toBe(2);
    expect((await listRuns(history)).runs.map((run) => run.runId)).toEqual([recent, old[0]]);
    expect(await pruneRuns(history, logger, options)).toBe(1);
    expect(await pruneRuns(history, logger, options)).toBe(0);
    expect((await listRuns(history)).runs.map((run) => run.runId)).toEqual([recent]);
    const left = [];
    for await (const entity of history.table.listEntities()) left.push(entity.partitionKey);
    expect(left.sort()).toEqual(['run:' + recent, 'runs']);
  }, 60_000);

  it('resubmits a failed run, or one still running long after it started (its process died), nothing else', async () => {
    let now = Date.parse('2026-12-01T06:00:00Z');
    const history = freshHistory(() => new Date(now));
    const logger = recordingLogger();
    const summary = async () => ({ summary: SUMMARY });
    const { runId: succeeded } = await recordRun(
      history,
      logger,
      { trigger: 'timer', runId: 'ok-run' },
      async (run) => ({ ...run, ...(await summary()) }),
    );
    await recordRun(history, logger, { trigger: 'timer', runId: 'failed-run' }, () =>
      Promise.reject(new Error('boom')),
    ).catch(() => undefined);
    // A run whose process died after its start was recorded: its end never was.
    const startedAt = new Date(now);
    const rowKey = indexRowKey(startedAt, 'dead-run');
    const started = {
      runId: 'dead-run',
      trigger: 'timer',
      instant: startedAt.toISOString(),
      startedAt: startedAt.toISOString(),
      status: 'running',
      dryRun: false,
    } as const;
    await history.table.upsertEntity({ partitionKey: RUNS_PARTITION, rowKey, ...runProperties(started) });
    await history.table.upsertEntity({
      partitionKey: runPartitionKey('dead-run'),
      rowKey: POINTER_ROW_KEY,
      runId: 'dead-run',
      indexRowKey: rowKey,
    });

    const options = { abandonedAfterMs: 600_000 };
    await expect(findResubmittable(history, succeeded, options)).rejects.toMatchObject({
      code: 'RunNotFailed',
      message: 'Run ok-run succeeded; only a failed run can be resubmitted.',
    });
    await expect(findResubmittable(history, 'dead-run', options)).rejects.toMatchObject({
      code: 'RunNotFailed',
      message: 'Run dead-run is still running; only a failed run can be resubmitted.',
    });
    await expect(findResubmittable(history, 'no-run', options)).rejects.toMatchObject({ code: 'RunNotFound' });
    expect(await findResubmittable(history, 'failed-run', options)).toMatchObject({ status: 'failed' });
    now += 600_001;
    expect(await findResubmittable(history, 'dead-run', options)).toMatchObject({
      status: 'running',
      instant: started.instant,
    });
  });
});
