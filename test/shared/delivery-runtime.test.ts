import { afterEach, describe, expect, it } from 'vitest';
import { ConfigError } from '../../shared/base/errors.js';
import {
  createLedgerTableClient,
  getDeliveryRuntime,
  getReminderLedger,
  resetDeliveryRuntime,
} from '../../shared/delivery-runtime.js';
import { loadConfig } from '../../shared/config/config.js';
import { resetDaemonRuntime } from '../../shared/runtime.js';
import { REQUIRED_SETTINGS } from '../support/settings.js';

const ACCOUNT_KEY = Buffer.from('not a real key, but base64 like one').toString('base64');

const SETTINGS = { ...REQUIRED_SETTINGS, SENDER_MAILBOX: 'billing@contoso.com' };

afterEach(() => {
  resetDeliveryRuntime();
  resetDaemonRuntime();
});

describe('createLedgerTableClient', () => {
  it('uses the table service URI with the app identity for identity-based connections', () => {
    const client = createLedgerTableClient(
      {
        kind: 'identity',
        queueServiceUri: 'https://contoso.queue.core.windows.net',
        tableServiceUri: 'https://contoso.table.core.windows.net',
      },
      'reminderledger',
    );
    expect(client.url).toBe('https://contoso.table.core.windows.net');
    expect(client.tableName).toBe('reminderledger');
  });

  it('allows plain http for a loopback endpoint (Azurite) only', async () => {
    const local = createLedgerTableClient(
      { kind: 'connectionString', connectionString: 'UseDevelopmentStorage=true' },
      'reminderledger',
    );
    expect(local.url).toBe('http://127.0.0.1:10002/devstoreaccount1');

    const remote = createLedgerTableClient(
      {
        kind: 'connectionString',
        connectionString: `DefaultEndpointsProtocol=http;AccountName=contoso;AccountKey=${ACCOUNT_KEY};TableEndpoint=http://contoso.example`,
      },
      'reminderledger',
    );
    // The SDK refuses before sending anything: the account key never goes over plain http.
    await expect(remote.createTable()).rejects.toThrow(/allowInsecureConnection is false/);
  });
});

describe('getDeliveryRuntime', () => {
  it('builds the clients once per configuration and shares the ledger with the sweep', () => {
    const runtime = getDeliveryRuntime(SETTINGS);
    expect(getDeliveryRuntime({ ...SETTINGS })).toBe(runtime);
    expect(runtime.settings).toEqual({
      senderMailbox: 'billing@contoso.com',
      saveToSentItems: false,
      claimDurationMs: 300_000,
      timeZone: 'UTC',
    });
    expect(getReminderLedger(loadConfig(SETTINGS))).toBe(runtime.ledger);
    expect(runtime.ledger.table.tableName).toBe('reminderledger');

    const changed = getDeliveryRuntime({ ...SETTINGS, SAVE_TO_SENT_ITEMS: 'true' });
    expect(changed).not.toBe(runtime);
    expect(changed.settings.saveToSentItems).toBe(true);
  });

  it('requires SENDER_MAILBOX', () => {
    expect(() => getDeliveryRuntime({ ...SETTINGS, SENDER_MAILBOX: undefined })).toThrow(ConfigError);
    expect(() => getDeliveryRuntime({ ...SETTINGS, SENDER_MAILBOX: undefined })).toThrow(/SENDER_MAILBOX is required/);
  });
});
