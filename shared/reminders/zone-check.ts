/**
 * Whether the rules' time zone is the site's, judged from the due dates read: Graph returns a date-only
 * column as the UTC instant of midnight in the site's time zone (3 December in Berlin is
 * `2026-12-02T23:00:00Z`), so due dates that are all midnights in another zone mean a misconfigured zone,
 * which would move every D by a day. Values that are midnights in no single zone are times of day (a
 * date-and-time column) and say nothing about the zone.
 */
import { calendarDateIn, parseIsoInstant } from './calendar.js';

/** Enough distinct instants to tell zones apart (DST changes included), few enough to test every zone. */
const SAMPLE_SIZE = 32;
/** Areas whose zones a message names first: most sites are in one of them. */
const PREFERRED_AREAS = ['Europe', 'America', 'Asia', 'Australia', 'Pacific', 'Africa'];

export interface ZoneMismatch {
  /** Due dates read that are not midnights in the rules' zone. */
  readonly count: number;
  /** The zones in which each of them is a midnight, those in the rules' zone's area and the common areas first. */
  readonly fittingZones: readonly string[];
  /** The UTC offsets at those midnights, e.g. `["GMT+01:00", "GMT+02:00"]` across a DST change. */
  readonly offsets: readonly string[];
}

export interface DueDateZoneCheck {
  /** Notes one due-date value as Graph returned it (date-only texts and non-instants are ignored). */
  record(value: unknown): void;
  /** The mismatch, or undefined when every due date fits the rules' zone or no zone fits them all. */
  result(): ZoneMismatch | undefined;
}

export function createDueDateZoneCheck(timeZone: string): DueDateZoneCheck {
  let count = 0;
  const sample = new Set<number>();
  return {
    record(value) {
      const instant = typeof value === 'string' ? parseIsoInstant(value.trim())?.getTime() : undefined;
      if (instant === undefined || isStartOfDay(instant, timeZone)) return;
      count += 1;
      if (sample.size < SAMPLE_SIZE) sample.add(instant);
    },
    result() {
      if (count === 0) return undefined;
      const instants = [...sample];
      const fitting = Intl.supportedValuesOf('timeZone').filter((zone) =>
        instants.every((instant) => isStartOfDay(instant, zone)),
      );
      const [first] = fitting;
      if (first === undefined) return undefined;
      const offsets = [...new Set(instants.map((instant) => offsetName(instant, first)))].sort();
      return { count, fittingZones: byPreference(fitting, timeZone), offsets };
    },
  };
}

/** Whether `instant` is the first of its day in `zone` (local midnight, or the DST change that skips it). */
function isStartOfDay(instant: number, zone: string): boolean {
  return calendarDateIn(instant - 1, zone) !== calendarDateIn(instant, zone);
}

/** `GMT+01:00`: the offset of `zone` at `instant`, as Intl names it. */
function offsetName(instant: number, zone: string): string {
  const parts = new Intl.DateTimeFormat('en', { timeZone: zone, timeZoneName: 'longOffset' }).formatToParts(instant);
  return parts.find((part) => part.type === 'timeZoneName')?.value ?? zone;
}

function byPreference(zones: readonly string[], timeZone: string): string[] {
  const areas = [timeZone.split('/')[0] ?? '', ...PREFERRED_AREAS];
  const rank = (zone: string): number => {
    const index = areas.indexOf(zone.split('/')[0] ?? '');
    return index === -1 ? areas.length : index;
  };
  return [...zones].sort((a, b) => rank(a) - rank(b) || (a < b ? -1 : a > b ? 1 : 0));
}
