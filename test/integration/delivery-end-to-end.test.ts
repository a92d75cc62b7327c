/**
 * Timer → queue → delivery on the local stack, the way the host runs them: reminderTimer fired through
 * the local host writes its messages to the Azurite queue, and the queue trigger's listener runs
 * reminderDeliver on each (deleting it on success, retrying it, moving it to the poison queue after
 * maxDequeueCount failures). The Graph emulator's outbox is compared with the expected set of reminders,
 * worked out by hand from the rules (REMINDER_DAYS 7,3,1, CATCH_UP_DAYS 2): 0 missing, 0 duplicated.
 */
import { describe, expect, it } from 'vitest';
import type { ListItemSeed } from '../../emulators/stack/seed.js';
import { getDaemonRuntime } from '../../shared/runtime.js';
import { lookupReminder } from '../../shared/delivery/ledger/index.js';
import { calendarDate, plusDays, runSummaryOf, useFunctionHost } from '../support/function-host.js';
import { useLocalStack } from '../support/stack.js';

const ZONE = 'Europe/Berlin';

/**
 * Obligations due `days` from today and the reminder day k today's run must emit for each after two
 * days without runs (null: none). k = 7 for 5 days was due two days ago, 3 for 2 days and 1 for 0
 * days yesterday: only the catch-up window brings them.
 */
const CASES: readonly { readonly days: number; readonly k: number | null }[] = [
  { days: 8, k: null },
  { days: 7, k: 7 },
  { days: 6, k: 7 },
  { days: 5, k: 7 },
  { days: 4, k: null },
  { days: 3, k: 3 },
  { days: 2, k: 3 },
  { days: 1, k: 1 },
  { days: 0, k: 1 },
  { days: -1, k: null },
];

/** The CASES as list items with ids from `firstId`, and the reminder ids expected today. */
function obligations(firstId: number): { items: ListItemSeed[]; expected: string[] } {
  const today = calendarDate(new Date(), ZONE);
  const items = CASES.map(({ days }, index) => ({
    id: String(firstId + index),
    fields: {
      Title: `INV-E-${firstId + index}`,
      CustomerName: `Customer ${firstId + index}`,
      CustomerEmail: `customer${firstId + index}@example.com`,
      DueDate: days >= 0 ? `today+${days}` : `today${days}`,
      AmountDue: 250.25,
      Currency: 'EUR',
      Status: 'Open',
    },
  }));
  const expected = CASES.flatMap(({ days, k }, index) =>
    k === null ? [] : [`${firstId + index}:${plusDays(today, days)}:${k}`],
  );
  return { items, expected: expected.sort() };
}

// The mailbox's clock runs 20× faster and the app paces it at 20 × 30 a minute (the real pace is tested
// in test/integration/mailbox-pace.test.ts).
const stack = useLocalStack({ mailboxes: { timeScale: 20 } });
const host = useFunctionHost(stack, { settings: { MAIL_MESSAGES_PER_MINUTE: '600' } });

describe('every due reminder e-mailed exactly once, timer to inbox', () => {
  function useObligations(firstId: number): string[] {
    const { items, expected } = obligations(firstId);
    stack().graph.replaceListItems(stack().seed.daemon.siteId, stack().seed.daemon.listId, items);
    return expected;
  }

  async function fireTimer(daysSinceLastRun = 1) {
    const last = new Date(Date.now() - daysSinceLastRun * 86_400_000);
    const outcome = await host().fireTimer({ scheduleStatus: { last, next: new Date(), lastUpdated: last } });
    expect(outcome.status).toBe('succeeded');
    return runSummaryOf(outcome.logs);
  }

  it('the stack sends as the seed mailbox, with an app that has Mail.Send', () => {
    const { settings, seed } = stack();
    expect(seed.graph.users?.map((user) => user.userPrincipalName)).toContain(settings.SENDER_MAILBOX);
    const daemonApp = seed.tenants
      .flatMap((tenant) => tenant.applications)
      .find((application) => application.clientId === seed.daemon.clientId);
    expect(daemonApp?.appRoles).toContain('Mail.Send');
  });

  it('host down for two days: the next run catches up and every due reminder is delivered once; a rerun sends nothing', async () => {
    const expected = useObligations(1);
    const today = calendarDate(new Date(), ZONE);

    const summary = await fireTimer(3);
    expect(summary).toMatchObject({ reminders: expected.length, alreadySent: 0 });
    const delivered = await host().deliverQueued();
    expect(delivered.outcomes.map((outcome) => outcome.status)).toEqual(expected.map(() => 'succeeded'));
    expect(host().mailedReminderIds()).toEqual(expected);
    expect(calendarDate(new Date(), ZONE)).toBe(today); // the expectations hold for one calendar day

    const dueToday = stack()
      .graph.outbox()
      .find((mail) => mail.internetMessageHeaders.some((header) => header.value === `9:${today}:1`));
    expect(dueToday?.subject).toMatch(/due today$/);

    // The next run (or a retry of this one) finds every reminder sent in the ledger and enqueues none.
    stack().graph.clearOutbox();
    const rerun = await fireTimer();
    expect(rerun).toMatchObject({ reminders: 0, alreadySent: expected.length });
    expect((await host().deliverQueued()).outcomes).toEqual([]);
    expect(host().mailedReminderIds()).toEqual([]);
  });

  it('two timer runs at once: each reminder is enqueued twice and e-mailed once', async () => {
    const expected = useObligations(101);
    const [first, second] = await Promise.all([fireTimer(), fireTimer()]);
    expect(first?.reminders).toBe(expected.length);
    expect(second?.reminders).toBe(expected.length);

    const delivered = await host().deliverQueued();
    expect(delivered.outcomes).toHaveLength(2 * expected.length);
    expect(delivered.outcomes.every((outcome) => outcome.status === 'succeeded')).toBe(true);
    expect(host().mailedReminderIds()).toEqual(expected);
  });

  it('a run retried after it failed, and deliveries retried after sendMail failures: every reminder once', async () => {
    const expected = useObligations(201);
    stack().faults.add({ endpoint: 'graph.listItems', action: { type: 'status', status: 403 }, count: 1 });
    const failed = await host().fireTimer();
    expect(failed.status).toBe('failed');
    expect((await host().deliverQueued()).outcomes).toEqual([]);

    await fireTimer();
    // Throttling beyond what a worker waits for (6 s > 5 s): the mailbox pauses, the reminders come back.
    stack().faults.add({
      endpoint: 'graph.sendMail',
      action: { type: 'status', status: 429, retryAfter: '6' },
      count: 1,
    });
    stack().faults.add({
      endpoint: 'graph.sendMail',
      action: { type: 'status', status: 503, retryAfter: '0.01' },
      count: 2,
    });
    const delivered = await host().deliverQueued({ waitForDelayed: { timeoutMs: 60_000 } });
    expect(delivered.outcomes.filter((outcome) => outcome.status === 'failed')).toEqual([]);
    expect(delivered.poisoned).toEqual([]);
    expect(host().mailedReminderIds()).toEqual(expected);
  });

  it('a mailbox that keeps refusing (403) defers its reminders, never poisons them; after the fix each is sent once', async () => {
    const expected = useObligations(301);
    host().setSettings({ DELIVERY_RETRY_DELAY_SECONDS: '1' });
    await fireTimer();
    const denial = stack().faults.add({ endpoint: 'graph.sendMail', action: { type: 'status', status: 403 } });
    setTimeout(() => stack().faults.remove(denial), 4_000);
    const delivered = await host().deliverQueued({ waitForDelayed: { timeoutMs: 60_000 } });
    expect(delivered.poisoned).toEqual([]);
    expect(delivered.outcomes.every((outcome) => outcome.status === 'succeeded')).toBe(true);
    expect(host().mailedReminderIds()).toEqual(expected);
    const ledger = getDaemonRuntime(process.env).ledger;
    expect(await lookupReminder(ledger, expected[0] ?? '')).toMatchObject({ state: 'sent' });
  });
});
