/**
 * The reminder rules: which list items get a reminder today, and the queue message for each. Pure:
 * no I/O, no clock (the run's instant is passed in), no logging.
 *
 * D is the calendar date of an item's due date in the rules' time zone, T the date there at the
 * run's instant. An item is eligible when its status is open (status.ts), it has a valid e-mail
 * address, a due date with D ≥ T, a known currency, a valid amount not below the minimum and reasonably
 * short texts; its language, when the list gives a valid one, goes into the message. For each k in `reminderDays`
 * the reminder is due on D − k; it is a candidate when T − catchUpDays ≤ D − k ≤ T, and an item gets
 * the candidate with the smallest k (at most one reminder per item per run).
 */

import { isPlausibleEmailAddress } from './email-address.js';
import { addDays, calendarDateIn, daysBetween, isCalendarDate, parseIsoInstant, startOfDayIn } from './calendar.js';
import { canonicalLanguageTag } from './language.js';
import { currencyMinorUnits, formatDecimalAmount, isBelowMinimum, normalizeCurrencyCode } from './money.js';
import type { MinimumAmount } from './money.js';
import { plainText } from './plain-text.js';
import { formatReminderId } from './reminder-id.js';
import { statusKind } from './status.js';
import type { StatusLists } from './status.js';

/** Internal names of the SharePoint list columns the daemon reads. */
export interface ListColumns {
  readonly reference: string;
  readonly customerName: string;
  readonly customerEmail: string;
  readonly dueDate: string;
  readonly amountDue: string;
  readonly currency: string;
  readonly status: string;
  /** Optional column: the customer's language, a BCP 47 tag. */
  readonly language: string;
}

/** Versioned name of the message format; consumers dispatch on it. */
export const REMINDER_MESSAGE_SCHEMA = 'due-notifier.reminder/v1';

/**
 * Longest reference or customer name (after control characters are stripped) that a message carries,
 * which keeps every message far below the 64 KiB queue message limit, even base64-encoded.
 */
export const MAX_TEXT_FIELD_LENGTH = 1000;

/** A SharePoint list item as Graph returns it: the item id and its `fields`. */
export interface ListItem {
  readonly id: string;
  readonly fields: Readonly<Record<string, unknown>>;
}

/** One reminder: the JSON body of one queue message. */
export interface ReminderMessage {
  readonly schema: typeof REMINDER_MESSAGE_SCHEMA;
  /** `{obligationId}:{dueDate}:{daysBefore}` (reminder-id.ts): the same reminder always gets the same id (idempotency key). */
  readonly id: string;
  /** The list item id. */
  readonly obligationId: string;
  readonly reference: string;
  readonly customer: { readonly name: string; readonly email: string };
  /** D, `YYYY-MM-DD`. */
  readonly dueDate: string;
  /** k: the reminder day this message stands for. */
  readonly daysBefore: number;
  /** D − T: 0 on the due date; smaller than `daysBefore` when a missed reminder is caught up. */
  readonly daysLeft: number;
  /** Decimal string with the currency's minor units, e.g. `"1234.50"`, `"1500"` (JPY). */
  readonly amount: string;
  /** ISO 4217 code, upper case. */
  readonly currency: string;
  /** The run's instant, ISO 8601. */
  readonly createdAt: string;
  /** The customer's language from the list, a canonical BCP 47 tag (`de`, `fr-CH`); absent when the list gives none. */
  readonly language?: string;
  /** The run that emitted this message (its id in the run history), so that its delivery is counted against it; absent in older messages. */
  readonly runId?: string;
}

/** Every skip reason, in the order the checks run (and summaries list them). */
export const SKIP_REASONS = Object.freeze([
  'statusClosed',
  'statusUnknown',
  'missingDueDate',
  'invalidDueDate',
  'pastDue',
  'missingEmail',
  'invalidEmail',
  'invalidCurrency',
  'invalidAmount',
  'amountBelowMinimum',
  'fieldTooLong',
] as const);

/**
 * Why an item gets no reminder, in the order the checks run (an item is counted under the first):
 * - `statusClosed`: Status is a known closing word (`statuses.closed`), and not open.
 * - `statusUnknown`: Status is neither open nor known to be closed: a typo or a new word to list.
 * - `missingDueDate`: no due date.
 * - `invalidDueDate`: the due date is neither an ISO 8601 instant with offset nor a `YYYY-MM-DD` date.
 * - `pastDue`: D is before T.
 * - `missingEmail`: no customer e-mail address.
 * - `invalidEmail`: the address is not plausible (one @, a local part without spaces or `<>`, a
 *   domain with a dot, at most 254 characters).
 * - `invalidCurrency`: not an ISO 4217 code that Intl knows.
 * - `invalidAmount`: missing, negative, not a number, or not below 10^15.
 * - `amountBelowMinimum`: rounds to zero in the currency's minor units, or is below `minimumAmount`.
 * - `fieldTooLong`: the reference or the customer name exceeds `MAX_TEXT_FIELD_LENGTH`.
 */
export type SkipReason = (typeof SKIP_REASONS)[number];

export interface ReminderRules {
  /** Days before the due date on which reminders are due (each ≥ 0). */
  readonly reminderDays: readonly number[];
  /** IANA zone in which due dates are calendar dates. */
  readonly timeZone: string;
  /** How many days back a run makes up for reminders that missed runs should have sent. */
  readonly catchUpDays: number;
  readonly columns: ListColumns;
  /** Open and known closed statuses, as `statusListEntry` writes them (status.ts). */
  readonly statuses: StatusLists;
  readonly minimumAmount: MinimumAmount;
}

/** `languageIgnored`: the list's Language is not a BCP 47 tag of a known language, so the message has none. */
export type ReminderDecision =
  | { readonly kind: 'remind'; readonly message: ReminderMessage; readonly languageIgnored?: true }
  /** Eligible, but none of its reminder days falls within the catch-up window ending today. */
  | { readonly kind: 'notDueToday'; readonly languageIgnored?: true }
  | { readonly kind: 'skip'; readonly reason: SkipReason };

function skip(reason: SkipReason): { readonly kind: 'skip'; readonly reason: SkipReason } {
  return { kind: 'skip', reason };
}

/**
 * What the reminder rules read from an eligible list item at instant `now`: its values as a reminder
 * carries them (normalised, texts cleaned), and D − T.
 */
export interface Obligation {
  readonly obligationId: string;
  readonly reference: string;
  readonly customer: { readonly name: string; readonly email: string };
  /** D, `YYYY-MM-DD`. */
  readonly dueDate: string;
  /** D − T (≥ 0). */
  readonly daysLeft: number;
  readonly amount: string;
  readonly currency: string;
  /** Canonical BCP 47 tag; absent when the list gives none, or none Intl knows (then `languageIgnored`). */
  readonly language?: string;
  readonly languageIgnored?: true;
}

export type ObligationReading =
  | { readonly kind: 'eligible'; readonly obligation: Obligation }
  | { readonly kind: 'skip'; readonly reason: SkipReason };

/** Reads `item` as the rules see it at instant `now`: eligible with its values, or skipped with the first reason. */
export function readObligation(item: ListItem, rules: ReminderRules, now: Date): ObligationReading {
  const { fields } = item;
  const { columns } = rules;

  const status = statusKind(fields[columns.status], rules.statuses);
  if (status === 'closed') return skip('statusClosed');
  if (status === 'unknown') return skip('statusUnknown');

  const dueDate = dueDateIn(fields[columns.dueDate], rules.timeZone);
  if (dueDate === 'missing') return skip('missingDueDate');
  if (dueDate === 'invalid') return skip('invalidDueDate');
  const daysLeft = daysBetween(calendarDateIn(now, rules.timeZone), dueDate);
  if (daysLeft < 0) return skip('pastDue');

  const email = emailAddress(fields[columns.customerEmail]);
  if (email === 'missing') return skip('missingEmail');
  if (email === 'invalid') return skip('invalidEmail');

  const currency = normalizeCurrencyCode(fields[columns.currency]);
  if (currency === undefined) return skip('invalidCurrency');
  const amount = formatDecimalAmount(fields[columns.amountDue], currencyMinorUnits(currency));
  if (amount === undefined) return skip('invalidAmount');
  if (isBelowMinimum(amount, currency, rules.minimumAmount)) return skip('amountBelowMinimum');

  const reference = plainText(fields[columns.reference]);
  const name = plainText(fields[columns.customerName]);
  if (reference.length > MAX_TEXT_FIELD_LENGTH || name.length > MAX_TEXT_FIELD_LENGTH) {
    return skip('fieldTooLong');
  }

  const language = languageOf(fields[columns.language]);
  return {
    kind: 'eligible',
    obligation: {
      obligationId: item.id,
      reference,
      customer: { name, email },
      dueDate,
      daysLeft,
      amount,
      currency,
      ...(language === 'invalid' ? { languageIgnored: true } : language === undefined ? {} : { language }),
    },
  };
}

/** Decides whether `item` gets a reminder in the run at instant `now`, and builds its message. */
export function decideReminder(item: ListItem, rules: ReminderRules, now: Date): ReminderDecision {
  const reading = readObligation(item, rules, now);
  if (reading.kind === 'skip') return reading;
  const { obligation } = reading;
  const ignored = obligation.languageIgnored === true ? ({ languageIgnored: true } as const) : {};
  const daysBefore = dueReminderDay(obligation.daysLeft, rules);
  if (daysBefore === undefined) return { kind: 'notDueToday', ...ignored };
  return { kind: 'remind', ...ignored, message: reminderMessageOf(obligation, daysBefore, now) };
}

/** The queue message of `obligation`'s reminder `daysBefore` days before its due date, written at `now`. */
export function reminderMessageOf(obligation: Obligation, daysBefore: number, now: Date): ReminderMessage {
  const { obligationId, reference, customer, dueDate, daysLeft, amount, currency, language } = obligation;
  return {
    schema: REMINDER_MESSAGE_SCHEMA,
    id: formatReminderId({ obligationId, dueDate, daysBefore }),
    obligationId,
    reference,
    customer: { name: customer.name, email: customer.email },
    dueDate,
    daysBefore,
    daysLeft,
    amount,
    currency,
    createdAt: now.toISOString(),
    ...(language === undefined ? {} : { language }),
  };
}

/**
 * The instants `[from, to)` within which every due date that can produce a reminder at `now` lies:
 * D from T + max(0, min k − catchUpDays) to T + max k, widened by one day on each side so that a
 * site whose time zone differs from the rules' (date-only columns are midnight in the site's zone)
 * never loses an item to the server-side filter. `decideReminder` applies the exact rule.
 */
export function dueDateFilterWindow(rules: ReminderRules, now: Date): { from: Date; to: Date } {
  const today = calendarDateIn(now, rules.timeZone);
  if (rules.reminderDays.length === 0) {
    const start = startOfDayIn(today, rules.timeZone);
    return { from: start, to: start };
  }
  const nearest = Math.max(0, Math.min(...rules.reminderDays) - rules.catchUpDays);
  const farthest = Math.max(...rules.reminderDays);
  return {
    from: startOfDayIn(addDays(today, nearest - 1), rules.timeZone),
    to: startOfDayIn(addDays(today, farthest + 2), rules.timeZone),
  };
}

/**
 * The reminder day due `daysLeft` days before the due date: the smallest k with
 * T − catchUpDays ≤ D − k ≤ T, i.e. daysLeft ≤ k ≤ daysLeft + catchUpDays; undefined when none is.
 */
export function dueReminderDay(daysLeft: number, rules: ReminderRules): number | undefined {
  let smallest: number | undefined;
  for (const k of rules.reminderDays) {
    if (k >= daysLeft && k <= daysLeft + rules.catchUpDays && (smallest === undefined || k < smallest)) {
      smallest = k;
    }
  }
  return smallest;
}

/** The canonical tag; undefined when the column is absent or empty; 'invalid' for anything else. */
function languageOf(value: unknown): string | undefined | 'invalid' {
  if (value === null || value === undefined || (typeof value === 'string' && value.trim() === '')) {
    return undefined;
  }
  return (typeof value === 'string' ? canonicalLanguageTag(value.trim()) : undefined) ?? 'invalid';
}

/** D for a Graph date value: an instant (read in `timeZone`) or a date-only `YYYY-MM-DD`. */
function dueDateIn(value: unknown, timeZone: string): string | 'missing' | 'invalid' {
  if (value === null || value === undefined || (typeof value === 'string' && value.trim() === '')) {
    return 'missing';
  }
  if (typeof value !== 'string') {
    return 'invalid';
  }
  const text = value.trim();
  if (isCalendarDate(text)) {
    return text;
  }
  const instant = parseIsoInstant(text);
  return instant === undefined ? 'invalid' : calendarDateIn(instant, timeZone);
}

function emailAddress(value: unknown): string | 'missing' | 'invalid' {
  if (value === null || value === undefined || (typeof value === 'string' && value.trim() === '')) {
    return 'missing';
  }
  if (typeof value !== 'string') {
    return 'invalid';
  }
  const address = value.trim();
  return isPlausibleEmailAddress(address) ? address : 'invalid';
}
