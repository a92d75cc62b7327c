/**
 * The backlog report and the re-drive through the local host's HTTP functions
 * (`GET /api/reminders/backlog`, `POST /api/reminders/redrive`), against Azurite and the Graph emulator:
 * what is queued, poisoned, deferred and failed, and why; poison messages moved back and sent once;
 * failed reminders given back for the next run.
 */
import { QueueServiceClient } from '@azure/storage-queue';
import { describe, expect, it } from 'vitest';
import { enqueueMessages } from '../../devhost/queue-storage.js';
import { lookupReminder } from '../../shared/delivery/ledger/index.js';
import type { ReminderMessage } from '../../shared/reminders/rules.js';
import { getDaemonRuntime } from '../../shared/runtime.js';
import { calendarDate, useFunctionHost } from '../support/function-host.js';
import { reminderMessage } from '../support/reminder-messages.js';
import { useLocalStack } from '../support/stack.js';

const MAILBOX = 'billing@contoso.com';
const stack = useLocalStack();
const host = useFunctionHost(stack, { settings: { SENDER_MAILBOX: MAILBOX, DELIVERY_RETRY_DELAY_SECONDS: '1' } });

let nextObligation = 9000;

function reminder(days = 7): ReminderMessage {
  nextObligation += 1;
  return reminderMessage({
    obligationId: String(nextObligation),
    dueDate: calendarDate(new Date(Date.now() + days * 86_400_000), 'Europe/Berlin'),
    daysBefore: days,
    daysLeft: days,
  });
}

async function enqueue(texts: readonly string[]): Promise<void> {
  await enqueueMessages(host().remindersQueue(), texts, {
    encoding: host().functionApp.hostJson.queueMessageEncoding,
  });
}

/** Forgets the mailboxes' pace and budget (the earlier tests' sends), as on a new day. */
async function forgetPace(): Promise<void> {
  const { ledger } = getDaemonRuntime(process.env);
  await ledger.ready();
  const { table } = ledger;
  for await (const entity of table.listEntities({ queryOptions: { filter: "PartitionKey eq '%pace'" } })) {
    await table.deleteEntity(entity.partitionKey ?? '', entity.rowKey ?? '');
  }
}

async function call(name: 'reminderBacklog' | 'reminderRedrive', body?: unknown) {
  const outcome = await host().functionApp.invokeHttp(
    name,
    name === 'reminderBacklog'
      ? { method: 'GET' }
      : {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          ...(body === undefined ? {} : { body: JSON.stringify(body) }),
        },
  );
  expect(outcome.response.status).toBe(200);
  return JSON.parse(outcome.response.body) as Record<string, unknown>;
}

describe('backlog and re-drive', () => {
  it('moves the poison queue reminders back (a message that is not a reminder stays), and they are sent once', async () => {
    const reminders = [reminder(), reminder()];
    await enqueue([...reminders.map((item) => JSON.stringify(item)), '{"schema":"something else"}']);
    // A setting missing for a while: every delivery fails, and the host moves the messages to the poison queue.
    host().setSettings({ SENDER_MAILBOX: undefined });
    const failing = await host().deliverQueued();
    expect(failing.poisoned).toHaveLength(2); // The third went there at once, through the output binding.
    host().setSettings({ SENDER_MAILBOX: MAILBOX });

    expect(await call('reminderBacklog')).toMatchObject({ queued: 0, poisoned: 3 });
    const redriven = await call('reminderRedrive');
    expect(redriven).toMatchObject({
      moved: 2,
      leftInPoison: { 'schema is not "due-notifier.reminder/v1"': 1 },
      failedGivenBack: {},
      backlog: { queued: 2, poisoned: 1 },
    });
    const delivered = await host().deliverQueued();
    expect(delivered.poisoned).toEqual([]);
    expect(host().mailedReminderIds()).toEqual(reminders.map((item) => item.id).sort());
  });

  it('reports deferred and failed reminders by reason; gives failed ones back on request', async () => {
    await forgetPace();
    const [sent, overBudget, invalid] = [reminder(), reminder(), reminder()];
    stack().graph.mailboxes.refuseRecipient(invalid?.customer.email ?? '', {
      status: 400,
      code: 'ErrorInvalidRecipients',
      message: 'At least one recipient is not valid.',
    });
    await enqueue([sent, invalid, overBudget].map((item) => JSON.stringify(item)));
    host().setSettings({ MAIL_RECIPIENTS_PER_DAY: '2' });
    await host().deliverQueued();
    expect(host().mailedReminderIds()).toEqual([sent?.id]);

    const backlog = await call('reminderBacklog');
    expect(backlog).toMatchObject({
      queued: 1,
      poisoned: 0,
      ledger: {
        deferred: { total: 1, byReason: { MailboxDailyBudget: 1 }, next: expect.any(String) },
        failed: { total: 1, byReason: { ErrorInvalidRecipients: 1 } },
      },
    });
    expect(JSON.stringify(backlog)).not.toContain('@');

    const redriven = await call('reminderRedrive', { includeFailed: true });
    expect(redriven).toMatchObject({ moved: 0, failedGivenBack: { ErrorInvalidRecipients: 1 } });
    const ledger = getDaemonRuntime(process.env).ledger;
    expect(await lookupReminder(ledger, invalid?.id ?? '')).toMatchObject({
      state: 'retrying',
      lastErrorCode: 'ErrorInvalidRecipients',
    });
  });

  it('refuses a body that is not { includeFailed }', async () => {
    const outcome = await host().functionApp.invokeHttp('reminderRedrive', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{"everything":true}',
    });
    expect(outcome.response.status).toBe(400);
    const poison = QueueServiceClient.fromConnectionString(stack().settings.AzureWebJobsStorage ?? '').getQueueClient(
      'reminders-poison',
    );
    expect((await poison.exists()) ? (await poison.getProperties()).approximateMessagesCount : 0).toBe(0);
  });
});
