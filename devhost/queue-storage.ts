/**
 * Storage queues the way the Functions host's queue binding reaches them: a connection named by the
 * binding (`connection: 'AzureWebJobsStorage'`) is either a connection string app setting or an
 * identity-based one (`NAME__queueServiceUri` / `NAME__accountName`), and message bodies are encoded
 * per host.json `extensions.queues.messageEncoding`.
 */
import { DefaultAzureCredential } from '@azure/identity';
import { QueueServiceClient } from '@azure/storage-queue';
import type { QueueClient } from '@azure/storage-queue';
import type { AppSettings } from './app-settings.js';
import { devHostError } from './errors.js';
import type { QueueMessageEncoding } from './host-json.js';

/** The most messages Storage hands out per receive call. */
const MAX_MESSAGES_PER_RECEIVE = 32;

export function queueServiceClientFor(connection: string, settings: AppSettings): QueueServiceClient {
  const connectionString = settings[connection];
  if (connectionString) {
    return QueueServiceClient.fromConnectionString(connectionString);
  }
  const serviceUri = settings[`${connection}__queueServiceUri`];
  if (serviceUri) {
    return new QueueServiceClient(serviceUri, new DefaultAzureCredential());
  }
  const accountName = settings[`${connection}__accountName`];
  if (accountName) {
    return new QueueServiceClient(`https://${accountName}.queue.core.windows.net`, new DefaultAzureCredential());
  }
  throw devHostError(
    'SettingNotFound',
    `Storage connection '${connection}' is not configured: set ${connection} (a connection string) or ${connection}__queueServiceUri.`,
  );
}

export function encodeQueueMessage(text: string, encoding: QueueMessageEncoding): string {
  return encoding === 'base64' ? Buffer.from(text, 'utf8').toString('base64') : text;
}

export function decodeQueueMessage(body: string, encoding: QueueMessageEncoding): string {
  return encoding === 'base64' ? Buffer.from(body, 'base64').toString('utf8') : body;
}

/** Creates the queue if needed (as the output binding does) and sends each text as its own message, in order. */
export async function enqueueMessages(
  queue: QueueClient,
  texts: readonly string[],
  options: { encoding: QueueMessageEncoding; abortSignal?: AbortSignal },
): Promise<void> {
  await queue.createIfNotExists({ abortSignal: options.abortSignal });
  for (const text of texts) {
    await queue.sendMessage(encodeQueueMessage(text, options.encoding), { abortSignal: options.abortSignal });
  }
}

/** Receives and deletes every visible message, returning the decoded bodies in the order received. */
export async function drainQueue(
  queue: QueueClient,
  options: { encoding: QueueMessageEncoding; abortSignal?: AbortSignal },
): Promise<string[]> {
  if (!(await queue.exists({ abortSignal: options.abortSignal }))) {
    return [];
  }
  const texts: string[] = [];
  for (;;) {
    const { receivedMessageItems } = await queue.receiveMessages({
      numberOfMessages: MAX_MESSAGES_PER_RECEIVE,
      abortSignal: options.abortSignal,
    });
    if (receivedMessageItems.length === 0) {
      return texts;
    }
    for (const message of receivedMessageItems) {
      texts.push(decodeQueueMessage(message.messageText, options.encoding));
      await queue.deleteMessage(message.messageId, message.popReceipt, { abortSignal: options.abortSignal });
    }
  }
}
