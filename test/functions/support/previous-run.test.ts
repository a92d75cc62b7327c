import { describe, expect, it } from 'vitest';
import { describePreviousRun } from '../../../functions/support/previous-run.js';

describe('describePreviousRun', () => {
  it('says the host\'s "never ran" sentinel in words', () => {
    expect(describePreviousRun('0001-01-01T00:00:00')).toMatch(/^never\b/);
    expect(describePreviousRun(undefined)).toMatch(/^never\b/);
    expect(describePreviousRun('2026-12-01T07:00:00.000Z')).toBe('2026-12-01T07:00:00.000Z');
  });
});
