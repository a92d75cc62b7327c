/**
 * Reminders delivery refused to send because the obligations list did not confirm them (verify before
 * send): one entity per reminder id beside the reminder's own ledger entity, in the obligation's
 * partition, with the last reason. A refusal never touches the reminder's entity: a forged message that
 * reuses a real reminder's id must neither settle it nor disturb the claim of the delivery sending it.
 */
import { requireReminderId } from '../../reminders/reminder-id.js';
import { refusalKeys } from './table-keys.js';
import { hasStatus, unavailable } from './table.js';
import type { ReminderLedger } from './table.js';

/** The last refusal of one reminder id ("why was it not sent?"). */
export interface LedgerRefusal {
  readonly reminderId: string;
  readonly obligationId: string;
  /** A reason code of shared/reminders/reminder-check.ts, e.g. `itemClosed`, `changed:amount`; never a value. */
  readonly reason: string;
  readonly refusedAt: Date;
  /** The delivery (invocation id) that refused it. */
  readonly refusedBy: string;
}

/** Records (an upsert: the last reason wins) that a reminder was not sent, and why. */
export async function recordRefusal(
  ledger: ReminderLedger,
  refusal: LedgerRefusal,
  options: { readonly abortSignal?: AbortSignal } = {},
): Promise<void> {
  await ledger.ready(options.abortSignal);
  try {
    await ledger.table.upsertEntity(
      { ...refusalKeys(refusal.obligationId, refusal.reminderId), ...refusal },
      'Replace',
      { abortSignal: options.abortSignal },
    );
  } catch (error) {
    throw unavailable(ledger.table, `record why reminder ${refusal.reminderId} was not sent`, error);
  }
}

/** The last refusal of `reminderId`, if delivery ever refused it. */
export async function lookupRefusal(
  ledger: ReminderLedger,
  reminderId: string,
  options: { readonly abortSignal?: AbortSignal } = {},
): Promise<LedgerRefusal | undefined> {
  const { obligationId } = requireReminderId(reminderId);
  await ledger.ready(options.abortSignal);
  const keys = refusalKeys(obligationId, reminderId);
  let entity: Record<string, unknown>;
  try {
    entity = await ledger.table.getEntity(keys.partitionKey, keys.rowKey, { abortSignal: options.abortSignal });
  } catch (error) {
    if (hasStatus(error, 404)) return undefined;
    throw unavailable(ledger.table, `read why reminder ${reminderId} was not sent`, error);
  }
  const { reason, refusedAt, refusedBy } = entity;
  return {
    reminderId,
    obligationId,
    reason: typeof reason === 'string' ? reason : '',
    refusedAt: refusedAt instanceof Date ? refusedAt : new Date(String(refusedAt)),
    refusedBy: typeof refusedBy === 'string' ? refusedBy : '',
  };
}
