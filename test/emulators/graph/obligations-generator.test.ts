import { performance } from 'node:perf_hooks';
import { describe, expect, it } from 'vitest';
import type { ObligationsGenerator } from '../../../emulators/graph/obligations-generator.js';
import {
  createObligationsGenerator,
  ObligationsGeneratorError,
} from '../../../emulators/graph/obligations-generator.js';

const now = new Date('2026-11-26T12:00:00Z');
const BERLIN = 'Europe/Berlin';

function generator(count: number, options: { seed?: number; from?: string; days?: number } = {}): ObligationsGenerator {
  return createObligationsGenerator({
    seed: { count, seed: options.seed ?? 42, from: options.from ?? '2026-10-01', days: options.days ?? 365 },
    timeZone: BERLIN,
    now,
  });
}

describe('createObligationsGenerator', () => {
  it('computes the same item from the same (seed, index), and other items from another seed', () => {
    const first = generator(100_000);
    const second = generator(100_000);
    const other = generator(100_000, { seed: 43 });
    for (const index of [0, 1, 777, 50_000, 99_999]) {
      expect(second.itemAt(index)).toEqual(first.itemAt(index));
    }
    const differing = [0, 1, 777, 50_000, 99_999].filter(
      (index) => JSON.stringify(other.itemAt(index).fields) !== JSON.stringify(first.itemAt(index).fields),
    );
    expect(differing.length).toBeGreaterThanOrEqual(4);
  });

  it('produces realistic fields', () => {
    const obligations = generator(20_000);
    const currencies = new Set<string>();
    const statuses = new Set<string>();
    for (let index = 0; index < obligations.count; index += 97) {
      const { id, fields, createdDateTime, lastModifiedDateTime } = obligations.itemAt(index);
      expect(id).toBe(String(index + 1));
      expect(fields.Title).toMatch(new RegExp(`^INV-20\\d\\d-${String(index + 1).padStart(6, '0')}$`));
      expect(fields.CustomerName).toMatch(/^\w+ \w+ \w+ \S/);
      expect(fields.DueDate).toMatch(/^\d{4}-\d{2}-\d{2}$/);
      expect(fields.AmountDue).toBeGreaterThan(0);
      expect(Math.round(fields.AmountDue * 100) / 100).toBe(fields.AmountDue);
      if (fields.Currency === 'JPY') {
        expect(Number.isInteger(fields.AmountDue)).toBe(true);
      }
      if (fields.Status === 'Overdue') {
        expect(fields.DueDate < '2026-11-26').toBe(true);
      }
      expect(createdDateTime).toBeLessThanOrEqual(lastModifiedDateTime);
      expect(lastModifiedDateTime).toBeLessThanOrEqual(now.getTime());
      currencies.add(fields.Currency);
      statuses.add(fields.Status);
    }
    expect([...currencies].sort()).toEqual(['CHF', 'EUR', 'GBP', 'JPY', 'USD']);
    expect([...statuses].sort()).toEqual(['Cancelled', 'Open', 'Overdue', 'Paid']);
  });

  it('makes a small fraction of customer e-mail addresses malformed on purpose', () => {
    const obligations = generator(20_000);
    const wellFormed = /^[a-z]+@[a-z0-9-]+\.example$/;
    let malformed = 0;
    for (let index = 0; index < obligations.count; index += 1) {
      if (!wellFormed.test(obligations.itemAt(index).fields.CustomerEmail)) {
        malformed += 1;
      }
    }
    const share = malformed / obligations.count;
    expect(share).toBeGreaterThan(0.005);
    expect(share).toBeLessThan(0.05);
  });

  it('spreads due dates over the window in index order, as midnights in the site zone', () => {
    const obligations = generator(10_000, { from: '2026-12-01', days: 10 });
    expect(obligations.firstDueDate).toBe('2026-12-01');
    expect(obligations.itemAt(0).fields.DueDate).toBe('2026-12-01');
    expect(obligations.itemAt(9_999).fields.DueDate).toBe('2026-12-10');
    expect(obligations.dueInstantAt(0)).toBe(Date.parse('2026-11-30T23:00:00Z'));
    const outOfOrder: number[] = [];
    for (let index = 1; index < obligations.count; index += 1) {
      if (obligations.dueInstantAt(index) < obligations.dueInstantAt(index - 1)) {
        outOfOrder.push(index);
      }
    }
    expect(outOfOrder).toEqual([]);
  });

  it('resolves a relative start date against now in the site zone', () => {
    expect(generator(10, { from: 'today-30' }).firstDueDate).toBe('2026-10-27');
    expect(generator(10, { from: 'today' }).firstDueDate).toBe('2026-11-26');
  });

  it('maps a due-date window to exactly the items inside it', () => {
    const obligations = generator(50_000, { from: '2026-12-01', days: 90 });
    const cases = [
      [
        { instant: Date.parse('2027-01-10T00:00:00Z'), inclusive: true },
        { instant: Date.parse('2027-01-20T00:00:00Z'), inclusive: false },
      ],
      [
        { instant: Date.parse('2027-01-09T23:00:00Z'), inclusive: true },
        { instant: Date.parse('2027-01-19T23:00:00Z'), inclusive: true },
      ],
      [{ instant: Date.parse('2027-01-09T23:00:00Z'), inclusive: false }, undefined],
      [undefined, { instant: Date.parse('2026-12-01T23:00:00Z'), inclusive: false }],
    ] as const;
    for (const [lower, upper] of cases) {
      const { start, end } = obligations.indexRangeForDueDates(lower, upper);
      const inside = (index: number): boolean => {
        const instant = obligations.dueInstantAt(index);
        const aboveLower =
          lower === undefined || (lower.inclusive ? instant >= lower.instant : instant > lower.instant);
        const belowUpper =
          upper === undefined || (upper.inclusive ? instant <= upper.instant : instant < upper.instant);
        return aboveLower && belowUpper;
      };
      expect(end).toBeGreaterThan(start);
      const misplaced: number[] = [];
      for (let index = 0; index < obligations.count; index += 1) {
        if (inside(index) !== (index >= start && index < end)) {
          misplaced.push(index);
        }
      }
      expect(misplaced).toEqual([]);
    }
    expect(obligations.indexRangeForDueDates({ instant: Date.parse('2030-01-01T00:00:00Z'), inclusive: true })).toEqual(
      { start: 0, end: 0 },
    );
  });

  it('serves a million items without holding them: a date window and a page of 200 in milliseconds', () => {
    const started = performance.now();
    const obligations = generator(1_000_000);
    const range = obligations.indexRangeForDueDates(
      { instant: Date.parse('2027-03-01T00:00:00Z'), inclusive: true },
      { instant: Date.parse('2027-03-08T00:00:00Z'), inclusive: false },
    );
    const page = Array.from({ length: 200 }, (_, offset) => obligations.itemAt(range.start + offset));
    const elapsed = performance.now() - started;
    expect(range.end - range.start).toBeGreaterThan(15_000);
    expect(page.every((item) => item.fields.DueDate >= '2027-03-02' && item.fields.DueDate <= '2027-03-08')).toBe(true);
    expect(obligations.itemAt(999_999).id).toBe('1000000');
    expect(elapsed).toBeLessThan(500);
  });

  it.each([
    [{ count: -1, seed: 1, from: '2026-12-01', days: 10 }, 'generate.count'],
    [{ count: 20_000_000, seed: 1, from: '2026-12-01', days: 10 }, 'generate.count'],
    [{ count: 10, seed: 1, from: '2026-12-01', days: 0 }, 'generate.days'],
    [{ count: 10, seed: 1.5, from: '2026-12-01', days: 10 }, 'generate.seed'],
  ])('refuses an invalid seed %j', (seed, fragment) => {
    expect(() => createObligationsGenerator({ seed, timeZone: BERLIN, now })).toThrow(ObligationsGeneratorError);
    expect(() => createObligationsGenerator({ seed, timeZone: BERLIN, now })).toThrow(fragment);
  });

  it('refuses an unknown time zone and an index outside the list', () => {
    expect(() =>
      createObligationsGenerator({
        seed: { count: 1, seed: 1, from: '2026-12-01', days: 1 },
        timeZone: 'Mars/Olympus',
        now,
      }),
    ).toThrow(ObligationsGeneratorError);
    expect(() => generator(10).itemAt(10)).toThrow(RangeError);
  });
});
