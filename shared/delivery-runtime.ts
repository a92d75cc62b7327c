/**
 * The long-lived clients of the delivery, kept at module level like the daemon's (shared/runtime.ts),
 * whose MSAL client and token cache they share: the ledger's Table client (per storage account and
 * table) and the Graph mailer. Built from the app settings on first use, rebuilt when they change.
 */
import { isIP } from 'node:net';
import { TableClient } from '@azure/data-tables';
import { DefaultAzureCredential } from '@azure/identity';
import type { GraphTokenProvider } from './clients/auth.js';
import { loadConfig } from './config/config.js';
import type { AppConfig, DeliveryAppConfig, StorageConnection } from './config/config.js';
import type { DeliverySettings } from './delivery/deliver-reminder.js';
import { createReminderLedger } from './delivery/ledger.js';
import type { ReminderLedger } from './delivery/ledger.js';
import { createMailer } from './delivery/mailer.js';
import type { Mailer } from './delivery/mailer.js';
import { getDaemonRuntime } from './runtime.js';
import type { DaemonRuntimeOptions, Environment } from './runtime.js';

export interface DeliveryRuntime {
  readonly config: DeliveryAppConfig;
  readonly ledger: ReminderLedger;
  readonly mailer: Mailer;
  readonly settings: DeliverySettings;
}

let cachedLedger: { readonly key: string; readonly ledger: ReminderLedger } | undefined;
let cachedDelivery:
  { readonly key: string; readonly tokens: GraphTokenProvider; readonly runtime: DeliveryRuntime } | undefined;

/**
 * The delivery's clients for the current settings. Throws one ConfigError listing every missing or
 * invalid setting, SENDER_MAILBOX included.
 */
export function getDeliveryRuntime(
  env: Environment = process.env,
  options: DaemonRuntimeOptions = {},
): DeliveryRuntime {
  const config = loadConfig(env, { requireDelivery: true });
  const daemon = getDaemonRuntime(env, options);
  const key = JSON.stringify(config);
  if (cachedDelivery?.key !== key || cachedDelivery.tokens !== daemon.tokens) {
    const logger = options.logger ?? console;
    const mailer = createMailer({
      baseUrl: config.graphBaseUrl,
      tokens: daemon.tokens,
      timeoutMs: config.httpTimeoutMs,
      metrics: daemon.metrics,
      logger,
      throttle: daemon.throttle,
    });
    const settings: DeliverySettings = {
      senderMailbox: config.delivery.senderMailbox,
      saveToSentItems: config.delivery.saveToSentItems,
      claimDurationMs: config.delivery.claimDurationMs,
      timeZone: config.timeZone,
    };
    cachedDelivery = {
      key,
      tokens: daemon.tokens,
      runtime: { config, ledger: getReminderLedger(config), mailer, settings },
    };
  }
  return cachedDelivery.runtime;
}

/** The ledger of the configured storage account and table (the timer checks it, the delivery writes it). */
export function getReminderLedger(config: Pick<AppConfig, 'storage' | 'ledgerTable'>): ReminderLedger {
  const key = JSON.stringify([config.storage, config.ledgerTable]);
  if (cachedLedger?.key !== key) {
    cachedLedger = { key, ledger: createReminderLedger(createLedgerTableClient(config.storage, config.ledgerTable)) };
  }
  return cachedLedger.ledger;
}

/** Forgets the cached clients (tests; changed settings are picked up anyway). */
export function resetDeliveryRuntime(): void {
  cachedLedger = undefined;
  cachedDelivery = undefined;
}

/**
 * A Table client as the Functions host would connect: the connection string, or the table service URI
 * with the app's identity (DefaultAzureCredential). Plain http is allowed for a loopback endpoint only
 * (Azurite), as the SDK otherwise refuses to send the account key over it.
 */
export function createLedgerTableClient(storage: StorageConnection, tableName: string): TableClient {
  if (storage.kind === 'identity') {
    return new TableClient(storage.tableServiceUri, tableName, new DefaultAzureCredential());
  }
  const client = TableClient.fromConnectionString(storage.connectionString, tableName);
  const endpoint = new URL(client.url);
  return endpoint.protocol === 'http:' && isLoopback(endpoint.hostname)
    ? TableClient.fromConnectionString(storage.connectionString, tableName, { allowInsecureConnection: true })
    : client;
}

function isLoopback(hostname: string): boolean {
  const host = hostname.replace(/^\[|\]$/g, '');
  return host === 'localhost' || host === '::1' || (isIP(host) === 4 && host.startsWith('127.'));
}
