/**
 * Dates as SharePoint and Graph handle them: a date-only column holds midnight in the site's time zone,
 * which Graph returns as a UTC instant (1 December in Berlin -> `2026-11-30T23:00:00Z`).
 *
 * Built on Temporal (temporal-polyfill) rather than hand-written offset arithmetic: the emulator then
 * checks the app's own calendar (shared/reminders/calendar.ts, which it must not import) against an
 * independent, specified implementation, DST gaps included.
 */
import { Temporal } from 'temporal-polyfill';

/**
 * An instant as Graph and OData write it: `YYYY-MM-DDTHH:mm[:ss[.fraction]]` and `Z` or `±HH:MM`.
 * Temporal checks the values; this checks the form, as Temporal also reads other ISO 8601 spellings.
 */
const GRAPH_INSTANT = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(?::\d{2}(?:\.\d{1,9})?)?(?:Z|[+-]\d{2}:\d{2})$/;

export interface ZonedCalendar {
  /** The zone's IANA name. */
  readonly timeZone: string;
  /** Epoch milliseconds of the first instant of `date` (`YYYY-MM-DD`): local midnight, or the DST transition that skips it. */
  startOfDay(date: string): number;
  /** The local calendar date (`YYYY-MM-DD`) of an instant. */
  dateOf(instant: number): string;
}

/** `text` as a calendar date, written exactly `YYYY-MM-DD`; throws RangeError otherwise (also for 30 February). */
function plainDate(text: string): Temporal.PlainDate {
  const date = Temporal.PlainDate.from(text, { overflow: 'reject' });
  if (date.toString() !== text) {
    throw new RangeError(`'${text}' is not a calendar date (YYYY-MM-DD).`);
  }
  return date;
}

/** Whether `text` is a real calendar date written `YYYY-MM-DD`. */
export function isCalendarDate(text: string): boolean {
  try {
    plainDate(text);
    return true;
  } catch {
    return false;
  }
}

/** Epoch milliseconds of an instant written as Graph writes them, or undefined. */
export function parseGraphInstant(text: string): number | undefined {
  if (!GRAPH_INSTANT.test(text)) {
    return undefined;
  }
  try {
    return Temporal.Instant.from(text).epochMilliseconds;
  } catch {
    return undefined; // 30 February, 24:00, ...
  }
}

/** `date` moved by `days` calendar days. */
export function addDays(date: string, days: number): string {
  return plainDate(date).add({ days }).toString();
}

/** An instant as Graph writes it for SharePoint fields and item timestamps: seconds precision, `Z`. */
export function formatGraphInstant(instant: number): string {
  return Temporal.Instant.fromEpochMilliseconds(instant).toString({ smallestUnit: 'second' });
}

/** Creates a calendar for an IANA time zone; throws RangeError for an unknown zone. */
export function createZonedCalendar(timeZone: string): ZonedCalendar {
  const zone = Temporal.Now.zonedDateTimeISO(timeZone).timeZoneId;
  // A site's dates are few (due dates span months, not millennia), and the polyfill is not fast.
  const midnights = new Map<string, number>();
  return {
    timeZone: zone,
    startOfDay(date) {
      let instant = midnights.get(date);
      if (instant === undefined) {
        instant = plainDate(date).toZonedDateTime(zone).epochMilliseconds;
        if (midnights.size >= 100_000) {
          midnights.clear();
        }
        midnights.set(date, instant);
      }
      return instant;
    },
    dateOf(instant) {
      return Temporal.Instant.fromEpochMilliseconds(instant).toZonedDateTimeISO(zone).toPlainDate().toString();
    },
  };
}
