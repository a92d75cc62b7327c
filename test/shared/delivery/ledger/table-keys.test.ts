/** Table keys of the ledger: encoding, and the index's partitions. */
import { describe, expect, it } from 'vitest';
import { encodeTableKey, sentIndexPartitionKey } from '../../../../shared/delivery/ledger/index.js';

describe('table keys', () => {
  it('percent-encodes the characters Table storage forbids in keys, and % itself; ordinary ids stay as they are', () => {
    expect(encodeTableKey('17:2026-12-08:7')).toBe('17:2026-12-08:7');
    expect(encodeTableKey('a/b\\c#d?e%f\u0001g\u007fh\u0085')).toBe('a%2Fb%5Cc%23d%3Fe%25f%01g%7Fh%85');
  });

  it('never shares a partition with an obligation: encoded ids have a % only before two hex digits', () => {
    expect(sentIndexPartitionKey('2026-12-08')).toMatch(/%[^0-9A-F]/);
    for (const id of ['%sent:2026-12-08', '%s', 'a%b']) {
      expect(encodeTableKey(id)).not.toMatch(/%[^0-9A-F]/);
      expect(encodeTableKey(id)).not.toMatch(/%[0-9A-F]?$/);
    }
  });
});
