/**
 * The ledger entity of one reminder and what it means ("did you remind me?"): mapping from Table
 * entities, and the reads by reminder id and by obligation.
 */
import { odata } from '@azure/data-tables';
import { requireReminderId } from '../../reminders/reminder-id.js';
import { isRefusalRowKey, reminderKeys, encodeTableKey } from './table-keys.js';
import type { TableKeys } from './table-keys.js';
import { LedgerError, hasStatus, unavailable } from './table.js';
import type { ReminderLedger } from './table.js';

/**
 * - `claimed`: a delivery holds the reminder until `claimedUntil`.
 * - `retrying`: the last attempt failed before anything was sent; the next delivery may claim it.
 * - `ambiguous`: the last attempt may have sent the e-mail (no answer after the request left); the
 *   next delivery may claim it and sends again: the one duplicate the design allows.
 * - `deferred`: waiting, with its queue message, until `scheduledFor`: the mailbox's pace, its daily
 *   budget or a pause after a refusal (a copy of the message arriving before then leaves it alone).
 * - `sent`: Graph accepted the e-mail. Final.
 * - `failed`: Graph refused the e-mail for good (e.g. an invalid address), or it was too late. Final.
 */
export type LedgerState = 'claimed' | 'retrying' | 'ambiguous' | 'deferred' | 'sent' | 'failed';

const LEDGER_STATES: ReadonlySet<string> = new Set<LedgerState>([
  'claimed',
  'retrying',
  'ambiguous',
  'deferred',
  'sent',
  'failed',
]);

/** What the ledger knows about one reminder ("did you remind me?"). */
export interface LedgerEntry {
  readonly reminderId: string;
  readonly obligationId: string;
  readonly reference: string;
  readonly dueDate: string;
  readonly daysBefore: number;
  readonly state: LedgerState;
  /** Claims taken, i.e. delivery attempts started. */
  readonly attempts: number;
  /** Attempts whose outcome stayed unknown: each may have delivered an e-mail. */
  readonly ambiguousSends: number;
  /** Who holds or last held the claim (the invocation id). */
  readonly claimedBy?: string;
  readonly claimedUntil?: Date;
  readonly sentAt?: Date;
  readonly failedAt?: Date;
  /** Graph's request ids of the accepted sendMail, for a message trace. */
  readonly mailRequestIds?: string;
  readonly lastErrorCode?: string;
  readonly lastError?: string;
  /** `deferred`: why (`MailboxPace`, `MailboxDailyBudget`, `MailboxPaused`, …; deferral codes of delivery-outcome.ts). */
  readonly deferredFor?: string;
  /** `deferred`: when its queue message comes back. */
  readonly scheduledFor?: Date;
  /** `deferred`: `scheduledFor` is a send slot reserved in the mailbox's pace (ledger/pace.ts) for this reminder. */
  readonly slotKept?: boolean;
  /** When the entity last changed (Table storage's Timestamp). */
  readonly updatedAt?: Date;
}

/** An entry with what the claim protocol needs besides: the claim's token and the entity's ETag. */
export interface StoredEntry {
  readonly entry: LedgerEntry;
  readonly token?: string;
  readonly etag: string;
}

/** The ledger entry of one reminder, if any ("did you remind me?"). */
export async function lookupReminder(
  ledger: ReminderLedger,
  reminderId: string,
  options: { readonly abortSignal?: AbortSignal } = {},
): Promise<LedgerEntry | undefined> {
  const { obligationId } = requireReminderId(reminderId);
  await ledger.ready(options.abortSignal);
  return (await readStored(ledger, reminderKeys(obligationId, reminderId), reminderId, options.abortSignal))?.entry;
}

/** Every reminder the ledger holds for one obligation (list item), ordered by reminder id. */
export async function listObligationReminders(
  ledger: ReminderLedger,
  obligationId: string,
  options: { readonly abortSignal?: AbortSignal } = {},
): Promise<LedgerEntry[]> {
  await ledger.ready(options.abortSignal);
  const entries: LedgerEntry[] = [];
  try {
    const pages = ledger.table.listEntities({
      queryOptions: { filter: odata`PartitionKey eq ${encodeTableKey(obligationId)}` },
      abortSignal: options.abortSignal,
    });
    for await (const entity of pages) {
      // Refusals (refusals.ts) share the partition; they are not reminder entries.
      if (typeof entity.rowKey === 'string' && isRefusalRowKey(entity.rowKey)) continue;
      entries.push(toStored(entity).entry);
    }
  } catch (error) {
    throw error instanceof LedgerError
      ? error
      : unavailable(ledger.table, `list the reminders of obligation ${obligationId}`, error);
  }
  return entries.sort((a, b) => compare(a.reminderId, b.reminderId));
}

/** The stored entry under `keys`, or undefined if there is none. */
export async function readStored(
  ledger: ReminderLedger,
  keys: TableKeys,
  reminderId: string,
  abortSignal: AbortSignal | undefined,
): Promise<StoredEntry | undefined> {
  let entity: Record<string, unknown>;
  try {
    entity = await ledger.table.getEntity<Record<string, unknown>>(keys.partitionKey, keys.rowKey, { abortSignal });
  } catch (error) {
    if (hasStatus(error, 404)) return undefined;
    throw unavailable(ledger.table, `read reminder ${reminderId}`, error, reminderId);
  }
  return toStored(entity);
}

function toStored(entity: Readonly<Record<string, unknown>>): StoredEntry {
  const { reminderId, obligationId, state, etag } = entity;
  if (
    typeof reminderId !== 'string' ||
    typeof obligationId !== 'string' ||
    typeof state !== 'string' ||
    !LEDGER_STATES.has(state) ||
    typeof etag !== 'string'
  ) {
    throw new LedgerError(
      'LedgerEntryInvalid',
      `Ledger entity ${String(entity.partitionKey)}/${String(entity.rowKey)} is not a reminder ledger entry.`,
    );
  }
  const text = (name: string): string | undefined => (typeof entity[name] === 'string' ? entity[name] : undefined);
  const count = (name: string): number => (typeof entity[name] === 'number' ? entity[name] : 0);
  const instant = (name: string): Date | undefined => {
    const value = entity[name];
    if (value instanceof Date) return value;
    return typeof value === 'string' && !Number.isNaN(Date.parse(value)) ? new Date(value) : undefined;
  };
  const entry: LedgerEntry = {
    reminderId,
    obligationId,
    reference: text('reference') ?? '',
    dueDate: text('dueDate') ?? '',
    daysBefore: count('daysBefore'),
    state: state as LedgerState,
    attempts: count('attempts'),
    ambiguousSends: count('ambiguousSends'),
    ...optional('claimedBy', text('claimedBy')),
    ...optional('claimedUntil', instant('claimedUntil')),
    ...optional('sentAt', instant('sentAt')),
    ...optional('failedAt', instant('failedAt')),
    ...optional('mailRequestIds', text('mailRequestIds')),
    ...optional('lastErrorCode', text('lastErrorCode')),
    ...optional('lastError', text('lastError')),
    ...optional('deferredFor', text('deferredFor')),
    ...optional('scheduledFor', instant('scheduledFor')),
    ...optional('slotKept', typeof entity.slotKept === 'boolean' ? entity.slotKept : undefined),
    ...optional('updatedAt', instant('timestamp')),
  };
  const token = text('claimToken');
  return token === undefined ? { entry, etag } : { entry, etag, token };
}

function optional<K extends string, V>(key: K, value: V | undefined): Partial<Record<K, V>> {
  return value === undefined ? {} : ({ [key]: value } as Record<K, V>);
}

function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
