/**
 * reminderDeliver run the way the host runs a queue trigger (local host: registration, trigger
 * metadata, output bindings) against the local stack: Azurite for the queue and the ledger, the Graph
 * emulator's outbox for the e-mails customers would receive.
 */
import { QueueServiceClient } from '@azure/storage-queue';
import { describe, expect, it } from 'vitest';
import type { InvocationOutcome } from '../../devhost/host-types.js';
import { drainQueue } from '../../devhost/queue-storage.js';
import { REMINDER_ID_HEADER } from '../../shared/delivery/deliver-reminder.js';
import { getDaemonRuntime } from '../../shared/runtime.js';
import { lookupReminder } from '../../shared/delivery/ledger/index.js';
import type { ReminderMessage } from '../../shared/reminders/rules.js';
import { calendarDate, useFunctionHost } from '../support/function-host.js';
import { useLocalStack } from '../support/stack.js';
import { reminderMessage } from '../support/reminder-messages.js';
import { listObligationsFor } from '../support/obligations.js';

let nextObligation = 500;

/**
 * A reminder due a week from today in Berlin, so that the delivery (on the system clock) sends it; its
 * item is put in the list, so that verify before send confirms it.
 */
function reminder(): ReminderMessage {
  nextObligation += 1;
  return listed({
    obligationId: String(nextObligation),
    dueDate: calendarDate(new Date(Date.now() + 7 * 86_400_000), 'Europe/Berlin'),
    customer: { name: 'Nordwind Shipping AG', email: `finance${nextObligation}@nordwind-shipping.de` },
    amount: '15780.50',
    createdAt: new Date().toISOString(),
  });
}

const stack = useLocalStack();

function listed(fields: Partial<ReminderMessage>): ReminderMessage {
  const [message] = listObligationsFor(stack(), reminderMessage(fields));
  if (message === undefined) throw new Error('no message');
  return message;
}

describe('reminderDeliver in the local host, against the local stack', () => {
  const host = useFunctionHost(stack, { settings: { SENDER_MAILBOX: 'billing@contoso.com' } });

  function mailsFor(message: ReminderMessage) {
    return stack()
      .graph.outbox()
      .filter((mail) =>
        mail.internetMessageHeaders.some((header) => header.name === REMINDER_ID_HEADER && header.value === message.id),
      );
  }

  function invoke(message: ReminderMessage | string, dequeueCount = 1): Promise<InvocationOutcome> {
    return host().functionApp.invokeQueue(
      'reminderDeliver',
      typeof message === 'string' ? message : JSON.stringify(message),
      { dequeueCount },
    );
  }

  it('is registered as a queue trigger on %NOTIFICATION_QUEUE%, with the poison queue as output', () => {
    const fn = host().functionApp.getFunction('reminderDeliver');
    expect(fn.trigger).toMatchObject({
      type: 'queueTrigger',
      direction: 'in',
      queueName: '%NOTIFICATION_QUEUE%',
      connection: 'AzureWebJobsStorage',
    });
    expect(fn.bindings.filter((binding) => binding.direction === 'out')).toEqual([
      {
        name: expect.any(String),
        type: 'queue',
        direction: 'out',
        queueName: '%NOTIFICATION_QUEUE%-poison',
        connection: 'AzureWebJobsStorage',
      },
    ]);
  });

  it('sends the reminder e-mail and records it in the ledger', async () => {
    const message = reminder();
    const outcome = await invoke(message);
    expect(outcome.status).toBe('succeeded');
    expect(mailsFor(message)).toEqual([
      expect.objectContaining({
        from: expect.objectContaining({ userPrincipalName: 'billing@contoso.com' }),
        toRecipients: [{ address: message.customer.email, name: message.customer.name }],
      }),
    ]);
    const ledger = getDaemonRuntime(process.env).ledger;
    expect(await lookupReminder(ledger, message.id)).toMatchObject({ state: 'sent', claimedBy: outcome.invocationId });
  });

  it('a message delivered three times sends one e-mail', async () => {
    const message = reminder();
    for (const dequeueCount of [1, 2, 3]) {
      expect((await invoke(message, dequeueCount)).status).toBe('succeeded');
    }
    expect(mailsFor(message)).toHaveLength(1);
  });

  it('two workers on one message at once send one e-mail', async () => {
    const message = reminder();
    const outcomes = await Promise.all([invoke(message), invoke(message)]);
    expect(outcomes.map((outcome) => outcome.status)).toEqual(['succeeded', 'succeeded']);
    expect(mailsFor(message)).toHaveLength(1);
  });

  it('sendMail 503 then OK: one e-mail', async () => {
    stack().faults.add({
      endpoint: 'graph.sendMail',
      action: { type: 'status', status: 503, retryAfter: '0.05' },
      count: 1,
    });
    const message = reminder();
    expect((await invoke(message)).status).toBe('succeeded');
    expect(mailsFor(message)).toHaveLength(1);
    expect(stack().counters.get('graph.sendMail')).toBe(2);
  });

  it('Graph throttling longer than a worker waits: the reminder is put back for later, the invocation succeeds', async () => {
    stack().faults.add({
      endpoint: 'graph.sendMail',
      action: { type: 'status', status: 429, retryAfter: '120' },
      count: 1,
    });
    const message = reminder();
    const started = Date.now();
    const deferred = await invoke(message);
    expect(deferred.status).toBe('succeeded');
    expect(mailsFor(message)).toEqual([]);
    const entry = await lookupReminder(getDaemonRuntime(process.env).ledger, message.id);
    expect(entry).toMatchObject({ state: 'deferred', deferredFor: 'MailboxPaused', lastErrorCode: 'MailThrottled' });
    expect(entry?.scheduledFor?.getTime()).toBeGreaterThanOrEqual(started + 120_000);
    // A new copy waits, invisible, on the queue until the pause ends.
    const { approximateMessagesCount } = await host().remindersQueue().getProperties();
    expect(approximateMessagesCount).toBe(1);
    expect((await host().remindersQueue().peekMessages()).peekedMessageItems).toEqual([]);
    // A copy arriving before then leaves it alone, and sends nothing.
    expect((await invoke(message, 2)).status).toBe('succeeded');
    expect(mailsFor(message)).toEqual([]);
    expect(stack().counters.get('graph.sendMail')).toBe(1);
  });

  it('writes a malformed message to the poison queue through the output binding, and succeeds', async () => {
    const outcome = await invoke('{"schema":"due-notifier.reminder/v1","id":"broken"}');
    expect(outcome.status === 'succeeded' && outcome.outputs).toEqual([
      expect.objectContaining({ queueName: 'reminders-poison', messageCount: 1 }),
    ]);
    const poison = QueueServiceClient.fromConnectionString(stack().settings.AzureWebJobsStorage ?? '').getQueueClient(
      'reminders-poison',
    );
    expect(await drainQueue(poison, { encoding: host().functionApp.hostJson.queueMessageEncoding })).toEqual([
      '{"schema":"due-notifier.reminder/v1","id":"broken"}',
    ]);
  });

  it('fails every invocation with a ConfigError naming SENDER_MAILBOX when it is not set', async () => {
    host().setSettings({ SENDER_MAILBOX: undefined });
    const outcome = await invoke(reminder());
    expect(outcome.status).toBe('failed');
    expect(outcome.status === 'failed' && outcome.error).toMatchObject({
      code: 'ConfigInvalid',
      setting: 'SENDER_MAILBOX',
    });
  });
});
