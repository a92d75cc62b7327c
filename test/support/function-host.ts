/**
 * The function app on a local stack, driven the way the Functions host drives it: the app settings are
 * the process environment, functions are invoked through the local host (devhost), outputs land in the
 * Azurite queue, and reminderDeliver runs from that queue. For integration and fault-matrix tests.
 *
 *   const stack = useLocalStack({ seed });
 *   const host = useFunctionHost(stack);
 *   it('...', async () => { const outcome = await host().fireTimer(); ... });
 *
 * After each test the queues are drained, the outbox is cleared and settings changed by the test are
 * restored. Every failed invocation's error chain is handed to the leak guard, as it is what a log
 * reader would see.
 */
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { QueueClient } from '@azure/storage-queue';
import { afterAll, afterEach, beforeAll, expect } from 'vitest';
import { loadFunctionApp } from '../../devhost/host.js';
import type {
  FunctionApp,
  HttpInvocationOutcome,
  InvocationLogRecord,
  InvocationOutcome,
  TimerInvocationOptions,
} from '../../devhost/host-types.js';
import { invokeHttpPath } from '../../devhost/http-routes.js';
import { runQueueTrigger } from '../../devhost/queue-listener.js';
import type { QueueListenerOptions, QueueListenerResult } from '../../devhost/queue-listener.js';
import { drainQueue, queueServiceClientFor } from '../../devhost/queue-storage.js';
import type { LocalStack } from '../../emulators/stack/stack.js';
import { describeFailure } from '../../functions/support/run-failure.js';
import { REMINDER_ID_HEADER } from '../../shared/delivery/deliver-reminder.js';
import type { ReminderMessage } from '../../shared/reminders/rules.js';
import { deliveryVerification, resetDaemonRuntime } from '../../shared/runtime.js';
import type { SweepSummary } from '../../shared/sweep/sweep.js';
import { captureOutput } from './leak-guard.js';

const APP_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const POISON_SUFFIX = '-poison';

export interface FunctionHost {
  readonly functionApp: FunctionApp;
  /** Changes app settings for the rest of the test (restored after it); the next invocation uses them. */
  setSettings(settings: Readonly<Record<string, string | undefined>>): void;
  /** Forgets the cached clients (secret, token): the next invocation starts cold, as after a restart. */
  restart(): void;
  fireTimer(options?: TimerInvocationOptions): Promise<InvocationOutcome>;
  /** `POST /api/reminders/run` with the body as JSON (no body: a real run). */
  runByHttp(body?: Readonly<Record<string, unknown>>): Promise<HttpInvocationOutcome>;
  /** A request to `path` (`/api/...`), routed as the host routes it (route parameters included). */
  request(method: string, path: string): Promise<HttpInvocationOutcome>;
  /** The NOTIFICATION_QUEUE the timer writes to and reminderDeliver reads from. */
  remindersQueue(): QueueClient;
  /** Receives and deletes every message of the reminders queue. */
  drainReminders(): Promise<ReminderMessage[]>;
  /** Runs reminderDeliver on the reminders queue until it is empty, as the host's queue listener does. */
  deliverQueued(options?: QueueListenerOptions): Promise<QueueListenerResult>;
  /** Reminder ids of the e-mails in the Graph outbox, one entry per e-mail, sorted. */
  mailedReminderIds(): string[];
}

export function useFunctionHost(
  stack: () => LocalStack,
  options: { readonly settings?: Readonly<Record<string, string>> } = {},
): () => FunctionHost {
  let host: FunctionHost | undefined;
  let savedEnv: NodeJS.ProcessEnv = {};
  /** Values before the current test changed them (undefined: was not set). */
  const changed = new Map<string, string | undefined>();

  beforeAll(async () => {
    savedEnv = { ...process.env };
    // What the host does with app settings: they are the worker's environment.
    Object.assign(process.env, stack().settings, options.settings);
    resetDaemonRuntime();
    const functionApp = await loadFunctionApp({ entryPoints: ['functions/*.ts'], appRoot: APP_ROOT });
    host = createFunctionHost(functionApp, stack, changed);
  });

  afterEach(async () => {
    for (const [name, value] of changed) setEnv(name, value);
    changed.clear();
    stack().graph.clearOutbox();
    // The next test's list is another: delivery must not verify against this test's snapshot of it.
    deliveryVerification.reset();
    const queues = queueServiceClientFor('AzureWebJobsStorage', process.env);
    const queueName = notificationQueue();
    for (const name of [queueName, `${queueName}${POISON_SUFFIX}`]) {
      // Cleared, not drained: reminders put back for later are invisible until then.
      const queue = queues.getQueueClient(name);
      if (await queue.exists()) await queue.clearMessages();
    }
  });

  afterAll(() => {
    process.env = savedEnv;
    resetDaemonRuntime();
    host = undefined;
  });

  return () => {
    if (!host) throw new Error('The function host runs only while the tests of this file run (useFunctionHost)');
    return host;
  };
}

function createFunctionHost(
  functionApp: FunctionApp,
  stack: () => LocalStack,
  changed: Map<string, string | undefined>,
): FunctionHost {
  const encoding = functionApp.hostJson.queueMessageEncoding;
  const remindersQueue = () =>
    queueServiceClientFor('AzureWebJobsStorage', process.env).getQueueClient(notificationQueue());

  return {
    functionApp,
    setSettings(settings) {
      for (const [name, value] of Object.entries(settings)) {
        if (!changed.has(name)) changed.set(name, process.env[name]);
        setEnv(name, value);
      }
    },
    restart: resetDaemonRuntime,
    remindersQueue,
    async fireTimer(timerOptions) {
      return reported(await functionApp.invokeTimer('reminderTimer', timerOptions));
    },
    async runByHttp(body) {
      const request =
        body === undefined
          ? { method: 'POST' }
          : { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) };
      const outcome = await functionApp.invokeHttp('reminderRun', request);
      if (outcome.status !== 'notRouted') reported(outcome);
      return outcome;
    },
    async request(method, path) {
      const outcome = await invokeHttpPath(functionApp, path, { method });
      if (outcome.status !== 'notRouted') reported(outcome);
      return outcome;
    },
    async drainReminders() {
      const texts = await drainQueue(remindersQueue(), { encoding });
      return texts.map((text) => JSON.parse(text) as ReminderMessage);
    },
    async deliverQueued(listenerOptions) {
      const result = await runQueueTrigger(functionApp, 'reminderDeliver', listenerOptions);
      result.outcomes.forEach(reported);
      return result;
    },
    mailedReminderIds() {
      return stack()
        .graph.outbox()
        .flatMap((mail) =>
          mail.internetMessageHeaders
            .filter((header) => header.name === REMINDER_ID_HEADER)
            .map((header) => header.value),
        )
        .sort();
    },
  };
}

/** Hands a failed invocation's error chain to the leak guard; returns the outcome. */
function reported<T extends InvocationOutcome>(outcome: T): T {
  if (outcome.status === 'failed')
    captureOutput('error message', `${outcome.functionName} (thrown)`, describeFailure(outcome.error));
  return outcome;
}

function setEnv(name: string, value: string | undefined): void {
  if (value === undefined) delete process.env[name];
  else process.env[name] = value;
}

/** The run summary the sweep logs (`Run {id} summary: {...}`). */
export function runSummaryOf(logs: readonly InvocationLogRecord[]): SweepSummary {
  for (const record of logs) {
    const match = /^Run \S+ summary: (\{.*\})$/.exec(record.message);
    if (match?.[1]) return JSON.parse(match[1]) as SweepSummary;
  }
  throw new Error('The run logged no summary');
}

/** The error a failed invocation threw (fails the test if it succeeded). */
export function failureOf(outcome: InvocationOutcome): unknown {
  if (outcome.status !== 'failed')
    throw new Error(`Expected ${outcome.functionName} to fail, but it ${outcome.status}`);
  return outcome.error;
}

/**
 * The code of an HTTP failure response, after checking that it shows the caller nothing internal: no
 * URL, host, file or stack frame (the details are in the log, under the run id).
 */
export function publicFailureCode(outcome: HttpInvocationOutcome): string {
  const { body } = outcome.response;
  expect(body).not.toMatch(/https?:|127\.0\.0\.1|localhost|\bat \S+:\d+|\.[jt]s\b/);
  const parsed = JSON.parse(body) as { error?: { code?: unknown } };
  return typeof parsed.error?.code === 'string' ? parsed.error.code : '';
}

/** `YYYY-MM-DD` of an instant in `timeZone`. */
export function calendarDate(instant: Date, timeZone: string): string {
  return instant.toLocaleDateString('en-CA', { timeZone });
}

export function plusDays(date: string, days: number): string {
  const [year = 0, month = 1, day = 1] = date.split('-').map(Number);
  return new Date(Date.UTC(year, month - 1, day + days)).toISOString().slice(0, 10);
}

/** The queue the functions use: NOTIFICATION_QUEUE has no default (the host resolves it from app settings only). */
function notificationQueue(): string {
  const queueName = process.env.NOTIFICATION_QUEUE;
  if (queueName === undefined || queueName === '') {
    throw new Error("NOTIFICATION_QUEUE is not set: the function host takes it from the stack's settings");
  }
  return queueName;
}
