import { describe, expect, it } from 'vitest';
import { createRangePlanner } from '../../../shared/sweep/range-planner.js';

describe('createRangePlanner', () => {
  it('plans the most ranges without a last run', () => {
    expect(createRangePlanner().rangesFor('site/list', 4, 1_000)).toBe(4);
  });

  it('plans one range when the last window fitted in one page, the most otherwise', () => {
    const planner = createRangePlanner();
    planner.record('site/list', 1_000);
    expect(planner.rangesFor('site/list', 4, 1_000)).toBe(1);
    planner.record('site/list', 1_001);
    expect(planner.rangesFor('site/list', 4, 1_000)).toBe(4);
    planner.record('site/list', 0);
    expect(planner.rangesFor('site/list', 4, 1_000)).toBe(1);
  });

  it('keeps lists apart and forgets everything on reset', () => {
    const planner = createRangePlanner();
    planner.record('site/small', 10);
    expect(planner.rangesFor('site/small', 4, 1_000)).toBe(1);
    expect(planner.rangesFor('site/large', 4, 1_000)).toBe(4);
    planner.reset();
    expect(planner.rangesFor('site/small', 4, 1_000)).toBe(4);
  });
});
