/**
 * Retention of the run history (RUN_HISTORY_RETENTION_DAYS): runs that started before the retention
 * window are deleted, a bounded number at a time (each timer run prunes a few, so the work per run stays
 * small and an old backlog goes down over a few runs). A run's own partition (its deliveries, its
 * pointer) goes first, in batches, then its index entity: a prune cut short is finished by the next one.
 */
import { odata } from '@azure/data-tables';
import type { TransactionAction } from '@azure/data-tables';
import type { Logger } from '../base/logger.js';
import { RUNS_PARTITION, indexRowKeyBefore, runPartitionKey } from './run-keys.js';
import { writeBestEffort } from './run-history.js';
import type { RunHistory } from './run-history.js';

/** Runs deleted by one prune at most. */
export const MAX_RUNS_PRUNED = 20;
/** Table storage's limit of operations in one batch (entity group transaction). */
const BATCH_SIZE = 100;
const DAY_MS = 86_400_000;

export interface PruneOptions {
  readonly retentionDays: number;
  /** Default: the history's clock. */
  readonly now?: Date;
  readonly maxRuns?: number;
}

/** Deletes up to `maxRuns` runs older than the retention; returns how many (a failure is logged, and counted). */
export async function pruneRuns(history: RunHistory, logger: Logger, options: PruneOptions): Promise<number> {
  const now = options.now ?? history.clock();
  const cutoff = new Date(now.getTime() - options.retentionDays * DAY_MS);
  const maxRuns = options.maxRuns ?? MAX_RUNS_PRUNED;
  let pruned = 0;
  await writeBestEffort(
    history,
    logger,
    `Pruning runs older than ${options.retentionDays} days`,
    async (abortSignal) => {
      const expired: { rowKey: string; runId: string }[] = [];
      const pages = history.table
        .listEntities<Record<string, unknown>>({
          queryOptions: {
            filter: odata`PartitionKey eq ${RUNS_PARTITION} and RowKey gt ${indexRowKeyBefore(cutoff)}`,
            select: ['RowKey', 'runId'],
          },
          abortSignal,
        })
        .byPage({ maxPageSize: maxRuns });
      for await (const page of pages) {
        for (const entity of page) {
          if (typeof entity.rowKey === 'string' && typeof entity.runId === 'string')
            expired.push({ rowKey: entity.rowKey, runId: entity.runId });
        }
        break; // One page: the work per prune is bounded.
      }
      for (const { rowKey, runId } of expired.slice(0, maxRuns)) {
        await deletePartition(history, runPartitionKey(runId), abortSignal);
        await history.table.deleteEntity(RUNS_PARTITION, rowKey, { abortSignal });
        pruned += 1;
      }
    },
  );
  return pruned;
}

async function deletePartition(history: RunHistory, partitionKey: string, abortSignal: AbortSignal): Promise<void> {
  const rowKeys: string[] = [];
  const query = history.table.listEntities<Record<string, unknown>>({
    queryOptions: { filter: odata`PartitionKey eq ${partitionKey}`, select: ['RowKey'] },
    abortSignal,
  });
  for await (const entity of query) {
    if (typeof entity.rowKey === 'string') rowKeys.push(entity.rowKey);
  }
  for (let start = 0; start < rowKeys.length; start += BATCH_SIZE) {
    const actions: TransactionAction[] = rowKeys
      .slice(start, start + BATCH_SIZE)
      .map((rowKey) => ['delete', { partitionKey, rowKey }]);
    await history.table.submitTransaction(actions, { abortSignal });
  }
}
