/**
 * The Storage queue trigger's listener with the host's batch semantics, for benchmarks and soaks that
 * need the host's concurrency: it receives up to `batchSize` messages, runs them concurrently, and
 * fetches the next batch when the messages still running fall to `newBatchThreshold` (so at most
 * `batchSize + newBatchThreshold` run at once per instance). A message is deleted when its function
 * succeeds; when it fails it becomes visible again after `visibilityTimeoutMs` (host.json
 * `visibilityTimeout`), and after `maxDequeueCount` failed dequeues it is moved to `<queue>-poison`.
 * An empty poll backs off exponentially up to `maxPollingIntervalMs`. Several listeners on one queue
 * are several instances of the app. The listener stops when nothing it started is still running and
 * the queue holds no message at all (visible or not, approximately, as Storage counts them), or no
 * message was received for `idleStopMs` (the rest waits invisible, e.g. deferred to later), or when
 * `abortSignal` fires.
 */
import { resolveBindingOptions } from './app-settings.js';
import type { AppSettings } from './app-settings.js';
import type { FunctionApp, InvocationOutcome } from './host-types.js';
import { devHostError } from './errors.js';
import { decodeQueueMessage, enqueueMessages, queueServiceClientFor } from './queue-storage.js';

/** The Storage extension's defaults (host.json `extensions.queues`). */
export const HOST_QUEUE_DEFAULTS = {
  batchSize: 16,
  newBatchThreshold: 8,
  maxDequeueCount: 5,
  visibilityTimeoutMs: 0,
  maxPollingIntervalMs: 60_000,
} as const;

/** How long a received message stays invisible while its function runs (the host renews it; nothing here runs that long). */
const PROCESSING_VISIBILITY_SECONDS = 600;
const MIN_POLLING_INTERVAL_MS = 100;

export interface BatchQueueListenerOptions {
  readonly settings?: AppSettings;
  readonly batchSize?: number;
  readonly newBatchThreshold?: number;
  readonly maxDequeueCount?: number;
  /** How long a failed message stays invisible before its next dequeue (Storage counts whole seconds). */
  readonly visibilityTimeoutMs?: number;
  readonly maxPollingIntervalMs?: number;
  /** Stop after this long with no message received or finished; default: only when the queue is empty. */
  readonly idleStopMs?: number;
  readonly abortSignal?: AbortSignal;
  /** Called after each invocation, e.g. to record or to inject faults between invocations. */
  readonly onOutcome?: (
    outcome: InvocationOutcome,
    message: { readonly text: string; readonly dequeueCount: number },
  ) => void;
}

export interface BatchQueueListenerResult {
  readonly outcomes: readonly InvocationOutcome[];
  /** Texts of the messages this listener moved to the poison queue. */
  readonly poisoned: readonly string[];
  /** Storage errors the listener met (receive, delete, update) and survived, as the host does. */
  readonly storageErrors: number;
  /** Wall-clock instants (epoch ms, comparable across processes) of the first message received and the last settled; undefined when none. */
  readonly firstReceivedAt?: number;
  readonly lastSettledAt?: number;
}

export async function runBatchQueueListener(
  functionApp: FunctionApp,
  name: string,
  options: BatchQueueListenerOptions = {},
): Promise<BatchQueueListenerResult> {
  const fn = functionApp.getFunction(name);
  if (fn.trigger.type !== 'queueTrigger') {
    throw devHostError('BindingNotSupported', `Function '${name}' is not queue-triggered.`);
  }
  const settings = options.settings ?? process.env;
  const batchSize = options.batchSize ?? HOST_QUEUE_DEFAULTS.batchSize;
  const newBatchThreshold = options.newBatchThreshold ?? Math.floor(batchSize / 2);
  const maxDequeueCount = options.maxDequeueCount ?? HOST_QUEUE_DEFAULTS.maxDequeueCount;
  const retryVisibilitySeconds = Math.ceil(
    (options.visibilityTimeoutMs ?? HOST_QUEUE_DEFAULTS.visibilityTimeoutMs) / 1000,
  );
  const maxPollingIntervalMs = options.maxPollingIntervalMs ?? HOST_QUEUE_DEFAULTS.maxPollingIntervalMs;
  const { abortSignal } = options;
  const encoding = functionApp.hostJson.queueMessageEncoding;
  const trigger = resolveBindingOptions(fn.trigger, settings);
  const queueName = String(trigger.queueName);
  const service = queueServiceClientFor(String(trigger.connection ?? 'AzureWebJobsStorage'), settings);
  const queue = service.getQueueClient(queueName);
  const poisonQueue = service.getQueueClient(`${queueName}-poison`);
  const outcomes: InvocationOutcome[] = [];
  const poisoned: string[] = [];
  let storageErrors = 0;
  const running = new Set<Promise<void>>();
  let lastActivity = performance.now();
  let firstReceivedAt: number | undefined;
  let lastSettledAt: number | undefined;
  await queue.createIfNotExists({ abortSignal });

  const settle = async (message: {
    messageId: string;
    popReceipt: string;
    dequeueCount: number;
    messageText: string;
  }): Promise<void> => {
    const text = decodeQueueMessage(message.messageText, encoding);
    const outcome = await functionApp.invokeQueue(name, text, {
      settings,
      messageId: message.messageId,
      dequeueCount: message.dequeueCount,
      popReceipt: message.popReceipt,
    });
    outcomes.push(outcome);
    options.onOutcome?.(outcome, { text, dequeueCount: message.dequeueCount });
    try {
      if (outcome.status === 'succeeded') {
        await queue.deleteMessage(message.messageId, message.popReceipt, { abortSignal });
      } else if (message.dequeueCount >= maxDequeueCount) {
        await enqueueMessages(poisonQueue, [text], { encoding, ...(abortSignal ? { abortSignal } : {}) });
        await queue.deleteMessage(message.messageId, message.popReceipt, { abortSignal });
        poisoned.push(text);
      } else {
        await queue.updateMessage(message.messageId, message.popReceipt, undefined, retryVisibilitySeconds, {
          abortSignal,
        });
      }
    } catch {
      // The message's lease runs out and it comes back, as with the host when Storage is unreachable.
      storageErrors += 1;
    }
  };

  const start = (message: Parameters<typeof settle>[0]): void => {
    firstReceivedAt ??= Date.now();
    const task = settle(message).finally(() => {
      lastSettledAt = Date.now();
      running.delete(task);
      lastActivity = performance.now();
    });
    running.add(task);
  };

  let pollingIntervalMs = MIN_POLLING_INTERVAL_MS;
  while (!abortSignal?.aborted) {
    let received: Parameters<typeof settle>[0][] = [];
    try {
      const answer = await queue.receiveMessages({
        numberOfMessages: batchSize,
        visibilityTimeout: PROCESSING_VISIBILITY_SECONDS,
        abortSignal,
      });
      received = answer.receivedMessageItems;
    } catch {
      storageErrors += 1;
    }
    for (const message of received) start(message);
    if (received.length > 0) {
      pollingIntervalMs = MIN_POLLING_INTERVAL_MS;
      lastActivity = performance.now();
      // The next batch when the running messages fall to the threshold.
      while (running.size > newBatchThreshold) await Promise.race(running);
      continue;
    }
    if (running.size === 0) {
      const idle = options.idleStopMs !== undefined && performance.now() - lastActivity >= options.idleStopMs;
      if (idle || (await isEmpty())) break;
    }
    await Promise.race([delay(pollingIntervalMs, abortSignal), ...running]);
    pollingIntervalMs = Math.min(maxPollingIntervalMs, pollingIntervalMs * 2);
  }
  await Promise.all(running);
  return {
    outcomes,
    poisoned,
    storageErrors,
    ...(firstReceivedAt === undefined ? {} : { firstReceivedAt }),
    ...(lastSettledAt === undefined ? {} : { lastSettledAt }),
  };

  async function isEmpty(): Promise<boolean> {
    try {
      const properties = await queue.getProperties({ abortSignal });
      return (properties.approximateMessagesCount ?? 0) === 0;
    } catch {
      storageErrors += 1;
      return false;
    }
  }
}

function delay(ms: number, abortSignal: AbortSignal | undefined): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(done, ms);
    abortSignal?.addEventListener('abort', done, { once: true });
    function done(): void {
      clearTimeout(timer);
      abortSignal?.removeEventListener('abort', done);
      resolve();
    }
  });
}
