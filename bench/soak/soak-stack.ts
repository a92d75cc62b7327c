/**
 * The soak's world: the local stack (emulators and Azurite) with breakable Queue and Table storage in
 * front of Azurite, a simulated clock shared by the app and the emulators, the function app loaded by
 * the local host with the stack's settings as its environment, and the soak's obligations list.
 */
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { TableClient } from '@azure/data-tables';
import { loadFunctionApp } from '../../devhost/host.js';
import type { FunctionApp } from '../../devhost/host-types.js';
import { queueServiceClientFor } from '../../devhost/queue-storage.js';
import { startLocalStack } from '../../emulators/stack/stack.js';
import type { LocalStack } from '../../emulators/stack/stack.js';
import { loadConfig } from '../../shared/config/config.js';
import type { AppConfig } from '../../shared/config/config.js';
import { createReminderLedger } from '../../shared/delivery/ledger/index.js';
import type { ReminderLedger } from '../../shared/delivery/ledger/index.js';
import { resetDaemonRuntime } from '../../shared/runtime.js';
import { installSimulatedDate } from '../daemon/simulated-date.js';
import type { SimulatedClock } from '../daemon/simulated-date.js';
import type { ObligationsHistory } from './obligations.js';
import { startStorageProxy } from './storage-proxy.js';
import type { StorageProxy } from './storage-proxy.js';

const APP_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

export interface SoakStack {
  readonly local: LocalStack;
  readonly functionApp: FunctionApp;
  readonly config: AppConfig;
  readonly clock: SimulatedClock;
  readonly queueProxy: StorageProxy;
  readonly tableProxy: StorageProxy;
  /** Azurite's own settings (no proxy), for what the soak itself reads and writes. */
  readonly directSettings: Readonly<Record<string, string>>;
  /** The ledger read directly from Azurite. */
  readonly ledger: ReminderLedger;
  /** Moves the simulated clock (the app's and the emulators') to `instant`. */
  setNow(instant: number): void;
  /** Shows the list's current state to Graph. */
  publish(obligations: ObligationsHistory): void;
  stop(): Promise<void>;
}

/**
 * The mailbox's clock runs this much faster than the simulated day (its Retry-After in real seconds),
 * and the app's pace and first pause after a refusal are scaled to match: a day's e-mails leave in
 * seconds, not at 30 a minute.
 */
export const SOAK_MAILBOX_TIME_SCALE = 60;
function soakSettings(mailbox: string): Readonly<Record<string, string>> {
  return { SENDER_MAILBOXES: `${mailbox}|${30 * SOAK_MAILBOX_TIME_SCALE}`, DELIVERY_RETRY_DELAY_SECONDS: '1' };
}

export async function startSoakStack(): Promise<SoakStack> {
  // Before any client is built: some capture Date.now when they are created.
  const clock = installSimulatedDate();
  let local: LocalStack | undefined;
  const proxies: StorageProxy[] = [];
  try {
    local = await startLocalStack({ azurite: { inMemory: true }, mailboxes: { timeScale: SOAK_MAILBOX_TIME_SCALE } });
    const direct = local.settings.AzureWebJobsStorage ?? '';
    const queueProxy = await startStorageProxy(endpointOf(direct, 'QueueEndpoint'), 'queue');
    proxies.push(queueProxy);
    const tableProxy = await startStorageProxy(endpointOf(direct, 'TableEndpoint'), 'table');
    proxies.push(tableProxy);
    const proxied = direct
      .replace(/QueueEndpoint=http:\/\/[^/;]+/, `QueueEndpoint=${queueProxy.origin}`)
      .replace(/TableEndpoint=http:\/\/[^/;]+/, `TableEndpoint=${tableProxy.origin}`);
    // What the host does with app settings: they are the worker's environment.
    Object.assign(process.env, local.settings, soakSettings(local.settings.SENDER_MAILBOX ?? ''), {
      AzureWebJobsStorage: proxied,
    });
    resetDaemonRuntime();
    const config = loadConfig(process.env);
    const functionApp = await loadFunctionApp({ entryPoints: ['functions/*.ts'], appRoot: APP_ROOT });
    const directSettings = { ...local.settings, AzureWebJobsStorage: direct };
    const ledger = createReminderLedger(
      TableClient.fromConnectionString(direct, config.ledgerTable, { allowInsecureConnection: true }),
    );
    const started = local;
    return {
      local: started,
      functionApp,
      config,
      clock,
      queueProxy,
      tableProxy,
      directSettings,
      ledger,
      setNow(instant) {
        clock.setOffset(instant - (Date.now() - clock.offsetMs));
      },
      publish(obligations) {
        started.graph.replaceListItems(
          started.seed.daemon.siteId,
          started.seed.daemon.listId,
          obligations.currentItems(),
        );
      },
      async stop() {
        await Promise.allSettled(proxies.map((proxy) => proxy.close()));
        await started.stop();
        clock.restore();
      },
    };
  } catch (error) {
    await Promise.allSettled(proxies.map((proxy) => proxy.close()));
    await local?.stop();
    clock.restore();
    throw error;
  }
}

/** The soak's own queue client (no proxy) for the reminders queue or its poison queue. */
export function directQueue(stack: SoakStack, poison = false) {
  return queueServiceClientFor('AzureWebJobsStorage', stack.directSettings).getQueueClient(
    `${stack.config.queueName}${poison ? '-poison' : ''}`,
  );
}

function endpointOf(connectionString: string, key: 'QueueEndpoint' | 'TableEndpoint'): string {
  const match = new RegExp(`${key}=(http://[^/;]+)`).exec(connectionString);
  if (!match?.[1]) throw new Error(`Azurite's connection string has no ${key}`);
  return match[1];
}
