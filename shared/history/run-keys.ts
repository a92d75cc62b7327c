/**
 * Table keys of the run history. Each run has an index entity in one partition, `runs`, whose RowKey
 * starts with the run's start inverted (newest first, as Table storage returns a partition in RowKey
 * order) and a partition of its own, `run:{runId}`, holding a pointer to its index entity and one
 * entity per delivery outcome of its reminders, so that deliveries write without contention (one row
 * per outcome, never a read-modify-write) and a run's deliveries are one partition query.
 */
import { encodeTableKey } from '../clients/table-storage.js';
import { isRunId } from '../reminders/reminder-message.js';

export { isRunId };

/** The partition of the index entities: one per run. */
export const RUNS_PARTITION = 'runs';
/** RowKey of the pointer entity in a run's own partition. */
export const POINTER_ROW_KEY = 'run';
const OUTCOME_PREFIX = 'outcome:';
/** Milliseconds in an inverted key: 13 digits reach the year 2286. */
const KEY_DIGITS = 13;
const LATEST_INSTANT_MS = 10 ** KEY_DIGITS - 1;

/** RowKey of a run's index entity: its start inverted, then its id (two runs may start in the same millisecond). */
export function indexRowKey(startedAt: Date, runId: string): string {
  return `${invertedInstant(startedAt)}_${runId}`;
}

/** The smallest index RowKey of runs that started before `instant`: they sort after it. */
export function indexRowKeyBefore(instant: Date): string {
  return `${invertedInstant(instant)}_~`;
}

/** Whether `value` has the shape of an index RowKey (a paging cursor must). */
export function isIndexRowKey(value: string): boolean {
  const separator = value.indexOf('_');
  return separator === KEY_DIGITS && /^\d+$/.test(value.slice(0, KEY_DIGITS)) && isRunId(value.slice(KEY_DIGITS + 1));
}

export function runPartitionKey(runId: string): string {
  return `run:${runId}`;
}

/** RowKey of a delivery outcome: one row per outcome and reminder, so a retried write is the same row. */
export function outcomeRowKey(status: string, reminderId: string): string {
  return `${OUTCOME_PREFIX}${encodeTableKey(status)}:${encodeTableKey(reminderId)}`;
}

export function isOutcomeRowKey(rowKey: string): boolean {
  return rowKey.startsWith(OUTCOME_PREFIX);
}

function invertedInstant(instant: Date): string {
  return String(LATEST_INSTANT_MS - instant.getTime()).padStart(KEY_DIGITS, '0');
}
