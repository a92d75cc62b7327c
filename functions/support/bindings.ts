/** Output bindings shared by the functions. */
import { output } from '@azure/functions';

/**
 * The reminders queue: setting an array on it enqueues one message per element, after the handler
 * has succeeded (a failed run writes nothing). host.json makes the messages plain JSON text.
 */
export const reminderQueueOutput = output.storageQueue({
  queueName: '%NOTIFICATION_QUEUE%',
  connection: 'AzureWebJobsStorage',
});
