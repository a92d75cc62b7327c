import { describe, expect, it } from 'vitest';
import { isLoopbackHost } from '../../../shared/http/loopback.js';

describe('isLoopbackHost', () => {
  it('accepts localhost, 127.0.0.0/8 and ::1 only', () => {
    for (const host of ['localhost', 'LOCALHOST', '127.0.0.1', '127.10.0.3', '[::1]', '::1'])
      expect(isLoopbackHost(host), host).toBe(true);
    for (const host of [
      'due-notifier-kv.vault.azure.net',
      'localhost.evil.example',
      '128.0.0.1',
      '127.0.0.1.nip.io',
      '[::2]',
      '10.0.0.1',
    ])
      expect(isLoopbackHost(host), host).toBe(false);
  });
});
