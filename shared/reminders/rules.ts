/**
 * The reminder rules: which list items get a reminder today, and the queue message for each. Pure:
 * no I/O, no clock (the run's instant is passed in), no logging.
 *
 * D is the calendar date of an item's due date in the rules' time zone, T the date there at the
 * run's instant. An item is eligible when it is open, has a valid e-mail address, a due date with
 * D ≥ T, a known currency, a valid amount and reasonably short texts. For each k in `reminderDays`
 * the reminder is due on D − k; it is a candidate when T − catchUpDays ≤ D − k ≤ T, and an item gets
 * the candidate with the smallest k (at most one reminder per item per run).
 */

import { isPlausibleEmailAddress } from './email-address.js';
import { addDays, calendarDateIn, daysBetween, isCalendarDate, parseIsoInstant, startOfDayIn } from './calendar.js';
import { currencyMinorUnits, formatDecimalAmount, normalizeCurrencyCode } from './money.js';
import { formatReminderId } from './reminder-id.js';

/** Internal names of the SharePoint list columns the daemon reads. */
export interface ListColumns {
  readonly reference: string;
  readonly customerName: string;
  readonly customerEmail: string;
  readonly dueDate: string;
  readonly amountDue: string;
  readonly currency: string;
  readonly status: string;
}

/** Versioned name of the message format; consumers dispatch on it. */
export const REMINDER_MESSAGE_SCHEMA = 'due-notifier.reminder/v1';

/**
 * Longest reference or customer name (after control characters are stripped) that a message carries,
 * which keeps every message far below the 64 KiB queue message limit, even base64-encoded.
 */
export const MAX_TEXT_FIELD_LENGTH = 1000;

const CLOSED_STATUSES: ReadonlySet<string> = new Set(['paid', 'cancelled']);
const LINE_BREAKS_AND_TABS = /[\t\n\v\f\r]+/g;
const CONTROL_CHARACTERS = /\p{Cc}/gu;

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
  /** The customer's language, a BCP 47 tag (the optional `Language` column); absent: the default language. */
  readonly language?: string;
  /** The run's instant, ISO 8601. */
  readonly createdAt: string;
}

/** Every skip reason, in the order the checks run (and summaries list them). */
export const SKIP_REASONS = Object.freeze([
  'statusClosed',
  'missingDueDate',
  'invalidDueDate',
  'pastDue',
  'missingEmail',
  'invalidEmail',
  'invalidCurrency',
  'invalidAmount',
  'fieldTooLong',
] as const);

/**
 * Why an item gets no reminder, in the order the checks run (an item is counted under the first):
 * - `statusClosed`: Status is Paid or Cancelled (any case, surrounding spaces ignored).
 * - `missingDueDate`: no due date.
 * - `invalidDueDate`: the due date is neither an ISO 8601 instant with offset nor a `YYYY-MM-DD` date.
 * - `pastDue`: D is before T.
 * - `missingEmail`: no customer e-mail address.
 * - `invalidEmail`: the address is not plausible (one @, a local part without spaces or `<>`, a
 *   domain with a dot, at most 254 characters).
 * - `invalidCurrency`: not an ISO 4217 code that Intl knows.
 * - `invalidAmount`: missing, negative, not a number, or not below 10^15.
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
}

export type ReminderDecision =
  | { readonly kind: 'remind'; readonly message: ReminderMessage }
  /** Eligible, but none of its reminder days falls within the catch-up window ending today. */
  | { readonly kind: 'notDueToday' }
  | { readonly kind: 'skip'; readonly reason: SkipReason };

function skip(reason: SkipReason): ReminderDecision {
  return { kind: 'skip', reason };
}

/** Decides whether `item` gets a reminder in the run at instant `now`, and builds its message. */
export function decideReminder(item: ListItem, rules: ReminderRules, now: Date): ReminderDecision {
  const { fields } = item;
  const { columns } = rules;

  if (isClosedStatus(fields[columns.status])) return skip('statusClosed');

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

  const reference = plainText(fields[columns.reference]);
  const name = plainText(fields[columns.customerName]);
  if (reference.length > MAX_TEXT_FIELD_LENGTH || name.length > MAX_TEXT_FIELD_LENGTH) {
    return skip('fieldTooLong');
  }

  const daysBefore = dueReminderDay(daysLeft, rules);
  if (daysBefore === undefined) return { kind: 'notDueToday' };

  return {
    kind: 'remind',
    message: {
      schema: REMINDER_MESSAGE_SCHEMA,
      id: formatReminderId({ obligationId: item.id, dueDate, daysBefore }),
      obligationId: item.id,
      reference,
      customer: { name, email },
      dueDate,
      daysBefore,
      daysLeft,
      amount,
      currency,
      createdAt: now.toISOString(),
    },
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

/** The smallest k with T − catchUpDays ≤ D − k ≤ T, i.e. daysLeft ≤ k ≤ daysLeft + catchUpDays. */
function dueReminderDay(daysLeft: number, rules: ReminderRules): number | undefined {
  let smallest: number | undefined;
  for (const k of rules.reminderDays) {
    if (k >= daysLeft && k <= daysLeft + rules.catchUpDays && (smallest === undefined || k < smallest)) {
      smallest = k;
    }
  }
  return smallest;
}

function isClosedStatus(value: unknown): boolean {
  return typeof value === 'string' && CLOSED_STATUSES.has(value.trim().toLowerCase());
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

/**
 * Text for the message: kept verbatim (HTML included: escaping is the mail template's job) except
 * that line breaks and tabs become one space, other control characters go, and the ends are trimmed.
 */
function plainText(value: unknown): string {
  if (typeof value === 'number' && Number.isFinite(value)) {
    return String(value);
  }
  if (typeof value !== 'string') {
    return '';
  }
  return value.replace(LINE_BREAKS_AND_TABS, ' ').replace(CONTROL_CHARACTERS, '').trim();
}

/** Counts a run's decisions for its summary. */
export interface RunTally {
  record(decision: ReminderDecision): void;
  readonly itemsRead: number;
  summary(): RunTallySummary;
}

export interface RunTallySummary {
  readonly itemsRead: number;
  /** Items that passed every check (reminded today or not). */
  readonly eligible: number;
  readonly reminders: number;
  /** Only reasons that occurred, in `SKIP_REASONS` order. */
  readonly skipped: Readonly<Partial<Record<SkipReason, number>>>;
}

export function createRunTally(): RunTally {
  let itemsRead = 0;
  let eligible = 0;
  let reminders = 0;
  const skipped = new Map<SkipReason, number>();
  return {
    record(decision) {
      itemsRead += 1;
      if (decision.kind === 'skip') {
        skipped.set(decision.reason, (skipped.get(decision.reason) ?? 0) + 1);
        return;
      }
      eligible += 1;
      if (decision.kind === 'remind') {
        reminders += 1;
      }
    },
    get itemsRead() {
      return itemsRead;
    },
    summary() {
      const counts: Partial<Record<SkipReason, number>> = {};
      for (const reason of SKIP_REASONS) {
        const count = skipped.get(reason);
        if (count !== undefined) counts[reason] = count;
      }
      return { itemsRead, eligible, reminders, skipped: counts };
    },
  };
}
