/**
 * Delivery at the mailbox's pace, through the local host's queue listener (several messages at once,
 * as the host's batchSize) against the Graph emulator's modelled mailbox and Azurite: the mailbox's
 * limits, a mailbox locked for 20 minutes, a Table storage outage of 10 minutes, a recipient refused
 * for good. Time is compressed: the mailbox's clock runs `TIME_SCALE` times faster (its Retry-After in
 * real seconds), and the app's pace and first pause are scaled to match (SENDER_MAILBOXES `billing@contoso.com|1800`,
 * 30 × TIME_SCALE a minute; DELIVERY_RETRY_DELAY_SECONDS 1 for the default 60: 1/60).
 */
import { QueueServiceClient } from '@azure/storage-queue';
import { describe, expect, it } from 'vitest';
import { enqueueMessages } from '../../devhost/queue-storage.js';
import { lookupReminder } from '../../shared/delivery/ledger/index.js';
import type { ReminderMessage } from '../../shared/reminders/rules.js';
import { getDaemonRuntime } from '../../shared/runtime.js';
import { calendarDate, useFunctionHost } from '../support/function-host.js';
import { forgetMailboxPace } from '../support/mailbox-pace.js';
import { useTableOutage } from '../support/outage-proxy.js';
import { listObligationsFor } from '../support/obligations.js';
import { reminderMessage } from '../support/reminder-messages.js';
import { useLocalStack } from '../support/stack.js';

const TIME_SCALE = 60;
const MAILBOX = 'billing@contoso.com';

const stack = useLocalStack({ mailboxes: { timeScale: TIME_SCALE, limits: { acceptLatencyMs: 20 } } });
const host = useFunctionHost(stack, {
  settings: {
    SENDER_MAILBOX: MAILBOX,
    SENDER_MAILBOXES: `${MAILBOX}|${30 * TIME_SCALE}`,
    DELIVERY_RETRY_DELAY_SECONDS: '1',
  },
});

let nextObligation = 7000;

/**
 * `count` reminders due in `days` days (Berlin), with due dates spread when `spread`, put on the queue;
 * their items in the list, so that verify before send confirms them.
 */
async function enqueueReminders(count: number, days = 7): Promise<ReminderMessage[]> {
  const made = Array.from({ length: count }, () => {
    nextObligation += 1;
    return reminderMessage({
      obligationId: String(nextObligation),
      dueDate: calendarDate(new Date(Date.now() + days * 86_400_000), 'Europe/Berlin'),
      daysBefore: days,
      daysLeft: days,
    });
  });
  const reminders = listObligationsFor(stack(), ...made);
  await enqueueMessages(
    host().remindersQueue(),
    reminders.map((reminder) => JSON.stringify(reminder)),
    { encoding: host().functionApp.hostJson.queueMessageEncoding },
  );
  return reminders;
}

function deliverAll(timeoutMs = 60_000) {
  return host().deliverQueued({ batchSize: 16, waitForDelayed: { pollMs: 100, timeoutMs } });
}

function ids(reminders: readonly ReminderMessage[]): string[] {
  return reminders.map((reminder) => reminder.id).sort();
}

async function ledgerEntry(reminderId: string) {
  return lookupReminder(getDaemonRuntime(process.env).ledger, reminderId);
}

describe('delivery at the mailbox pace', () => {
  it("throttling at the mailbox's limits poisons nothing and sends each reminder exactly once", async () => {
    // The app believes the mailbox takes twice its real rate: the mailbox throttles (429 + Retry-After).
    host().setSettings({ SENDER_MAILBOXES: `${MAILBOX}|${60 * TIME_SCALE}` });
    const reminders = await enqueueReminders(60);
    const { outcomes, poisoned } = await deliverAll();
    expect(poisoned).toEqual([]);
    expect(outcomes.filter((outcome) => outcome.status === 'failed')).toEqual([]);
    expect(host().mailedReminderIds()).toEqual(ids(reminders));
    const usage = stack().graph.mailboxes.usage(MAILBOX);
    expect(usage.throttled).toBeGreaterThan(0);
    // Each refusal pauses the mailbox for every worker: retries stay few.
    expect(stack().counters.get('graph.sendMail') / reminders.length).toBeLessThan(1.6);
  });

  it('at the configured pace the mailbox (almost) never throttles: about one request per e-mail', async () => {
    const reminders = await enqueueReminders(45);
    const { poisoned } = await deliverAll();
    expect(poisoned).toEqual([]);
    expect(host().mailedReminderIds()).toEqual(ids(reminders));
    // At 60x a slot is 35 ms: a worker late by a few tens of ms on a busy machine (the full suite on two
    // cores) can meet the limit a few times; without the pace, every second request would be refused.
    expect(stack().graph.mailboxes.usage(MAILBOX).throttled).toBeLessThanOrEqual(6);
    // The delivery benchmark's target: at most 1.2 sendMail requests per e-mail.
    expect(stack().counters.get('graph.sendMail')).toBeLessThanOrEqual(reminders.length * 1.2);
  });

  it('423 for 20 (mailbox) minutes, then OK: everything is delivered, nothing poisoned, one probe per pause', async () => {
    stack().graph.mailboxes.refuse(MAILBOX, {
      status: 423,
      code: 'ErrorMailboxLocked',
      message: 'The mailbox is locked.',
      forMs: 20 * 60_000,
    });
    const reminders = await enqueueReminders(12);
    const { outcomes, poisoned } = await deliverAll();
    expect(poisoned).toEqual([]);
    expect(outcomes.every((outcome) => outcome.status === 'succeeded')).toBe(true);
    expect(host().mailedReminderIds()).toEqual(ids(reminders));
    // 20 mailbox minutes are 20 real seconds: pauses of 1, 2, 4, 8, 16 s (capped) probe about 6 times,
    // plus the sends whose slots came before the first refusal was recorded (at most one each).
    const refused = stack().counters.get('graph.sendMail') - reminders.length;
    expect(refused).toBeGreaterThan(0);
    expect(refused).toBeLessThanOrEqual(reminders.length + 8);
    // Reminders were put back again and again (before, a 423 was recorded as failed for good).
    expect(outcomes.length).toBeGreaterThan(2 * reminders.length);
    const entry = await ledgerEntry(reminders[0]?.id ?? '');
    expect(entry).toMatchObject({ state: 'sent', ambiguousSends: 0 });
  }, 90_000);

  it('an invalid recipient is final, with its reason; the other reminders go out', async () => {
    const reminders = await enqueueReminders(3);
    const invalid = reminders[1];
    stack().graph.mailboxes.refuseRecipient(invalid?.customer.email ?? '', {
      status: 400,
      code: 'ErrorInvalidRecipients',
      message: 'At least one recipient is not valid., Recipient is not resolved.',
    });
    const { poisoned } = await deliverAll();
    expect(poisoned).toEqual([]);
    expect(host().mailedReminderIds()).toEqual(ids(reminders.filter((reminder) => reminder !== invalid)));
    expect(await ledgerEntry(invalid?.id ?? '')).toMatchObject({
      state: 'failed',
      attempts: 1,
      lastErrorCode: 'ErrorInvalidRecipients',
      lastError: expect.stringContaining('At least one recipient is not valid'),
    });
    expect(stack().counters.get('graph.sendMail')).toBe(3);
  });
});

describe('the daily recipient budget', () => {
  it('defers what does not fit to the next day, soonest due date first, whatever the order of arrival', async () => {
    // Reminders 12 to 7 days before: each of them due today (verify before send applies the rules).
    host().setSettings({ SENDER_MAILBOXES: `${MAILBOX}|${30 * TIME_SCALE}|3`, REMINDER_DAYS: '7,8,9,10,11,12' });
    await forgetMailboxPace(getDaemonRuntime(process.env).ledger);
    const started = Date.now();
    // Arriving latest due date first.
    const reminders = [];
    for (const days of [12, 11, 10, 9, 8, 7]) reminders.push(...(await enqueueReminders(1, days)));
    const { outcomes, poisoned } = await host().deliverQueued({ batchSize: 1 });
    expect(poisoned).toEqual([]);
    expect(outcomes.every((outcome) => outcome.status === 'succeeded')).toBe(true);
    expect(host().mailedReminderIds()).toEqual(ids(reminders.slice(0, 3)));

    const deferred = await Promise.all(reminders.slice(3).map((reminder) => ledgerEntry(reminder.id)));
    for (const entry of deferred) {
      expect(entry).toMatchObject({ state: 'deferred', deferredFor: 'MailboxDailyBudget', slotKept: false });
      // The budget frees 24 hours after the hour of the first send; they come back 10 minutes before.
      expect(entry?.scheduledFor?.getTime()).toBeGreaterThan(started + 22 * 3_600_000);
      expect(entry?.scheduledFor?.getTime()).toBeLessThan(started + 25 * 3_600_000);
    }
    // Due in 7, 8, 9 days: back in that order (they arrived 9, 8, 7).
    const [due9, due8, due7] = deferred.map((entry) => entry?.scheduledFor?.getTime() ?? 0);
    expect(due7).toBeLessThan(due8 ?? 0);
    expect(due8).toBeLessThan(due9 ?? 0);
    // Their messages wait on the queue, invisible.
    expect((await host().remindersQueue().getProperties()).approximateMessagesCount).toBe(3);
  });
});

describe('a Table storage outage', () => {
  const tableOutage = useTableOutage(stack, host);

  it('of 10 minutes (10 s at 1/60) poisons nothing: the reminders wait and are sent once it is over', async () => {
    const proxy = await tableOutage();
    const reminders = await enqueueReminders(4);
    proxy.down();
    setTimeout(() => proxy.up(), 10_000);
    const { outcomes, poisoned } = await deliverAll();
    expect(proxy.refused()).toBeGreaterThan(0);
    expect(poisoned).toEqual([]);
    expect(outcomes.every((outcome) => outcome.status === 'succeeded')).toBe(true);
    expect(host().mailedReminderIds()).toEqual(ids(reminders));
    // The outage outlasted what the queue's maxDequeueCount (5) would have survived.
    expect(outcomes.length).toBeGreaterThan(5 * reminders.length);
    const connection = stack().settings.AzureWebJobsStorage ?? '';
    const poison = QueueServiceClient.fromConnectionString(connection).getQueueClient('reminders-poison');
    expect((await poison.exists()) ? (await poison.getProperties()).approximateMessagesCount : 0).toBe(0);
  }, 90_000);
});
