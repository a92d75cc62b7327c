/**
 * Fault matrix, run rows: two timer runs at once, a run retried after it failed, the host down for two
 * days. Timer → Azurite queue → reminderDeliver for every message → the Graph outbox compared with the
 * expected set of reminders, worked out by hand from the rules (REMINDER_DAYS 7,3,1, CATCH_UP_DAYS 2):
 * 0 missing, 0 duplicated.
 *
 * (test/integration/delivery-end-to-end.test.ts covers the plain cases: one worker, a run failing at its
 * first request, catch-up after two days without runs. These rows add concurrent workers, a run failing
 * after it read part of the list, and messages of the last run before the outage still on the queue.)
 */
import { describe, expect, it } from 'vitest';
import { decodeQueueMessage, enqueueMessages } from '../../devhost/queue-storage.js';
import { deliverReminder } from '../../shared/delivery/deliver-reminder.js';
import { findSentReminderIds, lookupRefusal } from '../../shared/delivery/ledger/index.js';
import type { Logger } from '../../shared/base/logger.js';
import { readReminderMessage } from '../../shared/reminders/reminder-message.js';
import { getDaemonRuntime, getDeliveryRuntime } from '../../shared/runtime.js';
import { runSweep } from '../../shared/sweep/sweep.js';
import { calendarDate, failureOf, plusDays, runSummaryOf, useFunctionHost } from '../support/function-host.js';
import { inDays, obligation } from '../support/obligations.js';
import { useLocalStack } from '../support/stack.js';

const ZONE = 'Europe/Berlin';
// The mailbox's clock runs 20× faster and the app paces it at 20 × 30 a minute: 40 deliveries take
// seconds, not the minute and a half of Exchange Online's real pace (the pace is tested in
// test/integration/mailbox-pace.test.ts).
const stack = useLocalStack({ mailboxes: { timeScale: 20 } });
const host = useFunctionHost(stack, { settings: { MAIL_MESSAGES_PER_MINUTE: '600' } });

/** Obligations due `days` from today, ids from `firstId`; the reminder ids `k(days)` gives today (null: none). */
function useObligations(
  firstId: number,
  dueInDays: readonly number[],
  k: (days: number) => number | null,
  extra = 0,
): string[] {
  const today = calendarDate(new Date(), ZONE);
  const items = dueInDays.map((days, index) => obligation(firstId + index, inDays(days)));
  // Obligations due in 8 days are read (they are in the query's window) but get no reminder today.
  const fillers = Array.from({ length: extra }, (_, index) =>
    obligation(firstId + dueInDays.length + index, inDays(8)),
  );
  stack().graph.replaceListItems(stack().seed.daemon.siteId, stack().seed.daemon.listId, [...items, ...fillers]);
  return dueInDays
    .flatMap((days, index) => {
      const day = k(days);
      return day === null ? [] : [`${firstId + index}:${plusDays(today, days)}:${day}`];
    })
    .sort();
}

/** Today's reminder day for an obligation due in `days`, after a run yesterday (no catch-up needed). */
function dueToday(days: number): number | null {
  return days === 7 || days === 3 || days === 1
    ? days
    : days === 0
      ? 1
      : days === 6 || days === 5
        ? 7
        : days === 2
          ? 3
          : null;
}

function expectSameDay(today: string): void {
  // The expectations hold for one calendar day in Berlin.
  expect(calendarDate(new Date(), ZONE)).toBe(today);
}

const quiet: Logger = { info: () => undefined, warn: () => undefined, error: () => undefined };

describe('fault matrix: runs', () => {
  it('two timer runs at once, their messages delivered by two workers at once: every due reminder e-mailed once', async () => {
    const today = calendarDate(new Date(), ZONE);
    const dueInDays = [7, 7, 6, 5, 3, 3, 2, 1, 1, 0, 7, 6, 5, 3, 2, 1, 0, 7, 3, 1];
    const expected = useObligations(1, dueInDays, dueToday);
    expect(expected).toHaveLength(20);

    const runs = await Promise.all([host().fireTimer(), host().fireTimer()]);
    expect(runs.map((run) => run.status)).toEqual(['succeeded', 'succeeded']);
    expect(runs.map((run) => runSummaryOf(run.logs).reminders)).toEqual([20, 20]);

    // 40 messages, two listeners: each takes a batch, so copies of one reminder are delivered side by side.
    const workers = await Promise.all([host().deliverQueued(), host().deliverQueued()]);
    const outcomes = workers.flatMap((worker) => worker.outcomes);
    expect(outcomes).toHaveLength(40);
    expect(workers.every((worker) => worker.outcomes.length > 0)).toBe(true);
    expect(outcomes.every((outcome) => outcome.status === 'succeeded')).toBe(true);
    expect(host().mailedReminderIds()).toEqual(expected);
    expectSameDay(today);
  });

  it('a run retried after it failed with part of the list read: the failed attempt wrote nothing, every reminder e-mailed once', async () => {
    const today = calendarDate(new Date(), ZONE);
    // 10 reminders due today on the first page, 2,000 more obligations after them: three pages.
    const expected = useObligations(101, [7, 6, 5, 3, 2, 1, 0, 7, 3, 1], dueToday, 2_000);
    host().setSettings({ GRAPH_CONCURRENCY: '1' });
    // Graph fails the second page with a 500, which is not worth retrying within the run.
    stack().faults.add({
      endpoint: 'graph.listItems',
      path: 'skiptoken',
      action: { type: 'status', status: 500 },
      count: 1,
    });

    const failed = await host().fireTimer();
    expect(failureOf(failed)).toMatchObject({ code: 'GraphRequestFailed' });
    expect(stack().counters.get('graph.listItems')).toBe(2);
    expect(await host().deliverQueued()).toEqual({ outcomes: [], poisoned: [] });

    // The host's retry (retry policy: exponentialBackoff, 3 retries).
    const retried = await host().fireTimer();
    expect(retried.status).toBe('succeeded');
    expect(runSummaryOf(retried.logs)).toMatchObject({ itemsRead: 2_010, reminders: 10, alreadySent: 0 });
    const delivered = await host().deliverQueued();
    expect(delivered.outcomes.map((outcome) => outcome.status)).toEqual(expected.map(() => 'succeeded'));
    expect(host().mailedReminderIds()).toEqual(expected);
    expectSameDay(today);
  });

  it("host down for two days, the last run's messages partly undelivered: after restart every reminder still due is e-mailed once, the one superseded meanwhile is refused", async () => {
    const today = calendarDate(new Date(), ZONE);
    const threeDaysAgo = new Date(`${plusDays(today, -3)}T06:00:00Z`);
    const dueInDays = [10, 6, 5, 4, 3, 2, 1, 0];
    const firstId = 201;
    // By hand: the run three days ago (k for days + 3 left) and today's after two days down (k for days left, catch-up 2).
    const thenK: Readonly<Record<number, number>> = { 4: 7, 3: 7, 2: 7, 0: 3 };
    const nowK: Readonly<Record<number, number>> = { 6: 7, 5: 7, 3: 3, 2: 3, 1: 1, 0: 1 };
    const idOf = (days: number, k: number | undefined): string[] =>
      k === undefined ? [] : [`${firstId + dueInDays.indexOf(days)}:${plusDays(today, days)}:${k}`];
    useObligations(firstId, dueInDays, () => null);

    // Three days ago: the last run before the outage (the sweep at that instant), its messages enqueued
    // as the output binding does; three were delivered, then the host went down.
    const { config, graph, metrics, ledger } = getDaemonRuntime(process.env);
    const before = await runSweep({ config, graph, metrics, logger: quiet }, { now: threeDaysAgo });
    expect(before.reminders.map((reminder) => reminder.id).sort()).toEqual(
      dueInDays.flatMap((days) => idOf(days, thenK[days])).sort(),
    );
    const encoding = host().functionApp.hostJson.queueMessageEncoding;
    await enqueueMessages(
      host().remindersQueue(),
      before.reminders.map((reminder) => JSON.stringify(reminder)),
      { encoding },
    );
    const leftOnQueue = idOf(4, thenK[4])[0];
    const { receivedMessageItems } = await host()
      .remindersQueue()
      .receiveMessages({ numberOfMessages: 32, visibilityTimeout: 600 });
    const held = receivedMessageItems.find(
      (message) => (JSON.parse(decodeQueueMessage(message.messageText, encoding)) as { id: string }).id === leftOnQueue,
    );
    if (!held) throw new Error(`The run three days ago enqueued no ${leftOnQueue}`);
    for (const message of receivedMessageItems.filter((candidate) => candidate !== held)) {
      // Delivered three days ago: on that day's clock, which verify before send applies the rules at.
      const reading = readReminderMessage(decodeQueueMessage(message.messageText, encoding));
      if (!reading.ok) throw new Error(`not a reminder: ${reading.field}`);
      // Not paced: the mailbox's send slots of the other tests lie three days "ahead" of that clock.
      const { ledger: entries, mailer, settings, renderMail, verifier } = getDeliveryRuntime(process.env);
      const outcome = await deliverReminder(
        { ledger: entries, mailer, settings, renderMail, verifier, logger: quiet, clock: () => threeDaysAgo },
        reading.reminder,
        { deliveryId: `then-${message.messageId}` },
      );
      expect(outcome.status).toBe('sent');
      await host().remindersQueue().deleteMessage(message.messageId, message.popReceipt);
    }
    expect(host().mailedReminderIds()).toHaveLength(3);

    // Back after two days: the message the host was holding reappears, and the timer fires (past due).
    await host().remindersQueue().updateMessage(held.messageId, held.popReceipt, undefined, 0);
    const last = threeDaysAgo;
    const run = await host().fireTimer({
      isPastDue: true,
      scheduleStatus: { last, next: new Date(), lastUpdated: last },
    });
    expect(run.status).toBe('succeeded');
    expect(runSummaryOf(run.logs)).toMatchObject({ reminders: 6, alreadySent: 0 });
    const delivered = await host().deliverQueued();
    expect(delivered.outcomes).toHaveLength(7);
    expect(delivered.outcomes.every((outcome) => outcome.status === 'succeeded')).toBe(true);

    // The held 7-day reminder is three days late, beyond the catch-up: no longer due, verify before send
    // refuses it (the 3-day reminder of today's run stands for it).
    expect(await lookupRefusal(ledger, leftOnQueue ?? '')).toMatchObject({ reason: 'notDue' });
    const expected = dueInDays
      .flatMap((days) => [...idOf(days, thenK[days]), ...idOf(days, nowK[days])])
      .filter((id) => id !== leftOnQueue)
      .sort();
    expect(expected).toHaveLength(9);
    expect(host().mailedReminderIds()).toEqual(expected);
    expect(
      [
        ...(await findSentReminderIds(
          ledger,
          expected.map((id) => ({ id, obligationId: id.split(':')[0] ?? '' })),
        )),
      ].sort(),
    ).toEqual(expected);
    expectSameDay(today);
  });
});
