/**
 * Dates in a seed file: relative to the stack's start (`today`, `today+N`, `today-N`, calendar days in a
 * site's time zone), calendar dates (`YYYY-MM-DD`) or ISO instants.
 */
import { addDays, createZonedCalendar, isCalendarDate, parseGraphInstant } from '../graph/dates.js';
import type { ZonedCalendar } from '../graph/dates.js';
import { SeedError } from './seed-error.js';

/** A seed date resolved against the stack's start: a calendar date (date-only columns) or an instant. */
export type ResolvedSeedDate =
  { readonly kind: 'date'; readonly date: string } | { readonly kind: 'instant'; readonly instant: Date };

const RELATIVE_DATE_PATTERN = /^today(?:([+-])(\d{1,6}))?$/;

/**
 * Resolves a seed date: `today`, `today+N`, `today-N` (calendar days in `timeZone`, counted from `now`),
 * `YYYY-MM-DD`, or an ISO instant with `Z` or an offset. Throws `SeedError` (field `''`) for anything else.
 */
export function resolveSeedDate(value: string, timeZone: string, now: Date): ResolvedSeedDate {
  const relative = RELATIVE_DATE_PATTERN.exec(value);
  if (relative) {
    const offsetDays = relative[2] === undefined ? 0 : Number(relative[2]) * (relative[1] === '-' ? -1 : 1);
    return { kind: 'date', date: addDays(zonedCalendar(timeZone).dateOf(now.getTime()), offsetDays) };
  }
  if (isCalendarDate(value)) return { kind: 'date', date: value };
  const instant = parseGraphInstant(value);
  if (instant !== undefined) return { kind: 'instant', instant: new Date(instant) };
  throw new SeedError(
    '',
    `"${value}" is not a date (expected today, today+N, today-N, YYYY-MM-DD or an ISO instant such as 2026-12-01T07:00:00Z)`,
  );
}

function zonedCalendar(timeZone: string): ZonedCalendar {
  try {
    return createZonedCalendar(timeZone);
  } catch (error) {
    throw new SeedError('', `"${timeZone}" is not an IANA time zone`, { cause: error });
  }
}

/** An ISO instant with `Z` or an offset, as Graph accepts it. */
export function isInstant(value: string): boolean {
  return parseGraphInstant(value) !== undefined;
}

/** An IANA time zone. */
export function isTimeZone(value: string): boolean {
  try {
    createZonedCalendar(value);
    return true;
  } catch {
    return false;
  }
}
