/**
 * reminderDeliver: e-mails each reminder on the NOTIFICATION_QUEUE to its customer, exactly once (see
 * docs/delivery.md): the delivery claims the reminder in the ledger, sends through Graph at the sender
 * mailbox's pace and records the outcome. What cannot be sent now (the mailbox's pace or daily budget,
 * throttling, a mailbox-wide refusal, an unreachable ledger) is put back on the queue for later and the
 * invocation succeeds; only what else fails throws, so that the queue delivers the message again (after
 * host.json's maxDequeueCount attempts the host moves it to `NOTIFICATION_QUEUE-poison`).
 *
 * A message that is not a reminder can never succeed: it is logged by message id and moved to the
 * poison queue at once, instead of failing maxDequeueCount times.
 */
import { withTelemetry } from './support/telemetry.js';
import { app, output } from '@azure/functions';
import type { InvocationContext, StorageQueueHandler } from '@azure/functions';
import type { DeliveryOutcome } from '../shared/delivery/deliver-reminder.js';
import { readReminderMessage } from '../shared/reminders/reminder-message.js';
import type { ReminderMessage } from '../shared/reminders/rules.js';
import { describeFailure } from './support/run-failure.js';

/** Where the host itself moves a message that failed maxDequeueCount times. */
export const reminderPoisonOutput = output.storageQueue({
  queueName: '%NOTIFICATION_QUEUE%-poison',
  connection: 'AzureWebJobsStorage',
});

/** How the function delivers a reminder: a seam so that the handler can be tested without the network. */
export type Deliverer = (reminder: ReminderMessage, context: InvocationContext) => Promise<DeliveryOutcome>;

/**
 * Delivers with the process's runtime, built from the app settings in the environment. The runtime and
 * its SDKs load at the first delivery, not when the host loads the app (cold start).
 */
export const runtimeDeliverer: Deliverer = async (reminder, context) => {
  const { deliverWithRuntime } = await import('../shared/runtime.js');
  return deliverWithRuntime(reminder, context, context.invocationId);
};

export function createReminderDeliverHandler(deliver: Deliverer = runtimeDeliverer): StorageQueueHandler {
  return async (queueEntry: unknown, context: InvocationContext): Promise<void> => {
    const source = describeQueueMessage(context);
    const reading = readReminderMessage(queueEntry);
    if (!reading.ok) {
      context.error(
        `${source} is not a reminder (${reading.field} ${reading.problem}); moved to the poison queue without delivery.`,
      );
      context.extraOutputs.set(reminderPoisonOutput, [messageText(queueEntry)]);
      return;
    }
    try {
      await deliver(reading.reminder, context);
    } catch (error) {
      context.error(
        `${source}: reminder ${reading.reminder.id} not delivered; the queue will retry it. ${describeFailure(error)}`,
      );
      throw error;
    }
  };
}

export const reminderDeliverHandler = createReminderDeliverHandler();

app.storageQueue('reminderDeliver', {
  queueName: '%NOTIFICATION_QUEUE%',
  connection: 'AzureWebJobsStorage',
  extraOutputs: [reminderPoisonOutput],
  handler: withTelemetry('queue', reminderDeliverHandler),
});

/** `Queue message {id} (delivery 2)`, from the trigger metadata the host passes. */
function describeQueueMessage(context: InvocationContext): string {
  const id = context.triggerMetadata?.id;
  const dequeueCount = context.triggerMetadata?.dequeueCount;
  const count =
    typeof dequeueCount === 'number' || typeof dequeueCount === 'string' ? ` (delivery ${dequeueCount})` : '';
  return `Queue message ${typeof id === 'string' ? id : 'without id'}${count}`;
}

/** The message as it was, for the poison queue: the host hands JSON over parsed, anything else as text or bytes. */
function messageText(queueEntry: unknown): string {
  if (typeof queueEntry === 'string') return queueEntry;
  if (Buffer.isBuffer(queueEntry)) return queueEntry.toString('utf8');
  return JSON.stringify(queueEntry) ?? String(queueEntry);
}
