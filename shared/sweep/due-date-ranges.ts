/**
 * Splits the reminder window into disjoint due-date ranges that can be read from Graph at once.
 * `@odata.nextLink` paging is sequential (a page's link arrives with the page before it), so one query
 * over a large window costs a round trip per page; separate queries over disjoint ranges do not wait
 * for each other. The ranges are half-open and contiguous, so every due date falls in exactly one.
 */
import { addDays, calendarDateIn, daysBetween, startOfDayIn } from '../reminders/calendar.js';

/** An instant range of due dates, `[from, to)`. */
export interface DueDateRange {
  readonly from: Date;
  readonly to: Date;
}

/**
 * At most `parts` contiguous ranges covering `range`, cut at midnights in `timeZone` (the zone in which
 * due dates are calendar dates, so a day's items stay together) and holding as equal a number of days
 * as possible. A range shorter than `parts` days gives fewer ranges.
 */
export function splitDueDateRange(range: DueDateRange, parts: number, timeZone: string): DueDateRange[] {
  if (!Number.isInteger(parts) || parts < 1) {
    throw new RangeError(`parts must be a whole number >= 1, got ${parts}`);
  }
  const midnights = midnightsWithin(range, timeZone);
  const pieces = Math.min(parts, midnights.length + 1);
  const cuts: Date[] = [];
  for (let piece = 1; piece < pieces; piece += 1) {
    // Cut k of the (n + 1) day segments lies after segment round(k (n + 1) / pieces).
    const cut = midnights[Math.round((piece * (midnights.length + 1)) / pieces) - 1];
    if (cut !== undefined) {
      cuts.push(cut);
    }
  }
  const edges = [range.from, ...cuts, range.to];
  return cuts.length === 0 ? [range] : edges.slice(1).map((to, index) => ({ from: edges[index] ?? range.from, to }));
}

/** The local midnights strictly between `range.from` and `range.to`, ascending. */
function midnightsWithin(range: DueDateRange, timeZone: string): Date[] {
  if (!(range.from < range.to)) {
    return [];
  }
  const first = calendarDateIn(range.from, timeZone);
  const days = daysBetween(first, calendarDateIn(range.to, timeZone));
  const midnights: Date[] = [];
  for (let day = 1; day <= days; day += 1) {
    const midnight = startOfDayIn(addDays(first, day), timeZone);
    if (midnight > range.from && midnight < range.to) {
      midnights.push(midnight);
    }
  }
  return midnights;
}
