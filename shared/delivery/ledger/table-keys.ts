/**
 * Table keys of the ledger. A reminder's entity: PartitionKey = obligation id, RowKey = reminder id, each
 * with the characters Table storage forbids in keys percent-encoded ({@link encodeTableKey}); the plain
 * ids are kept as properties too. A refused reminder's record sits beside it ({@link refusalKeys}). The index of sent reminders has one partition per due date
 * ({@link sentIndexPartitionKey}).
 */
import { encodeTableKey } from '../../clients/table-storage.js';

export { encodeTableKey };

export interface TableKeys {
  readonly partitionKey: string;
  readonly rowKey: string;
}

/** The keys of a reminder's ledger entity. */
export function reminderKeys(obligationId: string, reminderId: string): TableKeys {
  return { partitionKey: encodeTableKey(obligationId), rowKey: encodeTableKey(reminderId) };
}

const REFUSAL_PREFIX = '%refused:';

/**
 * The keys of a reminder's refusal entity (refusals.ts): in the obligation's partition, beside the
 * reminder's entity. Its RowKey can never be a reminder's: `%` followed by `r` never occurs in an encoded id.
 */
export function refusalKeys(obligationId: string, reminderId: string): TableKeys {
  return { partitionKey: encodeTableKey(obligationId), rowKey: `${REFUSAL_PREFIX}${encodeTableKey(reminderId)}` };
}

/** Whether a RowKey in an obligation's partition is a refusal's, not a reminder's. */
export function isRefusalRowKey(rowKey: string): boolean {
  return rowKey.startsWith(REFUSAL_PREFIX);
}

const SENT_INDEX_PREFIX = '%sent:';

/**
 * PartitionKey of the index entities of reminders sent for `dueDate`. It can never equal an obligation's
 * PartitionKey: {@link encodeTableKey} turns every `%` into `%25` and writes `%` only before two hex
 * digits, and this key has a `%` followed by `s`.
 */
export function sentIndexPartitionKey(dueDate: string): string {
  return `${SENT_INDEX_PREFIX}${dueDate}`;
}
