/**
 * Calendar dates (`YYYY-MM-DD` strings, proleptic Gregorian) and their relation to instants in IANA
 * time zones, through `Intl` alone. Years outside 0000–9999 use the ISO 8601 expanded form
 * (`+010000-01-01`), as `Date.prototype.toISOString` does.
 */

const MS_PER_DAY = 86_400_000;
/** Every UTC offset ever used lies well within a day; this bounds the search in `startOfDayIn`. */
const MAX_OFFSET_SEARCH_MS = 2 * MS_PER_DAY;

const CALENDAR_DATE = /^(\d{4}|[+-]\d{6})-(\d{2})-(\d{2})$/;
/** RFC 3339 date-time: seconds and fraction optional, offset required (without one the instant is ambiguous). */
const ISO_INSTANT = /^(\d{4}-\d{2}-\d{2})T(\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,9}))?)?(?:Z|([+-])(\d{2}):(\d{2}))$/;
/** How the formatter below writes a four-digit year of the common era: `MM/DD/YYYY AD`. */
const US_NUMERIC_DATE = /^(\d{2})\/(\d{2})\/(\d{4}) AD$/;
/** Fixed offsets such as `+01:00` are accepted by Intl but ignore daylight saving time. */
const OFFSET_TIME_ZONE = /^[+-]/;

/**
 * One formatter per time zone: constructing an `Intl.DateTimeFormat` costs far more than formatting
 * with it, and `calendarDateIn` runs once per list item.
 */
const formattersByZone = new Map<string, Intl.DateTimeFormat>();

function dateFormatter(timeZone: string): Intl.DateTimeFormat {
  let formatter = formattersByZone.get(timeZone);
  if (formatter === undefined) {
    formatter = new Intl.DateTimeFormat('en-US', {
      timeZone,
      calendar: 'gregory',
      numberingSystem: 'latn',
      era: 'short',
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
    });
    formattersByZone.set(timeZone, formatter);
  }
  return formatter;
}

/** Forgets the cached formatters (they are immutable; this only releases memory). */
export function clearCalendarCache(): void {
  formattersByZone.clear();
}

/** Whether `zone` is an IANA time zone name that Intl knows (e.g. `Europe/Berlin`, `UTC`); fixed offsets are not. */
export function isValidTimeZone(zone: string): boolean {
  if (zone.trim() !== zone || zone === '' || OFFSET_TIME_ZONE.test(zone)) {
    return false;
  }
  try {
    dateFormatter(zone);
    return true;
  } catch {
    return false;
  }
}

function formatUtcDate(epochMs: number): string {
  const iso = new Date(epochMs).toISOString();
  return iso.slice(0, iso.indexOf('T'));
}

const DAYS_IN_MONTH = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31] as const;

function isLeapYear(year: number): boolean {
  return (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0;
}

function utcMidnight(year: number, month: number, day: number): number {
  // Date.UTC maps years 0–99 to 1900–1999; setUTCFullYear does not.
  return year >= 100 ? Date.UTC(year, month - 1, day) : new Date(0).setUTCFullYear(year, month - 1, day);
}

/** Epoch milliseconds of `date`'s midnight in UTC, or undefined unless `date` is a real calendar date. */
function utcMidnightOf(date: string): number | undefined {
  const match = CALENDAR_DATE.exec(date);
  if (match === null || match[1] === '-000000') {
    return undefined; // ISO 8601 has no year minus zero
  }
  const year = Number(match[1]);
  const month = Number(match[2]);
  const day = Number(match[3]);
  const monthLength = month === 2 && isLeapYear(year) ? 29 : DAYS_IN_MONTH[month - 1];
  // Date would silently roll 30 February over to March: check the day against the month.
  if (monthLength === undefined || day < 1 || day > monthLength) {
    return undefined;
  }
  const epochMs = utcMidnight(year, month, day);
  return Number.isNaN(epochMs) ? undefined : epochMs; // beyond ±275,760 years Date has no value
}

function parseCalendarDate(date: string): number {
  const epochMs = utcMidnightOf(date);
  if (epochMs === undefined) {
    throw new RangeError(`Not a calendar date (YYYY-MM-DD): ${JSON.stringify(date)}`);
  }
  return epochMs;
}

/** Whether `value` is a real calendar date written `YYYY-MM-DD`. */
export function isCalendarDate(value: string): boolean {
  return utcMidnightOf(value) !== undefined;
}

/**
 * The instant written `YYYY-MM-DDTHH:mm[:ss[.fraction]]` followed by `Z` or `±HH:MM` (as Graph
 * returns date columns, e.g. `2026-11-30T23:00:00Z`), or undefined if `text` is not one. Stricter
 * than `Date.parse`, which rolls 30 February over to March and reads a missing offset as local time.
 */
export function parseIsoInstant(text: string): Date | undefined {
  const match = ISO_INSTANT.exec(text);
  if (match === null) {
    return undefined;
  }
  // Groups the pattern makes optional default to zero; the others are always present.
  const [, date = '', hh = '', mm = '', ss = '00', fraction = '', sign = '+', offsetHh = '00', offsetMm = '00'] = match;
  const hours = Number(hh);
  const minutes = Number(mm);
  const seconds = Number(ss);
  const offsetHours = Number(offsetHh);
  const offsetMinutes = Number(offsetMm);
  const midnight = utcMidnightOf(date);
  if (midnight === undefined || hours > 23 || minutes > 59 || seconds > 59 || offsetHours > 23 || offsetMinutes > 59) {
    return undefined;
  }
  const offsetMs = (sign === '-' ? -1 : 1) * (offsetHours * 60 + offsetMinutes) * 60_000;
  const milliseconds = Number(fraction.padEnd(3, '0').slice(0, 3)); // finer digits are dropped
  const utcMs = midnight + ((hours * 60 + minutes) * 60 + seconds) * 1000 + milliseconds;
  return new Date(utcMs - offsetMs);
}

/** The calendar date (`YYYY-MM-DD`) in `timeZone` at `instant`. Throws RangeError for an invalid zone or instant. */
export function calendarDateIn(instant: Date | number, timeZone: string): string {
  const formatter = dateFormatter(timeZone);
  const fast = US_NUMERIC_DATE.exec(formatter.format(instant));
  if (fast !== null) {
    return `${fast[3]}-${fast[1]}-${fast[2]}`;
  }
  // Years before 1000 or after 9999, or before the common era (or unexpected locale data): read the parts.
  let year = Number.NaN;
  let month = Number.NaN;
  let day = Number.NaN;
  let beforeCommonEra = false;
  for (const part of formatter.formatToParts(instant)) {
    if (part.type === 'year') year = Number(part.value);
    else if (part.type === 'month') month = Number(part.value);
    else if (part.type === 'day') day = Number(part.value);
    else if (part.type === 'era') beforeCommonEra = part.value === 'BC';
  }
  return formatUtcDate(utcMidnight(beforeCommonEra ? 1 - year : year, month, day));
}

/** `date` plus `days` (negative to go back). */
export function addDays(date: string, days: number): string {
  if (!Number.isInteger(days)) {
    throw new RangeError(`days must be a whole number, got ${days}`);
  }
  return formatUtcDate(parseCalendarDate(date) + days * MS_PER_DAY);
}

/** Whole days from `from` to `to` (`to − from`; negative when `to` is earlier). */
export function daysBetween(from: string, to: string): number {
  return Math.round((parseCalendarDate(to) - parseCalendarDate(from)) / MS_PER_DAY);
}

/**
 * The first instant of `date` in `timeZone`. Usually local midnight; where a DST transition skips
 * midnight (e.g. `America/Santiago`, `America/Havana`) it is the transition itself, and where
 * midnight happens twice it is the earlier one.
 */
export function startOfDayIn(date: string, timeZone: string): Date {
  const target = parseCalendarDate(date);
  // The local date never decreases as time goes on, so binary-search the first instant whose local
  // date is `date` or later, between bounds that lie on either side whatever the offset.
  let before = target - MAX_OFFSET_SEARCH_MS; // local date certainly earlier than `date`
  let atOrAfter = target + MAX_OFFSET_SEARCH_MS; // local date certainly `date` or later
  while (atOrAfter - before > 1) {
    const middle = before + Math.floor((atOrAfter - before) / 2);
    if (parseCalendarDate(calendarDateIn(middle, timeZone)) >= target) {
      atOrAfter = middle;
    } else {
      before = middle;
    }
  }
  return new Date(atOrAfter);
}
