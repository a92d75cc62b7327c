/**
 * Reads the run history: recent runs newest first (a page at a time, optionally only those with one
 * status), one run with its deliveries, and the failed run a resubmit re-runs.
 */
import { odata } from '@azure/data-tables';
import { forEachConcurrently } from '../base/concurrently.js';
import { hasStatus } from '../clients/table-storage.js';
import { RUNS_PARTITION, POINTER_ROW_KEY, isIndexRowKey, isOutcomeRowKey, runPartitionKey } from './run-keys.js';
import { HistoryError, readHistory } from './run-history.js';
import type { RunHistory } from './run-history.js';
import { DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE, countDeliveries, deliveryFromEntity, runFromEntity } from './run-record.js';
import type { DeliveryCounts, DeliveryRecord, RunRecord, RunStatus } from './run-record.js';

/** Deliveries of a run listed one by one in its details (the counts cover them all). */
export const MAX_LISTED_DELIVERIES = 100;
/** Runs whose deliveries are counted at once when a page is listed. */
const COUNT_CONCURRENCY = 8;

/** A run with the deliveries of its reminders counted. */
export interface RunWithDeliveries extends RunRecord {
  readonly deliveries: DeliveryCounts;
}

/** One run in full: the failed and deferred deliveries listed too (at most {@link MAX_LISTED_DELIVERIES}). */
export interface RunDetails extends RunWithDeliveries {
  readonly problems: readonly DeliveryRecord[];
}

export interface RunPage {
  readonly runs: readonly RunWithDeliveries[];
  /** Cursor of the next page (the last run's index key), when there may be more. */
  readonly next?: string;
}

export interface ListRunsOptions {
  readonly limit?: number;
  readonly status?: RunStatus;
  /** A page's `next`: lists the runs after it. */
  readonly after?: string;
  readonly abortSignal?: AbortSignal;
}

/** Recent runs, newest first; a cursor (`after`) that is not a page's `next` is InvalidCursor. */
export async function listRuns(history: RunHistory, options: ListRunsOptions = {}): Promise<RunPage> {
  if (options.after !== undefined && !isIndexRowKey(options.after)) {
    throw new HistoryError('InvalidCursor', 'after must be the `next` of a page of runs.');
  }
  const limit = Math.min(Math.max(options.limit ?? DEFAULT_PAGE_SIZE, 1), MAX_PAGE_SIZE);
  const filter = [
    odata`PartitionKey eq ${RUNS_PARTITION}`,
    ...(options.after === undefined ? [] : [odata`RowKey gt ${options.after}`]),
    ...(options.status === undefined ? [] : [odata`status eq ${options.status}`]),
  ].join(' and ');
  const found = await readHistory(
    history,
    'list runs',
    async (abortSignal) => {
      const entities: { rowKey: string; run: RunRecord }[] = [];
      const pages = history.table
        .listEntities<Record<string, unknown>>({ queryOptions: { filter }, abortSignal })
        .byPage({ maxPageSize: limit });
      for await (const page of pages) {
        for (const entity of page) {
          const run = runFromEntity(entity);
          if (run !== undefined && typeof entity.rowKey === 'string') entities.push({ rowKey: entity.rowKey, run });
          if (entities.length === limit) return { entities, full: true };
        }
      }
      return { entities, full: false };
    },
    options,
  );
  const runs = await withDeliveryCounts(
    history,
    found.entities.map((entry) => entry.run),
    options.abortSignal,
  );
  const last = found.entities.at(-1);
  return found.full && last !== undefined ? { runs, next: last.rowKey } : { runs };
}

/** One run and its deliveries; undefined when the history has no run with this id. */
export async function getRun(
  history: RunHistory,
  runId: string,
  options: { readonly abortSignal?: AbortSignal } = {},
): Promise<RunDetails | undefined> {
  const partition = await readPartition(history, runId, options.abortSignal);
  const pointer = partition.find((entity) => entity.rowKey === POINTER_ROW_KEY);
  if (pointer === undefined || typeof pointer.indexRowKey !== 'string') return undefined;
  const { indexRowKey } = pointer;
  const entity = await readHistory(
    history,
    `read run ${runId}`,
    async (abortSignal) => {
      try {
        return await history.table.getEntity<Record<string, unknown>>(RUNS_PARTITION, indexRowKey, { abortSignal });
      } catch (error) {
        if (hasStatus(error, 404)) return undefined;
        throw error;
      }
    },
    options,
  );
  const run = entity === undefined ? undefined : runFromEntity(entity);
  if (run === undefined) return undefined;
  const deliveries = deliveriesOf(partition);
  const problems = deliveries
    .filter((delivery) => delivery.code !== undefined)
    .sort((a, b) => (a.reminderId < b.reminderId ? -1 : a.reminderId > b.reminderId ? 1 : 0))
    .slice(0, MAX_LISTED_DELIVERIES);
  return { ...run, deliveries: countDeliveries(deliveries), problems };
}

/**
 * The run a resubmit re-runs: it must exist (RunNotFound) and have failed (RunNotFailed), or still read
 * `running` more than `abandonedAfterMs` after it started: its process died before it recorded its end.
 */
export async function findResubmittable(
  history: RunHistory,
  runId: string,
  options: { readonly abandonedAfterMs: number; readonly abortSignal?: AbortSignal },
): Promise<RunDetails> {
  const run = await getRun(history, runId, options.abortSignal ? { abortSignal: options.abortSignal } : {});
  if (run === undefined) {
    throw new HistoryError(
      'RunNotFound',
      `The run history has no run ${runId} (never recorded, or older than its retention).`,
    );
  }
  const abandoned =
    run.status === 'running' && history.clock().getTime() - Date.parse(run.startedAt) > options.abandonedAfterMs;
  if (run.status !== 'failed' && !abandoned) {
    const state = run.status === 'running' ? 'is still running' : 'succeeded';
    throw new HistoryError('RunNotFailed', `Run ${runId} ${state}; only a failed run can be resubmitted.`);
  }
  return run;
}

async function withDeliveryCounts(
  history: RunHistory,
  runs: readonly RunRecord[],
  abortSignal: AbortSignal | undefined,
): Promise<RunWithDeliveries[]> {
  const counted = new Map<string, DeliveryCounts>();
  await forEachConcurrently(
    runs,
    async (run, signal) => {
      counted.set(run.runId, countDeliveries(deliveriesOf(await readPartition(history, run.runId, signal))));
    },
    { concurrency: COUNT_CONCURRENCY, ...(abortSignal ? { abortSignal } : {}) },
  );
  return runs.map((run) => ({ ...run, deliveries: counted.get(run.runId) ?? { byStatus: {}, byCode: {} } }));
}

/** Every entity of a run's own partition: its pointer and its delivery outcomes. */
async function readPartition(
  history: RunHistory,
  runId: string,
  abortSignal: AbortSignal | undefined,
): Promise<Record<string, unknown>[]> {
  return readHistory(
    history,
    `read the deliveries of run ${runId}`,
    async (signal) => {
      const entities: Record<string, unknown>[] = [];
      const query = history.table.listEntities<Record<string, unknown>>({
        queryOptions: { filter: odata`PartitionKey eq ${runPartitionKey(runId)}` },
        abortSignal: signal,
      });
      for await (const entity of query) entities.push(entity);
      return entities;
    },
    abortSignal ? { abortSignal } : {},
  );
}

function deliveriesOf(partition: readonly Record<string, unknown>[]): DeliveryRecord[] {
  return partition
    .filter((entity) => typeof entity.rowKey === 'string' && isOutcomeRowKey(entity.rowKey))
    .map(deliveryFromEntity)
    .filter((delivery): delivery is DeliveryRecord => delivery !== undefined);
}
