/**
 * Verify before send, through the registered reminderDeliver as the host runs it, against the local
 * stack: the Graph emulator's list is the source of truth, its outbox what customers would receive,
 * Azurite the ledger. Reminders come from reminderTimer (the real sweep); forged ones are written by
 * hand, as anyone with write access to the queue could.
 */
import { describe, expect, it } from 'vitest';
import type { InvocationOutcome } from '../../devhost/host-types.js';
import type { ListItemSeed } from '../../emulators/stack/seed.js';
import { REMINDER_ID_HEADER } from '../../shared/delivery/deliver-reminder.js';
import { listObligationReminders, lookupRefusal, lookupReminder } from '../../shared/delivery/ledger/index.js';
import type { ReminderMessage } from '../../shared/reminders/rules.js';
import { deliveryVerification, getDaemonRuntime } from '../../shared/runtime.js';
import { useFunctionHost } from '../support/function-host.js';
import { inDays, obligation } from '../support/obligations.js';
import { reminderMessage } from '../support/reminder-messages.js';
import { useLocalStack } from '../support/stack.js';

// The mailbox's clock runs 60 times faster, and the app's pace with it (as in mailbox-pace.test.ts).
const TIME_SCALE = 60;
const stack = useLocalStack({ mailboxes: { timeScale: TIME_SCALE } });
const host = useFunctionHost(stack, {
  settings: {
    SENDER_MAILBOX: 'billing@contoso.com',
    SENDER_MAILBOXES: `billing@contoso.com|${30 * TIME_SCALE}`,
    DELIVERY_RETRY_DELAY_SECONDS: '1',
  },
});

function setList(items: readonly ListItemSeed[]): void {
  stack().graph.replaceListItems(stack().seed.daemon.siteId, stack().seed.daemon.listId, items);
}

/** The list holds `items`; the timer sweeps it; the reminders it queued, taken off the queue. */
async function sweep(items: readonly ListItemSeed[]): Promise<ReminderMessage[]> {
  setList(items);
  expect((await host().fireTimer()).status).toBe('succeeded');
  return (await host().drainReminders()).sort((a, b) => (a.id < b.id ? -1 : 1));
}

async function sweepOne(item: ListItemSeed): Promise<ReminderMessage> {
  const [reminder, ...more] = await sweep([item]);
  if (reminder === undefined || more.length > 0) throw new Error('expected one reminder');
  return reminder;
}

function deliver(message: ReminderMessage): Promise<InvocationOutcome> {
  return host().functionApp.invokeQueue('reminderDeliver', JSON.stringify(message));
}

function mailsFor(reminderId: string) {
  return stack()
    .graph.outbox()
    .filter((mail) =>
      mail.internetMessageHeaders.some((header) => header.name === REMINDER_ID_HEADER && header.value === reminderId),
    );
}

function ledger() {
  return getDaemonRuntime(process.env).ledger;
}

/** Every log line of an invocation, for what must never be in one. */
function logText(outcome: InvocationOutcome): string {
  return outcome.logs.map((log) => log.message).join('\n');
}

describe('verify before send', () => {
  it('a forged message for an unknown address is not sent, and the ledger says why', async () => {
    const real = await sweepOne(obligation(701, inDays(7)));
    const forged = reminderMessage({
      obligationId: '999701',
      dueDate: real.dueDate,
      daysBefore: real.daysBefore,
      daysLeft: real.daysLeft,
      customer: { name: 'Mallory', email: 'mallory@attacker.example' },
      createdAt: new Date().toISOString(),
    });
    const outcome = await deliver(forged);

    expect(outcome.status).toBe('succeeded');
    expect(stack().graph.outbox()).toEqual([]);
    expect(await lookupRefusal(ledger(), forged.id)).toMatchObject({
      reason: 'itemGone',
      refusedBy: outcome.invocationId,
    });
    expect(await lookupReminder(ledger(), forged.id)).toBeUndefined();
    expect(logText(outcome)).toContain(
      `Reminder ${forged.id}: not sent: the obligations list does not confirm it (itemGone)`,
    );
    expect(logText(outcome)).not.toContain('mallory@attacker.example');
  });

  it('a forged message reusing a real id with another address is not sent; the real reminder is sent afterwards', async () => {
    const real = await sweepOne(obligation(702, inDays(7)));
    const forged: ReminderMessage = { ...real, customer: { name: 'Mallory', email: 'mallory@attacker.example' } };

    const refused = await deliver(forged);
    expect(refused.status).toBe('succeeded');
    expect(stack().graph.outbox()).toEqual([]);
    expect(await lookupRefusal(ledger(), real.id)).toMatchObject({ reason: 'changed:email' });
    // The forgery left the real reminder's entry alone: not sent, not failed, not held.
    expect(await lookupReminder(ledger(), real.id)).toBeUndefined();
    expect(logText(refused)).not.toContain('mallory@attacker.example');

    expect((await deliver(real)).status).toBe('succeeded');
    expect(mailsFor(real.id).map((mail) => mail.toRecipients)).toEqual([
      [{ address: 'customer702@example.com', name: 'Customer 702' }],
    ]);
    expect(await lookupReminder(ledger(), real.id)).toMatchObject({ state: 'sent', attempts: 1 });
    // "Did you remind me?" by obligation lists the reminder, not the refusal beside it.
    expect((await listObligationReminders(ledger(), '702')).map((entry) => entry.state)).toEqual(['sent']);
  });

  it('a forgery delivered alongside the real reminder neither blocks nor settles it', async () => {
    const real = await sweepOne(obligation(703, inDays(3)));
    const forgeries: ReminderMessage[] = [
      { ...real, customer: { name: 'Mallory', email: 'mallory@attacker.example' } },
      { ...real, amount: '1.00' },
      { ...real, dueDate: real.dueDate, currency: 'USD' },
    ];
    const outcomes = await Promise.all([...forgeries.map(deliver), deliver(real), ...forgeries.map(deliver)]);
    expect(outcomes.map((outcome) => outcome.status)).toEqual(outcomes.map(() => 'succeeded'));
    expect(mailsFor(real.id).map((mail) => mail.toRecipients[0]?.address)).toEqual(['customer703@example.com']);
    expect(await lookupReminder(ledger(), real.id)).toMatchObject({ state: 'sent', attempts: 1 });
  });

  it('a reminder for an item paid after the sweep is not sent', async () => {
    const reminder = await sweepOne(obligation(704, inDays(7)));
    setList([obligation(704, inDays(7), { Status: 'Paid' })]);

    expect((await deliver(reminder)).status).toBe('succeeded');
    expect(stack().graph.outbox()).toEqual([]);
    expect(await lookupRefusal(ledger(), reminder.id)).toMatchObject({ reason: 'itemClosed' });
    expect(await lookupReminder(ledger(), reminder.id)).toBeUndefined();
  });

  it('a reminder whose amount was edited after the sweep is not sent; one for a deleted item neither', async () => {
    const [edited, deleted] = await sweep([obligation(705, inDays(7)), obligation(706, inDays(3))]);
    if (edited === undefined || deleted === undefined) throw new Error('expected two reminders');
    setList([obligation(705, inDays(7), { AmountDue: 125.25 })]);

    await deliver(edited);
    await deliver(deleted);
    expect(stack().graph.outbox()).toEqual([]);
    expect(await lookupRefusal(ledger(), edited.id)).toMatchObject({ reason: 'changed:amount' });
    expect(await lookupRefusal(ledger(), deleted.id)).toMatchObject({ reason: 'itemGone' });
  });

  it('bidi overrides, line breaks and NULs in a message never reach Graph: the e-mail carries the list’s texts', async () => {
    const real = await sweepOne(
      obligation(707, inDays(7), { Title: 'INV-707\u202Egpj.exe', CustomerName: 'Ada\r\nLovelace' }),
    );
    const tampered: ReminderMessage = {
      ...real,
      reference: 'INV-707\r\nBcc: all@contoso.com\u0000',
      customer: { ...real.customer, name: '\u202Eetavirp\u202C Dear customer\r\n' },
    };
    expect((await deliver(tampered)).status).toBe('succeeded');

    const [mail, ...more] = mailsFor(real.id);
    expect(more).toEqual([]);
    const sent = JSON.stringify(mail);
    for (const character of ['\u202E', '\u202C', '\r', '\n', '\u0000', 'Bcc', 'Dear customer']) {
      expect(sent).not.toContain(character);
    }
    expect(mail?.toRecipients).toEqual([{ address: 'customer707@example.com', name: 'Ada Lovelace' }]);
    expect(mail?.subject).toContain('INV-707gpj.exe');
  });

  it('a Graph failure during verification sends nothing and settles nothing: the reminder is put back, then sent', async () => {
    const reminder = await sweepOne(obligation(708, inDays(1)));
    stack().faults.add({ endpoint: 'graph.listItems', action: { type: 'status', status: 403 }, count: 1 });

    const deferred = await deliver(reminder);
    expect(deferred.status).toBe('succeeded');
    expect(logText(deferred)).toContain('deferred until');
    expect(logText(deferred)).toContain('VerificationUnavailable');
    expect(stack().graph.outbox()).toEqual([]);
    expect(await lookupReminder(ledger(), reminder.id)).toBeUndefined();
    expect(await lookupRefusal(ledger(), reminder.id)).toBeUndefined();

    // Its copy comes back a second later (DELIVERY_RETRY_DELAY_SECONDS); reads of the list start 10 s
    // apart at least, which a test need not wait for.
    deliveryVerification.reset();
    const { outcomes, poisoned } = await host().deliverQueued({ waitForDelayed: { pollMs: 100, timeoutMs: 30_000 } });
    expect(poisoned).toEqual([]);
    expect(outcomes.map((outcome) => outcome.status)).toEqual(['succeeded']);
    expect(mailsFor(reminder.id)).toHaveLength(1);
  });

  it('a batch of N verified reminders costs at most 0.05·N + 1 Graph list requests', async () => {
    const count = 100;
    const items = Array.from({ length: count }, (_, index) =>
      obligation(1000 + index, inDays([7, 3, 1, 0][index % 4] ?? 7)),
    );
    const reminders = await sweep(items);
    expect(reminders).toHaveLength(count);
    stack().counters.reset();

    for (const reminder of reminders) expect((await deliver(reminder)).status).toBe('succeeded');

    expect(stack().graph.outbox()).toHaveLength(count);
    const listRequests = stack().counters.get('graph.listItems');
    expect(listRequests).toBeLessThanOrEqual(0.05 * count + 1);
    const counts = deliveryVerification.counts();
    expect(counts).toMatchObject({ confirmed: count, refused: 0, pages: listRequests });
    expect(counts?.requestsPerConfirmed).toBeLessThanOrEqual(0.05);
  });
});
