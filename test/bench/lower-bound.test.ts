import { describe, expect, it } from 'vitest';
import { pagesNeeded, sequentialLowerBoundMs } from '../../bench/lower-bound.js';

describe('sequential lower bound', () => {
  it('is ceil(matching items / page size) × page latency', () => {
    expect(sequentialLowerBoundMs({ matchingItems: 27_397, pageSize: 1_000, pageLatencyMs: 100 })).toBe(2_800);
    expect(sequentialLowerBoundMs({ matchingItems: 2_000, pageSize: 1_000, pageLatencyMs: 100 })).toBe(200);
    expect(sequentialLowerBoundMs({ matchingItems: 2_001, pageSize: 1_000, pageLatencyMs: 100 })).toBe(300);
    expect(sequentialLowerBoundMs({ matchingItems: 10_000, pageSize: 200, pageLatencyMs: 7.5 })).toBe(375);
  });

  it('counts one page for an empty answer: it is still a request', () => {
    expect(pagesNeeded(0, 1_000)).toBe(1);
    expect(sequentialLowerBoundMs({ matchingItems: 0, pageSize: 1_000, pageLatencyMs: 100 })).toBe(100);
  });

  it('refuses impossible inputs', () => {
    expect(() => pagesNeeded(-1, 1_000)).toThrow(RangeError);
    expect(() => pagesNeeded(10, 0)).toThrow(RangeError);
    expect(() => pagesNeeded(1.5, 10)).toThrow(RangeError);
    expect(() => sequentialLowerBoundMs({ matchingItems: 1, pageSize: 1, pageLatencyMs: -1 })).toThrow(RangeError);
  });
});
