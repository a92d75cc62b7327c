import { describe, expect, it } from 'vitest';
import {
  addDays,
  calendarDateIn,
  clearCalendarCache,
  daysBetween,
  isCalendarDate,
  isValidTimeZone,
  parseIsoInstant,
  startOfDayIn,
} from '../../../shared/reminders/calendar.js';

const at = (iso: string): Date => new Date(iso);

describe('calendarDateIn', () => {
  it('reads the date in the zone, not in UTC', () => {
    // A date-only column of a Berlin site: 1 December arrives as 23:00 UTC the day before.
    expect(calendarDateIn(at('2026-11-30T23:00:00Z'), 'Europe/Berlin')).toBe('2026-12-01');
    expect(calendarDateIn(at('2026-11-30T23:00:00Z'), 'UTC')).toBe('2026-11-30');
    expect(calendarDateIn(at('2026-11-30T22:59:59.999Z'), 'Europe/Berlin')).toBe('2026-11-30');
  });

  it('handles instants just around local midnight in zones east and west of UTC', () => {
    expect(calendarDateIn(at('2026-07-01T03:59:59Z'), 'America/New_York')).toBe('2026-06-30');
    expect(calendarDateIn(at('2026-07-01T04:00:00Z'), 'America/New_York')).toBe('2026-07-01');
    expect(calendarDateIn(at('2026-12-31T12:59:59Z'), 'Australia/Sydney')).toBe('2026-12-31');
    expect(calendarDateIn(at('2026-12-31T13:00:00Z'), 'Australia/Sydney')).toBe('2027-01-01');
    expect(calendarDateIn(at('2026-06-30T12:00:00Z'), 'Pacific/Auckland')).toBe('2026-07-01');
    expect(calendarDateIn(at('2026-06-30T11:59:59Z'), 'Pacific/Auckland')).toBe('2026-06-30');
  });

  it('follows daylight saving time', () => {
    // Berlin is UTC+2 in summer and UTC+1 in winter.
    expect(calendarDateIn(at('2026-07-14T22:00:00Z'), 'Europe/Berlin')).toBe('2026-07-15');
    expect(calendarDateIn(at('2026-01-14T22:00:00Z'), 'Europe/Berlin')).toBe('2026-01-14');
    // Auckland is UTC+13 in (southern) summer.
    expect(calendarDateIn(at('2026-01-14T11:00:00Z'), 'Pacific/Auckland')).toBe('2026-01-15');
    expect(calendarDateIn(at('2026-01-14T10:59:59Z'), 'Pacific/Auckland')).toBe('2026-01-14');
  });

  it('accepts epoch milliseconds as well as a Date', () => {
    expect(calendarDateIn(Date.UTC(2028, 1, 29, 12), 'UTC')).toBe('2028-02-29');
  });

  it('writes years outside 1000–9999 the way toISOString does', () => {
    expect(calendarDateIn(at('0099-03-29T12:00:00Z'), 'UTC')).toBe('0099-03-29');
    expect(calendarDateIn(at('-000001-03-29T12:00:00Z'), 'UTC')).toBe('-000001-03-29');
    expect(calendarDateIn(at('+010000-01-01T12:00:00Z'), 'UTC')).toBe('+010000-01-01');
    expect(calendarDateIn(at('9999-12-31T12:00:00Z'), 'Pacific/Kiritimati')).toBe('+010000-01-01');
  });

  it('rejects unknown zones and invalid instants', () => {
    expect(() => calendarDateIn(at('2026-01-01T00:00:00Z'), 'Mars/Olympus_Mons')).toThrow(RangeError);
    expect(() => calendarDateIn(new Date(Number.NaN), 'UTC')).toThrow(RangeError);
  });

  it('gives the same answers after its cache is cleared', () => {
    const instant = at('2026-03-29T00:30:00Z');
    const before = calendarDateIn(instant, 'Pacific/Auckland');
    clearCalendarCache();
    expect(calendarDateIn(instant, 'Pacific/Auckland')).toBe(before);
  });
});

describe('addDays', () => {
  it('crosses month and year ends', () => {
    expect(addDays('2026-01-31', 1)).toBe('2026-02-01');
    expect(addDays('2026-12-31', 1)).toBe('2027-01-01');
    expect(addDays('2027-01-01', -1)).toBe('2026-12-31');
    expect(addDays('2026-03-01', -1)).toBe('2026-02-28');
    expect(addDays('2026-11-24', 7)).toBe('2026-12-01');
    expect(addDays('2026-05-05', 0)).toBe('2026-05-05');
  });

  it('knows leap days', () => {
    expect(addDays('2028-02-28', 1)).toBe('2028-02-29');
    expect(addDays('2028-02-29', 1)).toBe('2028-03-01');
    expect(addDays('2028-03-01', -1)).toBe('2028-02-29');
    expect(addDays('2100-02-28', 1)).toBe('2100-03-01');
    expect(addDays('2000-02-28', 1)).toBe('2000-02-29');
    expect(addDays('2028-02-29', 365)).toBe('2029-02-28');
  });

  it('is unaffected by daylight saving time (dates are not instants)', () => {
    expect(addDays('2026-03-28', 1)).toBe('2026-03-29');
    expect(addDays('2026-10-25', 1)).toBe('2026-10-26');
  });

  it('rejects anything but a real YYYY-MM-DD date and whole days', () => {
    for (const bad of [
      '2026-02-29',
      '2026-13-01',
      '2026-00-10',
      '2026-04-31',
      '2026-1-1',
      '26-01-01',
      '2026-01-01T00:00:00Z',
      '',
    ]) {
      expect(() => addDays(bad, 1), bad).toThrow(RangeError);
    }
    expect(() => addDays('2026-01-01', 1.5)).toThrow(RangeError);
  });
});

describe('daysBetween', () => {
  it('counts whole days, negative when going back', () => {
    expect(daysBetween('2026-11-24', '2026-12-01')).toBe(7);
    expect(daysBetween('2026-12-01', '2026-11-24')).toBe(-7);
    expect(daysBetween('2026-12-31', '2027-01-01')).toBe(1);
    expect(daysBetween('2028-02-28', '2028-03-01')).toBe(2);
    expect(daysBetween('2026-02-28', '2026-03-01')).toBe(1);
    expect(daysBetween('2026-01-01', '2027-01-01')).toBe(365);
    expect(daysBetween('2028-01-01', '2029-01-01')).toBe(366);
    expect(daysBetween('2026-06-15', '2026-06-15')).toBe(0);
  });

  it('is the inverse of addDays', () => {
    for (const days of [-400, -31, -1, 0, 1, 29, 366, 1000]) {
      expect(daysBetween('2028-02-29', addDays('2028-02-29', days))).toBe(days);
    }
  });

  it('rejects malformed dates', () => {
    expect(() => daysBetween('2026-02-30', '2026-03-01')).toThrow(RangeError);
  });
});

describe('isCalendarDate', () => {
  it('accepts real dates only', () => {
    expect(isCalendarDate('2028-02-29')).toBe(true);
    expect(isCalendarDate('2027-02-29')).toBe(false);
    expect(isCalendarDate('2026-12-01 ')).toBe(false);
    expect(isCalendarDate('2026-00-01')).toBe(false);
    expect(isCalendarDate('2026-01-00')).toBe(false);
    expect(isCalendarDate('2026-01-32')).toBe(false);
    expect(isCalendarDate('2100-02-29')).toBe(false);
    expect(isCalendarDate('2000-02-29')).toBe(true);
    expect(isCalendarDate('0004-02-29')).toBe(true);
    expect(isCalendarDate('+010000-02-29')).toBe(true);
    expect(isCalendarDate('-000000-01-01')).toBe(false);
    expect(isCalendarDate('+275761-01-01')).toBe(false);
  });
});

describe('startOfDayIn', () => {
  it('is local midnight on an ordinary day', () => {
    expect(startOfDayIn('2026-12-01', 'Europe/Berlin').toISOString()).toBe('2026-11-30T23:00:00.000Z');
    expect(startOfDayIn('2026-07-15', 'Europe/Berlin').toISOString()).toBe('2026-07-14T22:00:00.000Z');
    expect(startOfDayIn('2026-07-01', 'America/New_York').toISOString()).toBe('2026-07-01T04:00:00.000Z');
    expect(startOfDayIn('2026-01-15', 'Pacific/Auckland').toISOString()).toBe('2026-01-14T11:00:00.000Z');
    expect(startOfDayIn('2026-06-15', 'UTC').toISOString()).toBe('2026-06-15T00:00:00.000Z');
  });

  it('is local midnight on days with a DST transition later in the day', () => {
    // Berlin springs forward at 02:00 and falls back at 03:00; midnight is unaffected.
    expect(startOfDayIn('2026-03-29', 'Europe/Berlin').toISOString()).toBe('2026-03-28T23:00:00.000Z');
    expect(startOfDayIn('2026-03-30', 'Europe/Berlin').toISOString()).toBe('2026-03-29T22:00:00.000Z');
    expect(startOfDayIn('2026-10-25', 'Europe/Berlin').toISOString()).toBe('2026-10-24T22:00:00.000Z');
    expect(startOfDayIn('2026-10-26', 'Europe/Berlin').toISOString()).toBe('2026-10-25T23:00:00.000Z');
    expect(startOfDayIn('2026-03-08', 'America/New_York').toISOString()).toBe('2026-03-08T05:00:00.000Z');
    expect(startOfDayIn('2026-04-05', 'Australia/Sydney').toISOString()).toBe('2026-04-04T13:00:00.000Z');
    expect(startOfDayIn('2026-09-27', 'Pacific/Auckland').toISOString()).toBe('2026-09-26T12:00:00.000Z');
  });

  it('is the transition itself where DST skips midnight', () => {
    // Santiago and Havana move their clocks from 00:00 to 01:00: the day starts at 01:00.
    expect(startOfDayIn('2026-09-06', 'America/Santiago').toISOString()).toBe('2026-09-06T04:00:00.000Z');
    expect(calendarDateIn(at('2026-09-06T03:59:59.999Z'), 'America/Santiago')).toBe('2026-09-05');
    expect(startOfDayIn('2026-03-08', 'America/Havana').toISOString()).toBe('2026-03-08T05:00:00.000Z');
  });

  it('is the earlier midnight where DST repeats midnight', () => {
    // Havana falls back from 01:00 to 00:00 on 1 November 2026: midnight happens at 04:00Z and 05:00Z.
    expect(startOfDayIn('2026-11-01', 'America/Havana').toISOString()).toBe('2026-11-01T04:00:00.000Z');
  });

  it('is always the first instant of the day (many zones and dates)', () => {
    const zones = [
      'UTC',
      'Europe/Berlin',
      'America/New_York',
      'Australia/Sydney',
      'Pacific/Auckland',
      'America/Santiago',
      'America/Havana',
      'Asia/Kolkata',
      'Pacific/Chatham',
      'Australia/Lord_Howe',
    ];
    for (const zone of zones) {
      for (let date = '2026-01-01'; date < '2027-01-01'; date = addDays(date, 13)) {
        const start = startOfDayIn(date, zone);
        expect(calendarDateIn(start, zone), `${zone} ${date}`).toBe(date);
        expect(calendarDateIn(start.getTime() - 1, zone), `${zone} ${date}`).toBe(addDays(date, -1));
      }
    }
  });

  it('rejects malformed dates and unknown zones', () => {
    expect(() => startOfDayIn('2026-02-30', 'UTC')).toThrow(RangeError);
    expect(() => startOfDayIn('2026-02-01', 'Nowhere/Special')).toThrow(RangeError);
  });
});

describe('isValidTimeZone', () => {
  it('accepts IANA names Intl knows', () => {
    for (const zone of ['UTC', 'Europe/Berlin', 'America/Argentina/Buenos_Aires', 'Pacific/Chatham']) {
      expect(isValidTimeZone(zone), zone).toBe(true);
    }
  });

  it('rejects unknown names, fixed offsets and padded names', () => {
    for (const zone of ['', 'Mars/Olympus_Mons', 'Europe/Berlin ', '+01:00', '-05:00', 'CET+1']) {
      expect(isValidTimeZone(zone), zone).toBe(false);
    }
  });
});

describe('parseIsoInstant', () => {
  it('reads the instants Graph returns', () => {
    expect(parseIsoInstant('2026-11-30T23:00:00Z')?.toISOString()).toBe('2026-11-30T23:00:00.000Z');
    expect(parseIsoInstant('2026-11-30T23:00Z')?.toISOString()).toBe('2026-11-30T23:00:00.000Z');
    expect(parseIsoInstant('2028-02-29T12:34:56.789123Z')?.toISOString()).toBe('2028-02-29T12:34:56.789Z');
    expect(parseIsoInstant('2026-11-30T23:00:00.5Z')?.toISOString()).toBe('2026-11-30T23:00:00.500Z');
  });

  it('applies the offset', () => {
    expect(parseIsoInstant('2026-12-01T00:00:00+01:00')?.toISOString()).toBe('2026-11-30T23:00:00.000Z');
    expect(parseIsoInstant('2026-12-31T20:00:00-05:30')?.toISOString()).toBe('2027-01-01T01:30:00.000Z');
  });

  it('rejects what Date.parse would bend: impossible dates and times, and missing offsets', () => {
    for (const bad of [
      '2026-02-30T00:00:00Z',
      '2026-13-01T00:00:00Z',
      '2026-01-01T24:00:00Z',
      '2026-01-01T23:60:00Z',
      '2026-01-01T23:59:60Z',
      '2026-01-01T00:00:00',
      '2026-01-01T00:00:00+24:00',
      '2026-01-01',
      '2026-01-01 00:00:00Z',
      ' 2026-01-01T00:00:00Z',
      'tomorrow',
    ]) {
      expect(parseIsoInstant(bad), bad).toBeUndefined();
    }
  });
});
