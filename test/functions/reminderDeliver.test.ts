/** The reminderDeliver handler with a fake delivery: message reading, poison output, failures. */
import { describe, expect, it } from 'vitest';
import { createReminderDeliverHandler, reminderPoisonOutput } from '../../functions/reminderDeliver.js';
import type { Deliverer } from '../../functions/reminderDeliver.js';
import { DeliveryError } from '../../shared/delivery/deliver-reminder.js';
import type { ReminderMessage } from '../../shared/reminders/rules.js';
import { reminderMessage } from '../support/reminder-messages.js';
import { contextWithLogs } from '../support/invocation-context.js';

function reminder(): ReminderMessage {
  return reminderMessage({
    obligationId: '501',
    customer: { name: 'Nordwind Shipping AG', email: 'finance@nordwind-shipping.de' },
    amount: '15780.50',
    createdAt: '2026-12-01T06:00:00.000Z',
  });
}

function queueInvocation(triggerMetadata: Record<string, unknown> = { id: 'msg-1', dequeueCount: 2 }) {
  return contextWithLogs({
    invocationId: 'invocation-9',
    functionName: 'reminderDeliver',
    triggerMetadata,
    options: {
      trigger: { type: 'queueTrigger', name: 'queueItem', queueName: 'reminders', connection: 'AzureWebJobsStorage' },
      extraOutputs: [reminderPoisonOutput],
    },
  });
}

function fakeDeliverer(outcome: Error | 'sent' = 'sent'): Deliverer & { calls: ReminderMessage[] } {
  const calls: ReminderMessage[] = [];
  const deliver = async (message: ReminderMessage) => {
    calls.push(message);
    if (outcome instanceof Error) throw outcome;
    return { status: 'sent' as const, reminderId: message.id, attempt: 1, ambiguousSends: 0 };
  };
  return Object.assign(deliver, { calls });
}

describe('reminderDeliver handler', () => {
  it('delivers the parsed reminder, with the invocation context as logger', async () => {
    const deliver = fakeDeliverer();
    const { context } = queueInvocation();
    const message = reminder();
    await createReminderDeliverHandler(deliver)(message, context);
    expect(deliver.calls).toEqual([message]);
    expect(context.extraOutputs.get(reminderPoisonOutput)).toBeUndefined();
  });

  it('moves a message that is not a reminder to the poison queue at once, logging it by message id only', async () => {
    const deliver = fakeDeliverer();
    const { context, logs } = queueInvocation({ id: 'msg-7', dequeueCount: 1 });
    const malformed = { ...reminder(), amount: 'NaN' };
    await createReminderDeliverHandler(deliver)(malformed, context);
    expect(deliver.calls).toEqual([]);
    expect(context.extraOutputs.get(reminderPoisonOutput)).toEqual([JSON.stringify(malformed)]);
    expect(logs).toEqual([
      expect.stringMatching(
        /^error: Queue message msg-7 \(delivery 1\) is not a reminder \(amount is not a decimal string/,
      ),
    ]);
    expect(logs.join('\n')).not.toContain(malformed.customer.email);

    const text = queueInvocation();
    await createReminderDeliverHandler(deliver)('plain text', text.context);
    expect(text.context.extraOutputs.get(reminderPoisonOutput)).toEqual(['plain text']);
  });

  it('rethrows a failed delivery, so that the queue retries it, after logging its code and cause', async () => {
    const failure = new DeliveryError('ReminderNotSent', '1:2026-12-08:7', 'not sent', {
      cause: Object.assign(new Error('Graph is throttling'), { code: 'MailThrottled' }),
    });
    const { context, logs } = queueInvocation();
    await expect(createReminderDeliverHandler(fakeDeliverer(failure))(reminder(), context)).rejects.toBe(failure);
    expect(
      logs.some(
        (line) =>
          line.startsWith('error: Queue message msg-1 (delivery 2)') &&
          line.includes('ReminderNotSent') &&
          line.includes('MailThrottled'),
      ),
    ).toBe(true);
  });
});
