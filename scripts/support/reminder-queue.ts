/**
 * The reminders a command line's run enqueues, as the timer's output binding would: one message per
 * reminder on NOTIFICATION_QUEUE, encoded per host.json; it says on stderr what it enqueued.
 */
import { readHostJson } from '../../devhost/host-json.js';
import { enqueueMessages, queueServiceClientFor } from '../../devhost/queue-storage.js';
import type { ReminderMessage } from '../../shared/reminders/rules.js';

export interface Enqueued {
  readonly queue: string;
  readonly count: number;
  readonly ids: readonly string[];
}

export async function enqueueReminders(
  appRoot: string,
  queueName: string,
  reminders: readonly ReminderMessage[],
): Promise<Enqueued> {
  const { queueMessageEncoding } = await readHostJson(appRoot);
  const queue = queueServiceClientFor('AzureWebJobsStorage', process.env).getQueueClient(queueName);
  await enqueueMessages(
    queue,
    reminders.map((reminder) => JSON.stringify(reminder)),
    { encoding: queueMessageEncoding },
  );
  const ids = reminders.map((reminder) => reminder.id);
  process.stderr.write(
    `Enqueued ${ids.length} reminder(s) on queue '${queueName}'${ids.length > 0 ? `: ${ids.join(', ')}` : ''}.\n`,
  );
  return { queue: queueName, count: ids.length, ids };
}
