import { describe, expect, it } from 'vitest';
import { addDays, calendarDateIn, startOfDayIn } from '../../../shared/reminders/calendar.js';
import { splitDueDateRange } from '../../../shared/sweep/due-date-ranges.js';
import type { DueDateRange } from '../../../shared/sweep/due-date-ranges.js';

const BERLIN = 'Europe/Berlin';

function berlinDays(first: string, days: number): DueDateRange {
  return { from: startOfDayIn(first, BERLIN), to: startOfDayIn(addDays(first, days), BERLIN) };
}

function daysIn(range: DueDateRange): number {
  return Math.round((range.to.getTime() - range.from.getTime()) / 86_400_000);
}

function expectContiguous(window: DueDateRange, ranges: readonly DueDateRange[]): void {
  expect(ranges[0]?.from).toEqual(window.from);
  expect(ranges.at(-1)?.to).toEqual(window.to);
  for (const [index, range] of ranges.entries()) {
    expect(range.from < range.to).toBe(true);
    if (index > 0) {
      expect(range.from).toEqual(ranges[index - 1]?.to);
    }
  }
}

describe('splitDueDateRange', () => {
  it('keeps the window whole for one part', () => {
    const window = berlinDays('2026-12-01', 10);
    expect(splitDueDateRange(window, 1, BERLIN)).toEqual([window]);
  });

  it('cuts a 10-day window into 4 contiguous ranges of 2 or 3 whole days, at local midnights', () => {
    const window = berlinDays('2026-11-30', 10);
    const ranges = splitDueDateRange(window, 4, BERLIN);
    expect(ranges).toHaveLength(4);
    expectContiguous(window, ranges);
    expect(ranges.map(daysIn)).toEqual([3, 2, 3, 2]);
    for (const range of ranges.slice(1)) {
      // A cut is the first instant of a Berlin day: a millisecond earlier is the day before.
      expect(calendarDateIn(new Date(range.from.getTime() - 1), BERLIN)).toBe(
        addDays(calendarDateIn(range.from, BERLIN), -1),
      );
    }
  });

  it('cuts at local midnight across a daylight-saving change', () => {
    const window = berlinDays('2026-03-27', 4);
    const ranges = splitDueDateRange(window, 4, BERLIN);
    expect(ranges.map((range) => calendarDateIn(range.from, BERLIN))).toEqual([
      '2026-03-27',
      '2026-03-28',
      '2026-03-29',
      '2026-03-30',
    ]);
    // 29 March 2026 has 23 hours in Berlin.
    expect(ranges[2]?.to.getTime()).toBe((ranges[2]?.from.getTime() ?? 0) + 23 * 3_600_000);
    expectContiguous(window, ranges);
  });

  it('gives fewer ranges than parts when the window has fewer days', () => {
    const window = berlinDays('2026-12-01', 2);
    const ranges = splitDueDateRange(window, 4, BERLIN);
    expect(ranges).toHaveLength(2);
    expectContiguous(window, ranges);
  });

  it('keeps ends that are not midnights, and puts every instant in exactly one range', () => {
    const window = { from: new Date('2026-12-01T13:00:00Z'), to: new Date('2026-12-09T05:30:00Z') };
    const ranges = splitDueDateRange(window, 3, BERLIN);
    expect(ranges).toHaveLength(3);
    expectContiguous(window, ranges);
    for (let instant = window.from.getTime(); instant < window.to.getTime(); instant += 3_600_000) {
      const containing = ranges.filter((range) => range.from.getTime() <= instant && instant < range.to.getTime());
      expect(containing, new Date(instant).toISOString()).toHaveLength(1);
    }
  });

  it('returns an empty window as it is', () => {
    const at = new Date('2026-12-01T00:00:00Z');
    expect(splitDueDateRange({ from: at, to: at }, 4, BERLIN)).toEqual([{ from: at, to: at }]);
  });

  it('refuses a number of parts that is not a whole number >= 1', () => {
    const window = berlinDays('2026-12-01', 10);
    expect(() => splitDueDateRange(window, 0, BERLIN)).toThrow(RangeError);
    expect(() => splitDueDateRange(window, 1.5, BERLIN)).toThrow(RangeError);
  });
});
