/**
 * The recipients a sender mailbox takes today (until the current hour comes round tomorrow), read from its
 * send-slot schedule in Azurite (made by the real takeSendSlot): counts of the current hour and slots
 * reserved ahead are taken off, an earlier hour's recipients come back when that hour leaves the window,
 * the pace bounds it, and the figure is exactly how many more slots the delivery hands out until then.
 * Then several mailboxes: each reminder counted against the mailbox senderFor gives it.
 */
import { describe, expect, it } from 'vitest';
import { dailyBudgetCheck } from '../../../../shared/delivery/daily-budget.js';
import { paceLimitsOf, senderFor } from '../../../../shared/delivery/deferral.js';
import { BUDGET_LEAD_MS, readRecipientsLeft, takeSendSlot } from '../../../../shared/delivery/ledger/index.js';
import type { MailboxPaceLimits, ReminderLedger } from '../../../../shared/delivery/ledger/index.js';
import { T0, at, useLedgerTables } from './ledger-fixture.js';

const { freshLedger } = useLedgerTables();
const MAILBOX = 'billing@contoso.com';
const MINUTE = 60_000;
const HOUR = 3_600_000;
const DAY = 24 * HOUR;

/** Sends `count` reminders through the schedule from `now` (each reserves the next slot), as deliveries do. */
async function send(ledger: ReminderLedger, limits: MailboxPaceLimits, now: Date, count: number): Promise<void> {
  for (let index = 0; index < count; index += 1) {
    const decision = await takeSendSlot(ledger, MAILBOX, { now, limits, maxWaitMs: DAY });
    if (decision.kind === 'defer' && !decision.reserved) throw new Error('the setup went over the budget');
  }
}

const left = (ledger: ReminderLedger, limits: MailboxPaceLimits, now: Date) =>
  readRecipientsLeft(ledger, MAILBOX, { limits, now });

/**
 * How many more slots takeSendSlot hands out from `now` until now's hour comes round tomorrow: a reminder
 * over the budget comes back just before the budget frees (as deferral.ts brings it back) and reserves its
 * slot then.
 */
async function slotsHandedOut(ledger: ReminderLedger, limits: MailboxPaceLimits, now: Date): Promise<number> {
  const tomorrow = Math.floor(now.getTime() / HOUR) * HOUR + DAY;
  let asked = now;
  let slots = 0;
  for (;;) {
    const decision = await takeSendSlot(ledger, MAILBOX, { now: asked, limits, maxWaitMs: 0 });
    if (decision.at.getTime() >= tomorrow) return slots;
    if (decision.kind === 'defer' && !decision.reserved) {
      asked = new Date(decision.at.getTime() - BUDGET_LEAD_MS + 1_000);
      continue;
    }
    slots += 1;
  }
}

describe("a sender mailbox's recipients left today", () => {
  it('a fresh mailbox (no table, no schedule yet) has its whole budget, or what its pace sends in a day', async () => {
    const ledger = freshLedger();
    expect(await left(ledger, { intervalMs: MINUTE, recipientsPerDay: 100 }, T0)).toBe(100);
    // One message every 20 minutes: 72 a day, whatever the budget.
    expect(await left(ledger, { intervalMs: 20 * MINUTE, recipientsPerDay: 100 }, T0)).toBe(72);
  });

  it('takes off the recipients of the current hour and the slots reserved ahead', async () => {
    const ledger = freshLedger();
    const limits = { intervalMs: MINUTE, recipientsPerDay: 10 };
    await send(ledger, limits, T0, 4); // 07:00 to 07:03
    // 6 more in this hour; the hour leaves the window at 07:00 tomorrow: the next day (at 07:30 too).
    expect(await left(ledger, limits, T0)).toBe(6);
    expect(await left(ledger, limits, at(30 * MINUTE))).toBe(6);
    // Two slots reserved ahead, at 08:00 and 08:01: slots are handed out in order, so only 4 after them.
    await send(ledger, limits, at(HOUR), 2);
    expect(await left(ledger, limits, T0)).toBe(4);
  });

  it("gives back an earlier hour's recipients when that hour leaves the window, and none older than 24 hours", async () => {
    const ledger = freshLedger();
    const limits = { intervalMs: MINUTE, recipientsPerDay: 10 };
    await send(ledger, limits, at(-30 * HOUR), 5); // out of the window already
    await send(ledger, limits, at(-2 * HOUR), 6); // 05:00 to 05:05: in the window until 05:00 tomorrow
    // 4 now; the other 6 once 05:00 leaves the window, 22 hours from now: all 10 before 07:00 tomorrow.
    expect(await left(ledger, limits, T0)).toBe(10);
  });

  it("is bounded by the pace when an hour's recipients come back too late in the day to all go out", async () => {
    const ledger = freshLedger();
    const limits = { intervalMs: 30 * MINUTE, recipientsPerDay: 10 };
    await send(ledger, limits, at(-HOUR), 8); // 06:00 to 09:30: 2 in the hour of 06:00
    // 2 more today (10:00, 10:30), then the 2 of 06:00 come back at 06:00 tomorrow: 06:00 and 06:30 go out
    // before 07:00, and the 6 of 07:00 to 09:30 return the next day.
    expect(await left(ledger, limits, T0)).toBe(4);
  });

  it('is exactly how many more slots the delivery hands out until this hour tomorrow, whatever the schedule holds', async () => {
    const limits = { intervalMs: 20 * MINUTE, recipientsPerDay: 12 };
    const histories = [
      [],
      [[-20, 3]],
      [[-1, 6]],
      [[-5, 10]],
      [
        [-23, 2],
        [-1, 1],
        [0, 3],
        [2, 1],
      ],
    ];
    const found = [];
    for (const history of histories) {
      const ledger = freshLedger();
      for (const [hours = 0, count = 0] of history) await send(ledger, limits, at(hours * HOUR), count);
      const now = at(10 * MINUTE);
      const expected = await left(ledger, limits, now);
      expect(await slotsHandedOut(ledger, limits, now), JSON.stringify(history)).toBe(expected);
      found.push(expected);
    }
    // The budget of 12 less what the schedule holds from 07:00 on (earlier hours leave the window today).
    expect(found).toEqual([12, 12, 9, 12, 8]);
  });
});

describe('the daily budget of several sender mailboxes', () => {
  it('counts each reminder against the mailbox senderFor gives it, each with its own budget left', async () => {
    const ledger = freshLedger();
    const senders = [
      { mailbox: 'a@contoso.com', messagesPerMinute: 30, recipientsPerDay: 3 },
      { mailbox: 'b@contoso.com', messagesPerMinute: 30, recipientsPerDay: 5 },
      { mailbox: 'c@contoso.com', messagesPerMinute: 30, recipientsPerDay: 100 },
    ];
    const [a, b] = senders;
    if (a === undefined || b === undefined) throw new Error('no senders');
    // a has sent 2 this hour: 1 left; b none: 5; c has plenty.
    for (let index = 0; index < 2; index += 1) {
      await takeSendSlot(ledger, a.mailbox, { now: T0, limits: paceLimitsOf(a), maxWaitMs: DAY });
    }
    const reminders = Array.from({ length: 30 }, (_, index) => ({ id: `${index}:2026-12-08:7` }));
    const assigned = (mailbox: string) =>
      reminders.filter((reminder) => senderFor(reminder.id, senders).mailbox === mailbox);
    const [toA, toB, toC] = senders.map((sender) => assigned(sender.mailbox).length);
    expect(toA).toBeGreaterThan(1);
    expect(toB).toBeGreaterThan(5);
    const check = dailyBudgetCheck(ledger, senders);
    const fitToday = 1 + 5 + (toC ?? 0);
    expect(await check?.(reminders, { now: T0 })).toEqual({ fitToday, overBudget: 30 - fitToday });
    // Without a sender mailbox there is no budget to tell.
    expect(dailyBudgetCheck(ledger, [])).toBeUndefined();
  });
});
