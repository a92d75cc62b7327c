/**
 * Whether a reminder message still stands against the list item it names, read again at delivery: the
 * item exists, is open and eligible by the same rules as the sweep's, its address, amount, currency and
 * due date are the message's, and the reminder is the one the rules make due now. Pure.
 *
 * A confirmed reminder is rebuilt from the list's values (name, reference, language: cleaned as the
 * sweep cleans them), so that the e-mail carries no text of the message's own. A refusal names why
 * with a code that never contains a customer's value (an address least of all).
 */
import { parseIsoInstant } from './calendar.js';
import { dueReminderDay, readObligation, reminderMessageOf } from './rules.js';
import type { ListItem, ReminderMessage, ReminderRules, SkipReason } from './rules.js';

/** Values a message must share with its list item, in the order a refusal lists them. */
export const CHECKED_FIELDS = Object.freeze(['dueDate', 'email', 'amount', 'currency'] as const);
export type CheckedField = (typeof CHECKED_FIELDS)[number];

/** How far ahead of this clock another instance's clock may run: a message written later than that is no sweep's. */
export const CLOCK_SKEW_TOLERANCE_MS = 5 * 60_000;

/**
 * Why a reminder is not sent:
 * - `itemGone`: no such item in the list's due window (deleted, its due date moved far, or never there);
 * - `itemClosed` / `itemStatusUnknown`: its status is closed, or neither open nor known to be closed;
 * - `ineligible:<skip reason>`: the sweep would now skip the item for that reason (e.g. `invalidEmail`);
 * - `changed:<fields>`: the message's due date, address, amount or currency is not the list's
 *   (`changed:amount`, `changed:email,currency`);
 * - `notDue`: the values match, but the rules make another reminder day due now (or none);
 * - `createdInFuture`: the message claims to be written later than now: no sweep wrote it.
 */
export type RefusalReason =
  | 'itemGone'
  | 'itemClosed'
  | 'itemStatusUnknown'
  | `ineligible:${Exclude<SkipReason, 'statusClosed' | 'statusUnknown'>}`
  | `changed:${string}`
  | 'notDue'
  | 'createdInFuture';

export type ReminderCheck =
  /** The reminder to send: the message's id, the list's values. */
  | { readonly kind: 'confirmed'; readonly reminder: ReminderMessage }
  | { readonly kind: 'refused'; readonly reason: RefusalReason };

/** Checks `message` against `item` (undefined: not in the list's due window) at instant `now`. */
export function checkReminder(
  message: ReminderMessage,
  item: ListItem | undefined,
  rules: ReminderRules,
  now: Date,
): ReminderCheck {
  if (isCreatedInFuture(message, now)) return refused('createdInFuture');
  if (item === undefined || item.id !== message.obligationId) return refused('itemGone');
  const reading = readObligation(item, rules, now);
  if (reading.kind === 'skip') {
    const { reason } = reading;
    if (reason === 'statusClosed') return refused('itemClosed');
    if (reason === 'statusUnknown') return refused('itemStatusUnknown');
    return refused(`ineligible:${reason}`);
  }
  const { obligation } = reading;
  const listValues: Readonly<Record<CheckedField, string>> = {
    dueDate: obligation.dueDate,
    email: obligation.customer.email,
    amount: obligation.amount,
    currency: obligation.currency,
  };
  const messageValues: Readonly<Record<CheckedField, string>> = {
    dueDate: message.dueDate,
    email: message.customer.email,
    amount: message.amount,
    currency: message.currency,
  };
  const changed = CHECKED_FIELDS.filter((field) => listValues[field] !== messageValues[field]);
  if (changed.length > 0) return refused(`changed:${changed.join(',')}`);
  if (dueReminderDay(obligation.daysLeft, rules) !== message.daysBefore) return refused('notDue');
  return {
    kind: 'confirmed',
    reminder: { ...reminderMessageOf(obligation, message.daysBefore, now), createdAt: message.createdAt },
  };
}

/** Whether `message` claims to be written after `now` (beyond {@link CLOCK_SKEW_TOLERANCE_MS}): no sweep wrote it. */
export function isCreatedInFuture(message: ReminderMessage, now: Date): boolean {
  const createdAt = parseIsoInstant(message.createdAt);
  return createdAt === undefined || createdAt.getTime() > now.getTime() + CLOCK_SKEW_TOLERANCE_MS;
}

function refused(reason: RefusalReason): ReminderCheck {
  return { kind: 'refused', reason };
}
