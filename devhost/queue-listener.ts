/**
 * The Storage queue trigger's listener, for the local host: invokes a queue-triggered function on each
 * visible message of its queue, as the Functions host does. A message is deleted when the function
 * succeeds. When it fails, the message becomes visible again (host.json `visibilityTimeout` is not
 * waited for) until it has been dequeued `maxDequeueCount` times; then it is moved to
 * `<queue>-poison`. Messages are processed `batchSize` at a time (default one), until the queue has no
 * visible message, or, with `waitForDelayed`, until it has no message at all: messages the function put
 * back for later (invisible until then) are waited for.
 */
import { resolveBindingOptions } from './app-settings.js';
import type { AppSettings } from './app-settings.js';
import type { FunctionApp, InvocationOutcome } from './host-types.js';
import { devHostError } from './errors.js';
import { decodeQueueMessage, enqueueMessages, queueServiceClientFor } from './queue-storage.js';
import type { DequeuedMessageItem } from '@azure/storage-queue';

/** The Storage extension's default `maxDequeueCount`. */
export const DEFAULT_MAX_DEQUEUE_COUNT = 5;
/** How long a received message stays invisible to other receivers while the function runs. */
const PROCESSING_VISIBILITY_SECONDS = 600;
const MAX_MESSAGES_PER_RECEIVE = 32;

export interface QueueListenerOptions {
  /** App settings for `%NAME%` references and the connection; default: the process environment. */
  readonly settings?: AppSettings;
  readonly maxDequeueCount?: number;
  /** Messages processed at once, as host.json `batchSize` (default 1 here; the host's default is 16). */
  readonly batchSize?: number;
  /** Keep polling every `pollMs` (default 200) while invisible messages remain, for at most `timeoutMs` (default 60 s). */
  readonly waitForDelayed?: { readonly pollMs?: number; readonly timeoutMs?: number };
  readonly abortSignal?: AbortSignal;
}

export interface QueueListenerResult {
  /** Every invocation, in order (a message that failed and came back appears once per attempt). */
  readonly outcomes: readonly InvocationOutcome[];
  /** Texts of the messages moved to the poison queue. */
  readonly poisoned: readonly string[];
}

export async function runQueueTrigger(
  functionApp: FunctionApp,
  name: string,
  options: QueueListenerOptions = {},
): Promise<QueueListenerResult> {
  const fn = functionApp.getFunction(name);
  if (fn.trigger.type !== 'queueTrigger') {
    throw devHostError('BindingNotSupported', `Function '${name}' is not queue-triggered.`);
  }
  const settings = options.settings ?? process.env;
  const { abortSignal } = options;
  const maxDequeueCount = options.maxDequeueCount ?? DEFAULT_MAX_DEQUEUE_COUNT;
  const encoding = functionApp.hostJson.queueMessageEncoding;
  const trigger = resolveBindingOptions(fn.trigger, settings);
  const queueName = String(trigger.queueName);
  const service = queueServiceClientFor(String(trigger.connection ?? 'AzureWebJobsStorage'), settings);
  const queue = service.getQueueClient(queueName);
  const outcomes: InvocationOutcome[] = [];
  const poisoned: string[] = [];
  if (!(await queue.exists({ abortSignal }))) {
    return { outcomes, poisoned };
  }

  const batchSize = options.batchSize ?? 1;
  const waitUntil = performance.now() + (options.waitForDelayed?.timeoutMs ?? 60_000);
  for (;;) {
    const { receivedMessageItems } = await queue.receiveMessages({
      numberOfMessages: Math.min(MAX_MESSAGES_PER_RECEIVE, batchSize),
      visibilityTimeout: PROCESSING_VISIBILITY_SECONDS,
      abortSignal,
    });
    if (receivedMessageItems.length === 0) {
      const { approximateMessagesCount = 0 } = options.waitForDelayed ? await queue.getProperties({ abortSignal }) : {};
      if (approximateMessagesCount === 0 || performance.now() > waitUntil) {
        return { outcomes, poisoned };
      }
      await new Promise((resolve) => setTimeout(resolve, options.waitForDelayed?.pollMs ?? 200));
      continue;
    }
    await Promise.all(receivedMessageItems.map(handle));
  }

  async function handle(message: DequeuedMessageItem): Promise<void> {
    const text = decodeQueueMessage(message.messageText, encoding);
    const outcome = await functionApp.invokeQueue(name, text, {
      settings,
      messageId: message.messageId,
      dequeueCount: message.dequeueCount,
      insertionTime: message.insertedOn,
      popReceipt: message.popReceipt,
    });
    outcomes.push(outcome);
    if (outcome.status === 'succeeded') {
      await queue.deleteMessage(message.messageId, message.popReceipt, { abortSignal });
    } else if (message.dequeueCount >= maxDequeueCount) {
      await enqueueMessages(service.getQueueClient(`${queueName}-poison`), [text], {
        encoding,
        ...(abortSignal ? { abortSignal } : {}),
      });
      await queue.deleteMessage(message.messageId, message.popReceipt, { abortSignal });
      poisoned.push(text);
    } else {
      await queue.updateMessage(message.messageId, message.popReceipt, undefined, 0, { abortSignal });
    }
  }
}
