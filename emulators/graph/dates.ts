/**
 * Calendar arithmetic for SharePoint sites: a date-only column holds midnight in the site's time zone,
 * which Graph returns as a UTC instant (1 December in Berlin -> `2026-11-30T23:00:00Z`).
 */

const datePattern = /^(\d{4})-(\d{2})-(\d{2})$/;
const dayMs = 86_400_000;

export interface ZonedCalendar {
  readonly timeZone: string;
  /** Epoch milliseconds of 00:00 local time on `date` (`YYYY-MM-DD`). */
  startOfDay(date: string): number;
  /** The local calendar date (`YYYY-MM-DD`) of an instant. */
  dateOf(instant: number): string;
}

/** Parses `YYYY-MM-DD` into UTC midnight of that calendar day, or undefined when it is not a real date. */
export function parseCalendarDate(date: string): number | undefined {
  const match = datePattern.exec(date);
  if (match === null) {
    return undefined;
  }
  const [year, month, day] = [Number(match[1]), Number(match[2]), Number(match[3])];
  const utc = Date.UTC(year, month - 1, day);
  const check = new Date(utc);
  return check.getUTCFullYear() === year && check.getUTCMonth() === month - 1 && check.getUTCDate() === day
    ? utc
    : undefined;
}

/** `date` moved by `days` calendar days. */
export function addDays(date: string, days: number): string {
  const utc = parseCalendarDate(date);
  if (utc === undefined) {
    throw new RangeError(`'${date}' is not a calendar date (YYYY-MM-DD).`);
  }
  return new Date(utc + days * dayMs).toISOString().slice(0, 10);
}

/** Whole calendar days from `from` to `to` (both `YYYY-MM-DD`). */
export function daysBetween(from: string, to: string): number {
  const start = parseCalendarDate(from);
  const end = parseCalendarDate(to);
  if (start === undefined || end === undefined) {
    throw new RangeError(`'${start === undefined ? from : to}' is not a calendar date (YYYY-MM-DD).`);
  }
  return Math.round((end - start) / dayMs);
}

/** An instant as Graph writes it for SharePoint fields and item timestamps: seconds precision, `Z`. */
export function formatGraphInstant(instant: number): string {
  return `${new Date(instant).toISOString().slice(0, 19)}Z`;
}

/** Creates a calendar for an IANA time zone; throws RangeError for an unknown zone. */
export function createZonedCalendar(timeZone: string): ZonedCalendar {
  const formatter = new Intl.DateTimeFormat('en-US', {
    timeZone,
    hourCycle: 'h23',
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
    hour: '2-digit',
    minute: '2-digit',
    second: '2-digit',
  });
  // Midnights of the dates a site uses are few (due dates span months, not millennia): remember them.
  const midnights = new Map<string, number>();

  const localFields = (
    instant: number,
  ): { year: number; month: number; day: number; hour: number; minute: number; second: number } => {
    const values: Record<string, number> = {};
    for (const part of formatter.formatToParts(new Date(instant))) {
      if (part.type !== 'literal') {
        values[part.type] = Number(part.value);
      }
    }
    return {
      year: values['year'] ?? 0,
      month: values['month'] ?? 0,
      day: values['day'] ?? 0,
      hour: values['hour'] ?? 0,
      minute: values['minute'] ?? 0,
      second: values['second'] ?? 0,
    };
  };

  const offsetAt = (instant: number): number => {
    const local = localFields(instant);
    const asUtc = Date.UTC(local.year, local.month - 1, local.day, local.hour, local.minute, local.second);
    return asUtc - Math.floor(instant / 1000) * 1000;
  };

  return {
    timeZone: formatter.resolvedOptions().timeZone,
    startOfDay(date: string): number {
      const cached = midnights.get(date);
      if (cached !== undefined) {
        return cached;
      }
      const utcMidnight = parseCalendarDate(date);
      if (utcMidnight === undefined) {
        throw new RangeError(`'${date}' is not a calendar date (YYYY-MM-DD).`);
      }
      // Two rounds settle the offset across a DST change between the guess and the answer.
      const guess = utcMidnight - offsetAt(utcMidnight);
      const instant = utcMidnight - offsetAt(guess);
      if (midnights.size >= 100_000) {
        midnights.clear();
      }
      midnights.set(date, instant);
      return instant;
    },
    dateOf(instant: number): string {
      const local = localFields(instant);
      return `${String(local.year).padStart(4, '0')}-${String(local.month).padStart(2, '0')}-${String(local.day).padStart(2, '0')}`;
    },
  };
}
