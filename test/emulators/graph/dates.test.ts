import { describe, expect, it } from 'vitest';
import {
  addDays,
  createZonedCalendar,
  formatGraphInstant,
  isCalendarDate,
  parseGraphInstant,
} from '../../../emulators/graph/dates.js';

const iso = (instant: number): string => new Date(instant).toISOString();

describe('the emulator’s site calendar', () => {
  it('stores a date-only value as midnight in the site’s zone', () => {
    const berlin = createZonedCalendar('Europe/Berlin');
    expect(iso(berlin.startOfDay('2026-12-01'))).toBe('2026-11-30T23:00:00.000Z');
    expect(iso(berlin.startOfDay('2026-07-15'))).toBe('2026-07-14T22:00:00.000Z');
    expect(berlin.dateOf(Date.parse('2026-11-30T23:00:00Z'))).toBe('2026-12-01');
    expect(berlin.dateOf(Date.parse('2026-11-30T22:59:59Z'))).toBe('2026-11-30');
  });

  it('starts a day whose midnight DST skips at the transition, and a day with two midnights at the first', () => {
    expect(iso(createZonedCalendar('America/Santiago').startOfDay('2026-09-06'))).toBe('2026-09-06T04:00:00.000Z');
    expect(iso(createZonedCalendar('America/Havana').startOfDay('2026-11-01'))).toBe('2026-11-01T04:00:00.000Z');
  });

  it('names the zone canonically and rejects unknown zones', () => {
    expect(createZonedCalendar('UTC').timeZone).toBe('UTC');
    expect(() => createZonedCalendar('Mars/Olympus_Mons')).toThrow(RangeError);
  });
});

describe('dates and instants as Graph writes them', () => {
  it('accepts real YYYY-MM-DD dates only', () => {
    expect(isCalendarDate('2028-02-29')).toBe(true);
    for (const bad of ['2027-02-29', '2026-13-01', '20260101', '+002026-01-01', '2026-01-01T00:00:00Z', '']) {
      expect(isCalendarDate(bad), bad).toBe(false);
    }
    expect(addDays('2028-02-28', 2)).toBe('2028-03-01');
    expect(() => addDays('2026-02-30', 1)).toThrow(RangeError);
  });

  it('reads instants with Z or an offset, and writes them with seconds and Z', () => {
    expect(parseGraphInstant('2026-12-01T08:00:00.5+01:00')).toBe(Date.parse('2026-12-01T07:00:00.500Z'));
    expect(parseGraphInstant('2026-11-30T23:00Z')).toBe(Date.parse('2026-11-30T23:00:00Z'));
    for (const bad of ['2026-02-30T00:00:00Z', '2026-01-01T24:00:00Z', '2026-01-01T00:00:00', '2026-01-01 00:00:00Z']) {
      expect(parseGraphInstant(bad), bad).toBeUndefined();
    }
    expect(formatGraphInstant(Date.parse('2026-11-30T23:00:00.789Z'))).toBe('2026-11-30T23:00:00Z');
  });
});
