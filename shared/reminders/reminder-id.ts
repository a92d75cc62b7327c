/**
 * The reminder id `{obligationId}:{dueDate}:{daysBefore}`: the idempotency key of a reminder (the same
 * reminder always gets the same id), which the sweep writes, delivery checks and the ledger keys on.
 * The obligation id may itself contain colons: the due date and the reminder day are the last two parts.
 */
import { isCalendarDate } from './calendar.js';

export interface ReminderIdParts {
  /** The list item id. */
  readonly obligationId: string;
  /** D, `YYYY-MM-DD`. */
  readonly dueDate: string;
  /** k, a whole number of days. */
  readonly daysBefore: number;
}

/** The form, for messages. */
export const REMINDER_ID_FORM = '{obligationId}:{dueDate}:{daysBefore}';

/** Digits without a leading zero, so that each reminder day has exactly one spelling. */
const DAYS_BEFORE = /^(?:0|[1-9]\d*)$/;

export function formatReminderId({ obligationId, dueDate, daysBefore }: ReminderIdParts): string {
  return `${obligationId}:${dueDate}:${daysBefore}`;
}

/**
 * The parts of a reminder id, or undefined unless `id` is one `formatReminderId` can write: a non-empty
 * obligation id, a real calendar date and a whole number of days.
 */
export function parseReminderId(id: string): ReminderIdParts | undefined {
  const lastColon = id.lastIndexOf(':');
  const dateColon = id.lastIndexOf(':', lastColon - 1);
  if (dateColon < 1) {
    return undefined;
  }
  const obligationId = id.slice(0, dateColon);
  const dueDate = id.slice(dateColon + 1, lastColon);
  const days = id.slice(lastColon + 1);
  const daysBefore = Number(days);
  if (!isCalendarDate(dueDate) || !DAYS_BEFORE.test(days) || !Number.isSafeInteger(daysBefore)) {
    return undefined;
  }
  return { obligationId, dueDate, daysBefore };
}

/** The parts of `id`; throws RangeError unless it is a reminder id. */
export function requireReminderId(id: string): ReminderIdParts {
  const parts = parseReminderId(id);
  if (parts === undefined) {
    throw new RangeError(`A reminder id has the form ${REMINDER_ID_FORM}.`);
  }
  return parts;
}
