/**
 * The index of sent reminders by due date, in the ledger's table: one partition per due date
 * ({@link sentIndexPartitionKey}), so that the sweep checks its candidates with one query per due date
 * rather than one per obligation. The reminder's own entity stays the truth; a missing index entity only
 * makes the sweep emit the reminder again, and delivery skips it as sent.
 */
import { odata } from '@azure/data-tables';
import { forEachConcurrently } from '../../base/concurrently.js';
import { parseReminderId, requireReminderId } from '../../reminders/reminder-id.js';
import type { ReminderMessage } from '../../reminders/rules.js';
import { encodeTableKey, sentIndexPartitionKey } from './table-keys.js';
import { unavailable } from './table.js';
import type { ReminderLedger } from './table.js';

/** Partition queries in flight at once when the sweep checks the ledger. */
export const DEFAULT_LOOKUP_CONCURRENCY = 8;

/** Writes (idempotently: an upsert) the index entity of a reminder the ledger records as sent. */
export async function indexSentReminder(
  ledger: ReminderLedger,
  sent: { readonly reminderId: string; readonly obligationId: string; readonly sentAt: Date },
  options: { readonly abortSignal?: AbortSignal } = {},
): Promise<void> {
  const { dueDate } = requireReminderId(sent.reminderId);
  try {
    await ledger.table.upsertEntity(
      {
        partitionKey: sentIndexPartitionKey(dueDate),
        rowKey: encodeTableKey(sent.reminderId),
        reminderId: sent.reminderId,
        obligationId: sent.obligationId,
        sentAt: sent.sentAt,
      },
      'Replace',
      { abortSignal: options.abortSignal },
    );
  } catch (error) {
    throw unavailable(ledger.table, `index sent reminder ${sent.reminderId}`, error, sent.reminderId);
  }
}

/**
 * Which of `reminders` the ledger records as sent, from the index by due date: one partition query per
 * distinct due date, a few at a time (a query naming several partitions would scan the table). Ids not
 * of the reminder form are never indexed, hence never found.
 */
export async function findSentReminderIds(
  ledger: ReminderLedger,
  reminders: readonly Pick<ReminderMessage, 'id' | 'obligationId'>[],
  options: { readonly concurrency?: number; readonly abortSignal?: AbortSignal } = {},
): Promise<ReadonlySet<string>> {
  const wanted = new Map<string, Set<string>>();
  for (const { id } of reminders) {
    const dueDate = parseReminderId(id)?.dueDate;
    if (dueDate === undefined) continue;
    const ids = wanted.get(dueDate) ?? new Set<string>();
    ids.add(id);
    wanted.set(dueDate, ids);
  }
  const sent = new Set<string>();
  if (wanted.size === 0) {
    return sent;
  }
  await ledger.ready(options.abortSignal);
  await forEachConcurrently(
    wanted,
    async ([dueDate, ids], abortSignal) => {
      try {
        const pages = ledger.table.listEntities<Record<string, unknown>>({
          queryOptions: { filter: odata`PartitionKey eq ${sentIndexPartitionKey(dueDate)}`, select: ['reminderId'] },
          abortSignal,
        });
        for await (const entity of pages) {
          if (typeof entity.reminderId === 'string' && ids.has(entity.reminderId)) {
            sent.add(entity.reminderId);
          }
        }
      } catch (error) {
        throw unavailable(ledger.table, `look up the reminders sent for due date ${dueDate}`, error);
      }
    },
    { concurrency: options.concurrency ?? DEFAULT_LOOKUP_CONCURRENCY, abortSignal: options.abortSignal },
  );
  return sent;
}
