/**
 * One instance of the function app for the delivery scenario, as a process of its own (its own
 * runtime, caches and pacing, as an instance in Azure has): loads the app through the local host with
 * the app settings in its environment, says `ready`, and on `go` runs reminderDeliver's queue listener
 * with the host's batch semantics until the queue is empty, then reports what it did over IPC.
 */
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { runBatchQueueListener } from '../../devhost/batch-queue-listener.js';
import type { BatchQueueListenerOptions } from '../../devhost/batch-queue-listener.js';
import { loadFunctionApp } from '../../devhost/host.js';

/** The environment variable that carries the instance's listener options (JSON). */
export const DELIVERY_INSTANCE_ENV = 'DUE_NOTIFIER_DELIVERY_INSTANCE';

export type InstanceListenerOptions = Pick<
  BatchQueueListenerOptions,
  'batchSize' | 'newBatchThreshold' | 'maxDequeueCount' | 'visibilityTimeoutMs' | 'maxPollingIntervalMs'
>;

/** What an instance tells the benchmark: ready to listen, or what it did. */
export type InstanceMessage = { readonly type: 'ready' } | ({ readonly type: 'report' } & InstanceReport);

export interface InstanceReport {
  readonly invocations: number;
  readonly failedInvocations: number;
  readonly poisoned: number;
  /** Warning and error lines the invocations logged. */
  readonly warningLines: number;
  readonly storageErrors: number;
  /** Deferrals by their code (MailboxPace, ClaimHeld, LedgerUnavailable, …), from the deliveries' log lines. */
  readonly deferredBy: Readonly<Record<string, number>>;
  /** Wall-clock epoch ms of the first message received and the last settled (absent: none). */
  readonly firstReceivedAt?: number;
  readonly lastSettledAt?: number;
}

const APP_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

async function main(): Promise<void> {
  const listener = JSON.parse(process.env[DELIVERY_INSTANCE_ENV] ?? '{}') as InstanceListenerOptions;
  const functionApp = await loadFunctionApp({ entryPoints: ['functions/*.ts'], appRoot: APP_ROOT });
  const go = new Promise<void>((resolve) => process.once('message', () => resolve()));
  send({ type: 'ready' });
  await go;
  const result = await runBatchQueueListener(functionApp, 'reminderDeliver', listener);
  const report: InstanceReport = {
    invocations: result.outcomes.length,
    failedInvocations: result.outcomes.filter((outcome) => outcome.status === 'failed').length,
    poisoned: result.poisoned.length,
    warningLines: result.outcomes
      .flatMap((outcome) => outcome.logs)
      .filter((record) => record.level === 'warning' || record.level === 'error' || record.level === 'critical').length,
    storageErrors: result.storageErrors,
    deferredBy: deferralsByCode(result.outcomes.flatMap((outcome) => outcome.logs.map((record) => record.message))),
    ...(result.firstReceivedAt === undefined ? {} : { firstReceivedAt: result.firstReceivedAt }),
    ...(result.lastSettledAt === undefined ? {} : { lastSettledAt: result.lastSettledAt }),
  };
  send({ type: 'report', ...report });
  process.disconnect?.();
}

/** The deferral line deliver-reminder.ts logs: `Reminder <id>: deferred until <instant> (<code>). …`. */
const DEFERRAL_LINE = /: deferred until \S+ \((\w+)\)/;

function deferralsByCode(lines: readonly string[]): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const line of lines) {
    const code = DEFERRAL_LINE.exec(line)?.[1];
    if (code !== undefined) counts[code] = (counts[code] ?? 0) + 1;
  }
  return counts;
}

function send(message: InstanceMessage): void {
  process.send?.(message);
}

if (process.env[DELIVERY_INSTANCE_ENV] !== undefined) {
  main().catch((error: unknown) => {
    console.error('The delivery instance failed:', error instanceof Error ? error.message : String(error));
    process.exitCode = 1;
  });
}
