/**
 * Records runs and deliveries as they happen: a run's index entity and pointer when it starts (written
 * while the run goes on), its outcome, counts and duration when it ends; each delivery outcome as one
 * row in its run's partition. Every write is best effort (run-history.ts): the run's own result or
 * error is what the caller gets, whatever the history did.
 */
import { randomUUID } from 'node:crypto';
import type { Logger } from '../base/logger.js';
import { errorCodeOf } from '../base/telemetry.js';
import { POINTER_ROW_KEY, RUNS_PARTITION, indexRowKey, outcomeRowKey, runPartitionKey } from './run-keys.js';
import { writeBestEffort } from './run-history.js';
import type { RunHistory } from './run-history.js';
import { runProperties } from './run-record.js';
import type { RunCounts, RunRecord, RunTrigger } from './run-record.js';

export interface RunStart {
  /** Default: a new UUID. */
  readonly runId?: string;
  readonly trigger: RunTrigger;
  /** The run's instant; default: the history's clock. */
  readonly now?: Date;
  readonly dryRun?: boolean;
  /** The failed run this one re-runs (its id); the original then names this run as `resubmittedAs`. */
  readonly resubmittedFrom?: { readonly runId: string; readonly startedAt: string };
}

/** The run as the recorded task sees it: its id and instant are fixed before it starts. */
export interface StartedRun {
  readonly runId: string;
  readonly now: Date;
}

/**
 * Runs `task` as a recorded run: the start is written while the task runs, then the end with the
 * task's counts or its error's code and message. Returns (or throws) what the task does.
 */
export async function recordRun<T extends { readonly summary: RunCounts }>(
  history: RunHistory,
  logger: Logger,
  start: RunStart,
  task: (run: StartedRun) => Promise<T>,
): Promise<T> {
  const runId = start.runId ?? randomUUID();
  const startedAt = history.clock();
  const now = start.now ?? startedAt;
  const base: RunRecord = {
    runId,
    trigger: start.trigger,
    instant: now.toISOString(),
    startedAt: startedAt.toISOString(),
    status: 'running',
    dryRun: start.dryRun === true,
    ...(start.resubmittedFrom === undefined ? {} : { resubmittedFrom: start.resubmittedFrom.runId }),
  };
  const rowKey = indexRowKey(startedAt, runId);
  const what = `Run ${runId}`;
  const started = writeBestEffort(history, logger, what, async (abortSignal) => {
    await history.table.upsertEntity({ partitionKey: RUNS_PARTITION, rowKey, ...runProperties(base) }, 'Replace', {
      abortSignal,
    });
    await history.table.upsertEntity(
      { partitionKey: runPartitionKey(runId), rowKey: POINTER_ROW_KEY, runId, indexRowKey: rowKey },
      'Replace',
      { abortSignal },
    );
  });
  const finish = async (end: Pick<RunRecord, 'status' | 'counts' | 'failure'>): Promise<void> => {
    // The end replaces the start: it must not be overtaken by it. A start not written is not ended either.
    if (!(await started)) return;
    const endedAt = history.clock();
    const record: RunRecord = {
      ...base,
      ...end,
      endedAt: endedAt.toISOString(),
      durationMs: endedAt.getTime() - startedAt.getTime(),
    };
    await writeBestEffort(history, logger, what, (abortSignal) =>
      history.table.upsertEntity({ partitionKey: RUNS_PARTITION, rowKey, ...runProperties(record) }, 'Replace', {
        abortSignal,
      }),
    );
  };

  let result: T;
  try {
    result = await task({ runId, now });
  } catch (error) {
    await finish({ status: 'failed', failure: { code: errorCodeOf(error), message: firstMessage(error) } });
    throw error;
  }
  await finish({ status: 'succeeded', counts: result.summary });
  if (start.resubmittedFrom !== undefined) {
    await markResubmitted(history, logger, start.resubmittedFrom, runId);
  }
  return result;
}

/** How a sweep is recorded besides what it sweeps: its trigger, and the failed run it re-runs. */
export interface RecordedRunOptions {
  readonly trigger: RunTrigger;
  readonly runId?: string;
  readonly now?: Date;
  readonly dryRun?: boolean;
  readonly resubmittedFrom?: RunStart['resubmittedFrom'];
}

/**
 * A sweep as a recorded run: its id and instant are fixed before it starts (and handed to `sweep`),
 * and each reminder it emits carries the run id, so that its deliveries are counted against the run.
 */
export function recordSweep<
  Options extends RecordedRunOptions,
  Reminder extends { readonly runId?: string },
  Result extends { readonly summary: RunCounts; readonly reminders: readonly Reminder[] },
>(
  history: RunHistory,
  logger: Logger,
  options: Options,
  sweep: (options: Omit<Options, 'trigger' | 'resubmittedFrom'> & StartedRun) => Promise<Result>,
): Promise<Result> {
  const { trigger, resubmittedFrom, ...sweepOptions } = options;
  const start: RunStart = {
    trigger,
    ...(options.runId === undefined ? {} : { runId: options.runId }),
    ...(options.now === undefined ? {} : { now: options.now }),
    ...(options.dryRun === undefined ? {} : { dryRun: options.dryRun }),
    ...(resubmittedFrom === undefined ? {} : { resubmittedFrom }),
  };
  return recordRun(history, logger, start, async ({ runId, now }) => {
    const result = await sweep({ ...sweepOptions, runId, now });
    return { ...result, reminders: result.reminders.map((reminder) => ({ ...reminder, runId })) };
  });
}

/** One delivery outcome of a reminder of run `runId` (`status`: the delivery's, or `deferred` when it threw). */
export async function recordDelivery(
  history: RunHistory,
  logger: Logger,
  delivery: { readonly runId: string; readonly reminderId: string; readonly status: string; readonly code?: string },
): Promise<void> {
  const { runId, reminderId, status, code } = delivery;
  await writeBestEffort(history, logger, `Delivery of reminder ${reminderId} (${status})`, (abortSignal) =>
    history.table.upsertEntity(
      {
        partitionKey: runPartitionKey(runId),
        rowKey: outcomeRowKey(status, reminderId),
        reminderId,
        status,
        ...(code === undefined ? {} : { code }),
        at: history.clock(),
      },
      'Replace',
      { abortSignal },
    ),
  );
}

async function markResubmitted(
  history: RunHistory,
  logger: Logger,
  original: { readonly runId: string; readonly startedAt: string },
  runId: string,
): Promise<void> {
  await writeBestEffort(history, logger, `Run ${original.runId} (resubmitted as ${runId})`, (abortSignal) =>
    history.table.updateEntity(
      {
        partitionKey: RUNS_PARTITION,
        rowKey: indexRowKey(new Date(original.startedAt), original.runId),
        resubmittedAs: runId,
      },
      'Merge',
      { abortSignal },
    ),
  );
}

/** The error's own message (its causes are in the function log). */
function firstMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
