import type * as Identity from '@azure/identity';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { ConfigError } from '../../shared/base/errors.js';
import { getDaemonRuntime, getDeliveryRuntime, resetDaemonRuntime } from '../../shared/runtime.js';
import { REQUIRED_SETTINGS } from '../support/settings.js';

/** Counts the DefaultAzureCredentials built: the app's identity must be one per runtime. */
const identities = vi.hoisted(() => ({ built: 0 }));
vi.mock('@azure/identity', async (importOriginal) => {
  const actual = await importOriginal<typeof Identity>();
  class CountedDefaultAzureCredential extends actual.DefaultAzureCredential {
    constructor(...args: ConstructorParameters<typeof actual.DefaultAzureCredential>) {
      super(...args);
      identities.built += 1;
    }
  }
  return { ...actual, DefaultAzureCredential: CountedDefaultAzureCredential };
});

const SETTINGS = { ...REQUIRED_SETTINGS, SENDER_MAILBOX: 'billing@contoso.com' };

afterEach(() => {
  resetDaemonRuntime();
  identities.built = 0;
});

describe('getDeliveryRuntime', () => {
  it('builds the clients once per configuration and shares the ledger with the sweep', () => {
    const runtime = getDeliveryRuntime(SETTINGS);
    expect(getDeliveryRuntime({ ...SETTINGS })).toBe(runtime);
    expect(runtime.settings).toEqual({
      senderMailbox: 'billing@contoso.com',
      senders: [{ mailbox: 'billing@contoso.com', messagesPerMinute: 30, recipientsPerDay: 10_000 }],
      retryDelayMs: 60_000,
      saveToSentItems: false,
      claimDurationMs: 300_000,
      timeZone: 'UTC',
    });
    expect(runtime.queues.poison.name).toBe(`${runtime.config.queueName}-poison`);
    expect(getDaemonRuntime(SETTINGS).ledger).toBe(runtime.ledger);
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

describe('getDaemonRuntime', () => {
  it('runs the sweep without SENDER_MAILBOX', () => {
    expect(getDaemonRuntime(REQUIRED_SETTINGS).config.delivery.senderMailbox).toBeUndefined();
  });

  it('gives the sweep and the delivery the same clients: one identity, one token provider, one ledger', () => {
    const settings = {
      ...SETTINGS,
      AzureWebJobsStorage: undefined,
      AzureWebJobsStorage__accountName: 'contoso',
    };
    const sweep = getDaemonRuntime(settings);
    const delivery = getDeliveryRuntime(settings);

    expect(delivery.identity).toBe(sweep.identity);
    expect(delivery.credentials).toBe(sweep.credentials);
    expect(delivery.tokens).toBe(sweep.tokens);
    expect(delivery.ledger).toBe(sweep.ledger);
    expect(delivery.metrics).toBe(sweep.metrics);
    // Key Vault and the identity-based Table storage both authenticate with that one credential.
    expect(delivery.ledger.table.url).toBe('https://contoso.table.core.windows.net');
    expect(identities.built).toBe(1);
  });

  it('builds a new runtime after a reset', () => {
    const runtime = getDaemonRuntime(SETTINGS);
    resetDaemonRuntime();
    const rebuilt = getDaemonRuntime(SETTINGS);
    expect(rebuilt).not.toBe(runtime);
    expect(rebuilt.tokens).not.toBe(runtime.tokens);
    expect(identities.built).toBe(2);
  });
});
