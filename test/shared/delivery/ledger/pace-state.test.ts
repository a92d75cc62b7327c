/**
 * A sender mailbox's recipients per hour (pace-state.ts): the last 24 hours, which the daily budget
 * counts, are kept apart from the hours ahead where slots are reserved, and one more recipient now fits
 * only if every 24 hours it falls in, reserved slots included, stays within the budget.
 */
import { describe, expect, it } from 'vitest';
import {
  HOUR,
  count,
  entityOf,
  fitsBudgetAt,
  stateOf,
  usedUpTo,
} from '../../../../shared/delivery/ledger/pace-state.js';

const NOW = Date.parse('2026-12-01T07:00:00Z');
const hourOf = (at: number) => Math.floor(at / HOUR);

describe("a sender mailbox's recipients per hour", () => {
  it('a slot reserved for 08:00 today does not replace the recipients of 08:00 yesterday', () => {
    const state = stateOf(undefined);
    count(state, NOW - 23 * HOUR, 2); // 08:00 yesterday
    count(state, NOW + HOUR, 1); // 08:00 today, reserved ahead
    expect(usedUpTo(state, hourOf(NOW))).toBe(2);
    expect(usedUpTo(state, hourOf(NOW + HOUR))).toBe(1); // yesterday's 08:00 has left that window
    // And so it is stored: read back, the same counts.
    const stored = stateOf(entityOf('billing@contoso.com', state));
    expect(usedUpTo(stored, hourOf(NOW))).toBe(2);
  });

  it('one more now fits only if the 24 hours ending in each later hour with reserved slots keep the budget', () => {
    const state = stateOf(undefined);
    count(state, NOW + 2 * HOUR, 2); // two slots reserved at 09:00
    expect(usedUpTo(state, hourOf(NOW))).toBe(0);
    expect(fitsBudgetAt(state, NOW, 2)).toBe(false); // the 24 hours up to 09:00 would hold 3
    expect(fitsBudgetAt(state, NOW, 3)).toBe(true);
    count(state, NOW, 1);
    expect(fitsBudgetAt(state, NOW + 60_000, 3)).toBe(false);
    // A day later the 07:00 recipient has left the window, the 09:00 ones not yet.
    expect(fitsBudgetAt(state, NOW + 24 * HOUR, 3)).toBe(true);
    expect(fitsBudgetAt(state, NOW + 24 * HOUR, 2)).toBe(false);
  });

  it('counts that yesterday left no longer weigh', () => {
    const state = stateOf(undefined);
    count(state, NOW - 24 * HOUR, 5); // 07:00 yesterday: out of the window ending now
    expect(fitsBudgetAt(state, NOW, 1)).toBe(true);
    count(state, NOW - 23 * HOUR, 1);
    expect(fitsBudgetAt(state, NOW, 1)).toBe(false);
  });
});
