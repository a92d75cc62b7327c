import { describe, expect, it } from 'vitest';
import { startOfDayIn } from '../../../shared/reminders/calendar.js';
import { createDueDateZoneCheck } from '../../../shared/reminders/zone-check.js';

/** A date-only value as Graph returns it for a site in `timeZone`: the UTC instant of local midnight. */
function dateOnly(date: string, timeZone: string): string {
  return startOfDayIn(date, timeZone).toISOString().replace('.000Z', 'Z');
}

const DATES = ['2026-10-20', '2026-10-26', '2026-12-03', '2027-03-29'];

describe('createDueDateZoneCheck', () => {
  it('finds nothing when every due date is a midnight in the rules zone', () => {
    for (const timeZone of ['Europe/Berlin', 'America/New_York', 'Pacific/Auckland', 'America/Santiago']) {
      const check = createDueDateZoneCheck(timeZone);
      for (const date of DATES) check.record(dateOnly(date, timeZone));
      expect(check.result(), timeZone).toBeUndefined();
    }
  });

  it('counts date-only values of a Berlin site read in UTC, and names the zones that fit them all', () => {
    const check = createDueDateZoneCheck('UTC');
    for (const date of DATES) check.record(dateOnly(date, 'Europe/Berlin'));
    check.record(dateOnly('2026-12-03', 'Europe/Berlin')); // the same instant again counts again
    expect(dateOnly('2026-12-03', 'Europe/Berlin')).toBe('2026-12-02T23:00:00Z');
    const mismatch = check.result();
    expect(mismatch?.count).toBe(5);
    expect(mismatch?.fittingZones).toContain('Europe/Berlin');
    expect(mismatch?.fittingZones).not.toContain('Europe/London');
    // Winter and summer values: zones without the same DST rules (Africa/Lagos) do not fit.
    expect(mismatch?.fittingZones).not.toContain('Africa/Lagos');
    expect(mismatch?.fittingZones.slice(0, 3)).toEqual(['Europe/Amsterdam', 'Europe/Andorra', 'Europe/Belgrade']);
    expect(mismatch?.offsets).toEqual(['GMT+01:00', 'GMT+02:00']);
  });

  it('names zones of the rules zone area first', () => {
    const check = createDueDateZoneCheck('America/Chicago');
    check.record(dateOnly('2026-12-03', 'America/New_York'));
    expect(check.result()?.fittingZones[0]).toMatch(/^America\//);
  });

  it('ignores date-only texts, non-instants and values that are midnights in no single zone (times of day)', () => {
    const check = createDueDateZoneCheck('Europe/Berlin');
    for (const value of ['2026-12-03', 'soon', 42, null, undefined, dateOnly('2026-12-03', 'Europe/Berlin')]) {
      check.record(value);
    }
    expect(check.result()).toBeUndefined();
    // 09:00 and 17:30 in Berlin: a date-and-time column.
    check.record('2026-12-03T08:00:00Z');
    check.record('2026-12-04T16:30:00Z');
    expect(check.result()).toBeUndefined();
  });
});
