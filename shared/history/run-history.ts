/**
 * The run history's table and its errors. Writing is best effort: a run or a delivery never fails
 * because its history could not be written; the write is logged (one line) and counted instead.
 * Reading (the HTTP functions, `npm run runs`) reports an unreachable table as HistoryUnavailable.
 */
import { isRestError } from '@azure/core-rest-pipeline';
import type { TableClient } from '@azure/data-tables';
import { DueNotifierError, describeError } from '../base/errors.js';
import type { Logger } from '../base/logger.js';
import { recordHistoryWriteFailure } from '../base/telemetry.js';
import { historyMessage } from './run-record.js';

export interface RunHistory {
  readonly table: TableClient;
  /** How long one request to the table may take. */
  readonly timeoutMs: number;
  /** Creates the table on first use (once; tried again after a failure). */
  ready(abortSignal?: AbortSignal): Promise<void>;
  /** History writes that failed (logged, not thrown) since this history was created. */
  readonly writeFailures: number;
  /** Counts a failed write (see {@link writeBestEffort}). */
  countWriteFailure(): void;
  /** Source of "now" for start and end times; default: the system clock. */
  readonly clock: () => Date;
}

export interface RunHistoryOptions {
  readonly timeoutMs: number;
  readonly clock?: () => Date;
}

export function createRunHistory(table: TableClient, options: RunHistoryOptions): RunHistory {
  let creating: Promise<void> | undefined;
  let writeFailures = 0;
  return {
    table,
    timeoutMs: options.timeoutMs,
    clock: options.clock ?? (() => new Date()),
    ready(abortSignal) {
      creating ??= table
        .createTable({ abortSignal: withTimeout(options.timeoutMs, abortSignal) })
        .catch((error: unknown) => {
          creating = undefined;
          throw unavailable(table, 'create the run history table', error);
        });
      return creating;
    },
    get writeFailures() {
      return writeFailures;
    },
    countWriteFailure() {
      writeFailures += 1;
    },
  };
}

export type HistoryErrorCode =
  /** Table storage could not be reached or refused the request. */
  | 'HistoryUnavailable'
  /** No run with this id in the history (never recorded, or pruned). */
  | 'RunNotFound'
  /** Only a failed run can be resubmitted. */
  | 'RunNotFailed'
  /** A paging cursor that is not a page's `next`. */
  | 'InvalidCursor';

export class HistoryError extends DueNotifierError<HistoryErrorCode> {}

/** A failed Table storage request as HistoryUnavailable, naming the table but never the connection. */
export function unavailable(table: TableClient, action: string, error: unknown): HistoryError {
  const status = isRestError(error) && error.statusCode !== undefined ? ` (HTTP ${error.statusCode})` : '';
  return new HistoryError(
    'HistoryUnavailable',
    `Could not ${action} in run history table '${table.tableName}'${status}. Check the AzureWebJobsStorage connection and, with an identity-based connection, that the app's identity has the Storage Table Data Contributor role.`,
    { cause: error },
  );
}

/**
 * Runs a history write; a failure is logged as one line naming what was not recorded, counted on the
 * history and in telemetry, and swallowed. Returns whether the write succeeded.
 */
export async function writeBestEffort(
  history: RunHistory,
  logger: Logger,
  what: string,
  write: (abortSignal: AbortSignal) => Promise<unknown>,
): Promise<boolean> {
  try {
    await history.ready();
    await write(AbortSignal.timeout(history.timeoutMs));
    return true;
  } catch (error) {
    history.countWriteFailure();
    recordHistoryWriteFailure(error instanceof DueNotifierError ? error.code : 'HistoryUnavailable');
    logger.warn(
      `${what} not recorded in run history table '${history.table.tableName}': ${historyMessage(describeError(rootCause(error)))}`,
    );
    return false;
  }
}

/** Runs a history read; a Table storage failure becomes HistoryUnavailable. */
export async function readHistory<T>(
  history: RunHistory,
  action: string,
  read: (abortSignal: AbortSignal) => Promise<T>,
  options: { readonly abortSignal?: AbortSignal } = {},
): Promise<T> {
  await history.ready(options.abortSignal);
  try {
    return await read(withTimeout(history.timeoutMs, options.abortSignal));
  } catch (error) {
    throw error instanceof HistoryError ? error : unavailable(history.table, action, error);
  }
}

function withTimeout(timeoutMs: number, abortSignal: AbortSignal | undefined): AbortSignal {
  const timeout = AbortSignal.timeout(timeoutMs);
  return abortSignal ? AbortSignal.any([abortSignal, timeout]) : timeout;
}

/** The innermost cause: what actually went wrong (ECONNREFUSED, a 403), without the wrappers' advice. */
function rootCause(error: unknown): unknown {
  let current = error;
  for (let depth = 0; depth < 5 && current instanceof Error && current.cause !== undefined; depth += 1) {
    current = current.cause;
  }
  return current;
}
