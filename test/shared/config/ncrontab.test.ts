import { describe, expect, it } from 'vitest';
import { ncrontabProblem } from '../../../shared/config/ncrontab.js';

describe('ncrontabProblem', () => {
  it('accepts six-field expressions: *, values, ranges, lists, steps and names', () => {
    for (const expression of [
      '0 0 7 * * *',
      '*/30 * * * * *',
      '0 */5 8-18 * * MON-FRI',
      '0 0 7 1,15 * *',
      '0 0 7 * jan,Jul *',
      '0 15 7 * * sun',
      '5/15 0 7 * * *',
      '0 0 0-23/3 1-31 1-12 0-6',
      '59 59 23 31 12 6',
    ]) {
      expect(ncrontabProblem(expression), expression).toBeUndefined();
    }
  });

  it('counts fields', () => {
    expect(ncrontabProblem('0 7 * * *')).toBe('5 fields instead of 6');
    expect(ncrontabProblem('*')).toBe('1 field instead of 6');
  });

  it('checks each field against its range and syntax', () => {
    expect(ncrontabProblem('0 0 7 * * 7')).toBe('day-of-week field "7" has a value outside 0-6');
    expect(ncrontabProblem('0 0 7 * JAN-FOO *')).toBe('month field "JAN-FOO" has a value outside 1-12');
    expect(ncrontabProblem('0 0 7 * * MON')).toBeUndefined();
    expect(ncrontabProblem('0 0 7 MON * *')).toBe('day field "MON" has a value outside 1-31');
    expect(ncrontabProblem('0 0 7 20-10 * *')).toBe('day field "20-10" has a range that runs backwards');
    expect(ncrontabProblem('0 0 */0 * * *')).toBe('hour field "*/0" has a step of 0');
    expect(ncrontabProblem('0 0 7,,8 * * *')).toBe('hour field "7,,8" is not a list of *, n, a-b or */step');
    expect(ncrontabProblem('0 0 7 ? * *')).toBe('day field "?" is not a list of *, n, a-b or */step');
    expect(ncrontabProblem('0 0 7 * * 1#2')).toBe('day-of-week field "1#2" is not a list of *, n, a-b or */step');
  });
});
