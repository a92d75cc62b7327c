import { afterEach, describe, expect, it } from 'vitest';
import { installSimulatedDate } from '../../bench/daemon/simulated-date.js';
import type { SimulatedClock } from '../../bench/daemon/simulated-date.js';

const HOUR = 3_600_000;

describe('simulated Date', () => {
  let clock: SimulatedClock | undefined;
  afterEach(() => {
    clock?.restore();
    clock = undefined;
  });

  it('runs Date.now() and new Date() ahead by the offset, leaving explicit dates and performance.now() alone', () => {
    const RealDate = Date;
    clock = installSimulatedDate();
    clock.setOffset(5 * HOUR);
    const real = RealDate.now();
    expect(Date.now() - real).toBeGreaterThanOrEqual(5 * HOUR);
    expect(Date.now() - real).toBeLessThan(5 * HOUR + 1_000);
    expect(new Date().getTime() - real).toBeGreaterThanOrEqual(5 * HOUR);
    expect(new Date('2026-12-01T00:00:00Z').toISOString()).toBe('2026-12-01T00:00:00.000Z');
    expect(new Date(0).getTime()).toBe(0);
    expect(Date.UTC(2026, 11, 1)).toBe(RealDate.UTC(2026, 11, 1));
    expect(Math.abs(performance.now() + performance.timeOrigin - real)).toBeLessThan(1_000);
  });

  it('keeps instanceof and the string form working', () => {
    clock = installSimulatedDate();
    clock.setOffset(24 * HOUR);
    const now = new Date();
    expect(now).toBeInstanceOf(Date);
    // `Date()` as a function: the simulated now as a string (to the second).
    expect(Math.abs(Date.parse(Date()) - Date.now())).toBeLessThan(2_000);
  });

  it('moves with every new offset and goes back to real time on restore', () => {
    clock = installSimulatedDate();
    clock.setOffset(HOUR);
    const first = Date.now();
    clock.setOffset(3 * HOUR);
    expect(Date.now() - first).toBeGreaterThanOrEqual(2 * HOUR - 1_000);
    expect(clock.offsetMs).toBe(3 * HOUR);
    clock.restore();
    clock = undefined;
    expect(Math.abs(Date.now() - (performance.timeOrigin + performance.now()))).toBeLessThan(1_000);
  });

  it('refuses an offset that is not a finite number', () => {
    clock = installSimulatedDate();
    expect(() => clock?.setOffset(Number.NaN)).toThrow(RangeError);
  });
});
