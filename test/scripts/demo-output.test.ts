import { describe, expect, it } from 'vitest';
import { compareIds, maskEmail, parseSkippedItem, summariseSkipped } from '../../scripts/support/demo-output.js';

describe('demo output', () => {
  it('sorts ids as numbers where their parts are numbers', () => {
    const ids = ['10:2026-12-03:3', '1:2026-12-08:7', '2:2026-12-08:7', '1:2026-12-04:3', 'abc', '9:2026-12-07:7'];
    expect([...ids].sort(compareIds)).toEqual([
      '1:2026-12-04:3',
      '1:2026-12-08:7',
      '2:2026-12-08:7',
      '9:2026-12-07:7',
      '10:2026-12-03:3',
      'abc',
    ]);
    expect(['10', '9', '100', '1'].sort(compareIds)).toEqual(['1', '9', '10', '100']);
  });

  it('summarises skipped items by reason in SKIP_REASONS order, then by id as numbers', () => {
    const lines = [
      '13: statusClosed',
      '8: pastDue',
      '32: statusClosed',
      '33: statusUnknown',
      '12: statusClosed',
      '100: pastDue',
    ]
      .map((entry) => `Run r1: skipped item ${entry}`)
      .map((message) => parseSkippedItem(message))
      .filter((item) => item !== undefined);
    expect(summariseSkipped(lines)).toEqual([
      'statusClosed (3): item 12, 13, 32',
      'statusUnknown (1): item 33',
      'pastDue (2): item 8, 100',
    ]);
    expect(parseSkippedItem('Run r1: timer fired')).toBeUndefined();
  });

  it('masks addresses', () => {
    expect(maskEmail('ap@mueller-logistik.de')).toBe('a***@mueller-logistik.de');
    expect(maskEmail('nobody')).toBe('***');
  });
});
