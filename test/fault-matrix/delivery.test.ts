/**
 * Fault matrix, delivery rows, on the real queue: a reminder's message delivered three times (the
 * worker's acknowledgement lost twice), two workers on one message (its visibility timeout ran out
 * while the first was still sending), and sendMail 503 for longer than a delivery retries, then OK.
 * Each time exactly one e-mail reaches the Graph outbox.
 *
 * The reminder comes from reminderTimer (one due obligation in the list); the queue is worked here
 * message by message, as the Functions host's queue listener does, with the failures it meets.
 */
import type { DequeuedMessageItem } from '@azure/storage-queue';
import { describe, expect, it } from 'vitest';
import { decodeQueueMessage } from '../../devhost/queue-storage.js';
import type { InvocationOutcome } from '../../devhost/host-types.js';
import { getDaemonRuntime } from '../../shared/runtime.js';
import { lookupReminder } from '../../shared/delivery/ledger/index.js';
import { useFunctionHost } from '../support/function-host.js';
import { inDays, obligation } from '../support/obligations.js';
import { useLocalStack } from '../support/stack.js';

const stack = useLocalStack();
const host = useFunctionHost(stack);

/** One obligation due in 3 days, swept by the timer: its reminder's id, with one message on the queue. */
async function enqueueOneReminder(obligationId: number): Promise<string> {
  stack().graph.replaceListItems(stack().seed.daemon.siteId, stack().seed.daemon.listId, [
    obligation(obligationId, inDays(3)),
  ]);
  const outcome = await host().fireTimer();
  expect(outcome.status === 'succeeded' && outcome.outputs).toEqual([expect.objectContaining({ messageCount: 1 })]);
  const [message] = (await host().remindersQueue().peekMessages()).peekedMessageItems;
  const reminder = JSON.parse(message?.messageText ?? '{}') as { id?: string };
  expect(reminder.id).toMatch(new RegExp(`^${obligationId}:\\d{4}-\\d{2}-\\d{2}:3$`));
  return reminder.id ?? '';
}

/** The next visible message, kept invisible to other workers for `visibilitySeconds`; waits up to `waitMs` for one. */
async function receive(visibilitySeconds: number, waitMs = 0): Promise<DequeuedMessageItem> {
  const deadline = performance.now() + waitMs;
  for (;;) {
    const [message] = (
      await host().remindersQueue().receiveMessages({ numberOfMessages: 1, visibilityTimeout: visibilitySeconds })
    ).receivedMessageItems;
    if (message) return message;
    if (performance.now() > deadline) throw new Error('No visible message on the reminders queue');
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/** reminderDeliver on a received message, with the trigger metadata the host passes. */
function deliver(message: DequeuedMessageItem, invocationId?: string): Promise<InvocationOutcome> {
  return host().functionApp.invokeQueue(
    'reminderDeliver',
    decodeQueueMessage(message.messageText, host().functionApp.hostJson.queueMessageEncoding),
    {
      ...(invocationId === undefined ? {} : { invocationId }),
      messageId: message.messageId,
      dequeueCount: message.dequeueCount,
      insertionTime: message.insertedOn,
      popReceipt: message.popReceipt,
    },
  );
}

async function ledgerEntry(reminderId: string) {
  return lookupReminder(getDaemonRuntime(process.env).ledger, reminderId);
}

describe('fault matrix: delivery', () => {
  it('queue message redelivered 3 times (the acknowledgement lost twice): one e-mail', async () => {
    const reminderId = await enqueueOneReminder(601);
    const dequeueCounts: number[] = [];
    for (let delivery = 1; delivery <= 3; delivery += 1) {
      const message = await receive(600);
      dequeueCounts.push(message.dequeueCount);
      expect((await deliver(message)).status).toBe('succeeded');
      if (delivery < 3) {
        // The worker died after the function succeeded, before deleting the message: it comes back.
        await host().remindersQueue().updateMessage(message.messageId, message.popReceipt, undefined, 0);
      } else {
        await host().remindersQueue().deleteMessage(message.messageId, message.popReceipt);
      }
    }
    expect(dequeueCounts).toEqual([1, 2, 3]);
    expect(host().mailedReminderIds()).toEqual([reminderId]);
    expect(await ledgerEntry(reminderId)).toMatchObject({ state: 'sent', attempts: 1, ambiguousSends: 0 });
    expect((await host().remindersQueue().peekMessages()).peekedMessageItems).toEqual([]);
  });

  it('two workers on one message (the visibility timeout ran out while the first was sending): one e-mail', async () => {
    const reminderId = await enqueueOneReminder(602);
    // The first worker's sendMail takes 3 s; its message becomes visible again after 1 s.
    stack().faults.add({ endpoint: 'graph.sendMail', action: { type: 'latency', ms: 3_000 }, count: 1 });
    const first = await receive(1);
    const firstDelivery = deliver(first, 'worker-1');

    const second = await receive(600, 3_000);
    expect(second.messageId).toBe(first.messageId);
    expect(second.dequeueCount).toBe(2);
    const secondOutcome = await deliver(second, 'worker-2');
    expect(secondOutcome.status).toBe('succeeded');
    expect(secondOutcome.logs).toContainEqual(
      expect.objectContaining({
        message: expect.stringContaining(`Reminder ${reminderId}: delivery worker-1 is sending it`),
      }),
    );
    await host().remindersQueue().deleteMessage(second.messageId, second.popReceipt);

    const firstOutcome = await firstDelivery;
    expect(firstOutcome.status).toBe('succeeded');
    expect(firstOutcome.logs).toContainEqual(
      expect.objectContaining({
        message: expect.stringMatching(new RegExp(`^Reminder ${reminderId}: sent, attempt 1 `)),
      }),
    );
    // The first worker's receipt went stale when the second received the message: its delete is refused.
    await expect(host().remindersQueue().deleteMessage(first.messageId, first.popReceipt)).rejects.toMatchObject({
      statusCode: 404,
    });

    expect(host().mailedReminderIds()).toEqual([reminderId]);
    expect(stack().counters.get('graph.sendMail')).toBe(1);
    expect(await ledgerEntry(reminderId)).toMatchObject({ state: 'sent', attempts: 1, claimedBy: 'worker-1' });
  });

  it('sendMail 503 for longer than a delivery retries, then OK: the reminder comes back after the pause, one e-mail', async () => {
    const reminderId = await enqueueOneReminder(603);
    // Four 503s: three use up the first delivery's attempts, which pauses the mailbox and puts the
    // reminder back (a new message, invisible for a second); the fourth meets its next delivery's first try.
    stack().faults.add({
      endpoint: 'graph.sendMail',
      action: { type: 'status', status: 503, retryAfter: '0.01' },
      count: 4,
    });
    const { outcomes, poisoned } = await host().deliverQueued({ waitForDelayed: { timeoutMs: 20_000 } });
    expect(outcomes.map((outcome) => outcome.status)).toEqual(['succeeded', 'succeeded']);
    expect(outcomes[0]?.logs).toContainEqual(
      expect.objectContaining({ message: expect.stringContaining('deferred until') }),
    );
    expect(poisoned).toEqual([]);
    expect(stack().counters.get('graph.sendMail')).toBe(5);
    expect(host().mailedReminderIds()).toEqual([reminderId]);
    expect(await ledgerEntry(reminderId)).toMatchObject({ state: 'sent', attempts: 2, ambiguousSends: 0 });
  });
});
