/**
 * The reminders queue as the app itself writes to it (output bindings cannot delay a message): the
 * AzureWebJobsStorage connection string, or the queue service URI with the function app's own identity,
 * as the Functions host connects its queue trigger. Messages are plain JSON text (host.json
 * `messageEncoding: none`), so that the trigger reads them as it reads the sweep's.
 */
import type { TokenCredential } from '@azure/identity';
import { isRestError } from '@azure/core-rest-pipeline';
import { QueueClient } from '@azure/storage-queue';
import type { StorageConnection } from '../config/config.js';

/** Storage keeps a message invisible for at most 7 days. */
const MAX_VISIBILITY_SECONDS = 7 * 24 * 3600;

export interface DelayedQueue {
  readonly queueName: string;
  /** Sends `text` as a new message, invisible until `at` (whole seconds, rounded up). */
  sendAt(text: string, at: Date, options?: { readonly now?: Date; readonly abortSignal?: AbortSignal }): Promise<void>;
}

export function createQueueClient(
  storage: StorageConnection,
  queueName: string,
  identity: TokenCredential,
): QueueClient {
  return storage.kind === 'identity'
    ? new QueueClient(`${storage.queueServiceUri.replace(/\/+$/, '')}/${queueName}`, identity)
    : new QueueClient(storage.connectionString, queueName);
}

export function createDelayedQueue(queue: QueueClient): DelayedQueue {
  return {
    queueName: queue.name,
    async sendAt(text, at, options = {}) {
      const now = options.now ?? new Date();
      const seconds = Math.ceil((at.getTime() - now.getTime()) / 1000);
      const visibilityTimeout = Math.min(MAX_VISIBILITY_SECONDS, Math.max(0, seconds));
      const send = () =>
        queue.sendMessage(text, {
          visibilityTimeout,
          // Kept a week past its visibility, so that it is not dropped before it is delivered.
          messageTimeToLive: visibilityTimeout + MAX_VISIBILITY_SECONDS,
          ...signal,
        });
      const signal = options.abortSignal ? { abortSignal: options.abortSignal } : {};
      try {
        await send();
      } catch (error) {
        // The queue is created by the sweep's output binding; a delivery run before any sweep creates it.
        if (!(isRestError(error) && error.statusCode === 404)) throw error;
        await queue.createIfNotExists(signal);
        await send();
      }
    },
  };
}
