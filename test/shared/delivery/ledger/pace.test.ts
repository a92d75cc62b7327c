/**
 * The sender mailboxes' shared send-slot schedule against Azurite: slots one interval apart, whoever
 * asks; a kept slot used, a late one replaced; a pause that holds every delivery; the daily budget over
 * the last 24 hours; concurrent reservations that never share a slot.
 */
import { describe, expect, it } from 'vitest';
import {
  BUDGET_LEAD_MS,
  createReminderLedger,
  mailboxRecovered,
  pauseMailbox,
  takeSendSlot,
} from '../../../../shared/delivery/ledger/index.js';
import type { SlotDecision } from '../../../../shared/delivery/ledger/index.js';
import { T0, at, useLedgerTables } from './ledger-fixture.js';

const { freshLedger } = useLedgerTables();
const MAILBOX = 'billing@contoso.com';
const limits = { intervalMs: 2_000, recipientsPerDay: 10_000 };
const take = (ledger: ReturnType<typeof freshLedger>, now: Date, extra: { kept?: Date; maxWaitMs?: number } = {}) =>
  takeSendSlot(ledger, MAILBOX, { now, limits, maxWaitMs: extra.maxWaitMs ?? 10_000, ...extra });

function sameTable(ledger: ReturnType<typeof freshLedger>): ReturnType<typeof freshLedger> {
  return createReminderLedger(ledger.table);
}

function slotOf(decision: SlotDecision): number {
  return decision.at.getTime() - T0.getTime();
}

describe('the send-slot schedule', () => {
  it('hands out slots one interval apart; beyond the wait it defers to a slot kept for the reminder', async () => {
    const ledger = freshLedger();
    const decisions = [];
    for (let index = 0; index < 7; index += 1) decisions.push(await take(ledger, T0));
    expect(decisions.map(slotOf)).toEqual([0, 2_000, 4_000, 6_000, 8_000, 10_000, 12_000]);
    expect(decisions.slice(0, 6).every((decision) => decision.kind === 'send')).toBe(true);
    expect(decisions[6]).toMatchObject({ kind: 'defer', reason: 'pace', reserved: true });
    // Another mailbox has its own schedule.
    expect(await takeSendSlot(ledger, 'other@contoso.com', { now: T0, limits, maxWaitMs: 0 })).toMatchObject({
      kind: 'send',
      at: T0,
    });
  });

  it('a copy back early waits for its kept slot; one back late takes the next turn, neither bunched nor given up', async () => {
    const ledger = freshLedger();
    expect(await take(ledger, T0, { maxWaitMs: 0 })).toMatchObject({ kind: 'send', at: T0 });
    for (const slot of [2_000, 4_000, 6_000]) {
      expect(await take(ledger, T0, { maxWaitMs: 0 })).toMatchObject({ kind: 'defer', at: at(slot), reserved: true });
    }
    expect(await take(ledger, at(1_500), { kept: at(4_000) })).toMatchObject({ kind: 'send', at: at(4_000) });
    // Back 3.5 s late for 2 s: not at once, right after the send at 4 s, but at the next turn.
    expect(await take(ledger, at(5_500), { kept: at(2_000) })).toMatchObject({ kind: 'send', at: at(6_000) });
    expect(await take(ledger, at(5_800), { kept: at(6_000) })).toMatchObject({ kind: 'send', at: at(8_000) });
    // A copy whose turn is beyond the wait gives its slot up and reserves the plan's next one.
    expect(await take(ledger, at(6_000), { kept: at(6_000), maxWaitMs: 0 })).toMatchObject({
      kind: 'defer',
      at: at(10_000),
    });
  });

  it('a turn nobody took goes to a new delivery that is there, outside the plan; the late copy takes the next turn', async () => {
    const ledger = freshLedger();
    expect(await take(ledger, T0, { maxWaitMs: 0 })).toMatchObject({ kind: 'send', at: T0 });
    for (const slot of [2_000, 4_000, 6_000]) {
      expect(await take(ledger, T0, { maxWaitMs: 0 })).toMatchObject({ kind: 'defer', at: at(slot), reserved: true });
    }
    // 2.1 s: the copy for 2 s is late (behind a backlog on the queue): a new delivery sends now, not at 8 s.
    expect(await take(ledger, at(2_100))).toMatchObject({ kind: 'send', at: at(2_100) });
    // The late copy keeps its place: the next turn, within the wait.
    expect(await take(ledger, at(2_500), { kept: at(2_000) })).toMatchObject({ kind: 'send', at: at(4_100) });
    // The turn at 4.1 s is taken: a new delivery gets the plan's next free slot, which is still 8 s.
    expect(await take(ledger, at(2_600), { maxWaitMs: 0 })).toMatchObject({ kind: 'defer', at: at(8_000) });
  });

  it('turns nobody took are given out up to a second ahead (a pace round and a request away), not further', async () => {
    const ledger = freshLedger();
    const fast = { intervalMs: 200, recipientsPerDay: 10_000 };
    const decisions = [];
    for (let index = 0; index < 7; index += 1) {
      decisions.push(await takeSendSlot(ledger, MAILBOX, { now: T0, limits: fast, maxWaitMs: 10_000 }));
    }
    expect(decisions.map((decision) => [decision.kind, slotOf(decision)])).toEqual([
      ...[0, 200, 400, 600, 800, 1_000].map((slot) => ['send', slot]),
      ['send', 1_200], // the plan's first slot, within the wait
    ]);
    // The plan starts after the free turns: a delivery that cannot wait is deferred to its next slot.
    expect(await takeSendSlot(ledger, MAILBOX, { now: T0, limits: fast, maxWaitMs: 0 })).toMatchObject({
      kind: 'defer',
      at: at(1_400),
    });
  });

  it('a turn outside the plan is not taken past the daily budget of the slots reserved ahead', async () => {
    const ledger = freshLedger();
    const budget = { intervalMs: 1_000, recipientsPerDay: 2 };
    const takeBudget = (now: Date, maxWaitMs: number) =>
      takeSendSlot(ledger, MAILBOX, { now, limits: budget, maxWaitMs });
    expect(await takeBudget(T0, 0)).toMatchObject({ kind: 'send', at: T0 });
    expect(await takeBudget(T0, 0)).toMatchObject({ kind: 'defer', at: at(1_000), reserved: true });
    // Idle turn at 5 s, but the day's 2 recipients are taken (one of them reserved): over the budget.
    expect(await takeBudget(at(5_000), 10_000)).toMatchObject({ kind: 'defer', reason: 'budget', reserved: false });
  });

  it('a pause holds every delivery until it ends, doubling per refusal in a row without Retry-After', async () => {
    const ledger = freshLedger();
    expect(await pauseMailbox(ledger, MAILBOX, { now: T0, baseDelayMs: 1_000 })).toEqual(at(1_000));
    expect(await pauseMailbox(ledger, MAILBOX, { now: T0, baseDelayMs: 1_000 })).toEqual(at(2_000));
    expect(await pauseMailbox(ledger, MAILBOX, { now: T0, baseDelayMs: 60_000, retryAfterMs: 120_000 })).toEqual(
      at(120_000),
    );
    expect(await take(ledger, at(1_000), { maxWaitMs: 0 })).toMatchObject({
      kind: 'defer',
      reason: 'paused',
      at: at(120_000),
    });
    // A kept slot inside the pause is given up for one after it.
    expect(await take(ledger, at(5_000), { kept: at(5_000), maxWaitMs: 0 })).toMatchObject({ reason: 'paused' });
    const after = await take(ledger, at(120_000), { maxWaitMs: 60_000 });
    expect(after).toMatchObject({ kind: 'send', pausedBefore: true });
    await mailboxRecovered(ledger, MAILBOX);
    expect(await pauseMailbox(ledger, MAILBOX, { now: at(200_000), baseDelayMs: 1_000 })).toEqual(at(201_000));
  });

  it('the daily budget counts the last 24 hours: the overflow waits until the first hour ages out', async () => {
    const ledger = freshLedger();
    const budget = { intervalMs: 1_000, recipientsPerDay: 3 };
    const takeBudget = (now: Date) => takeSendSlot(ledger, MAILBOX, { now, limits: budget, maxWaitMs: 60_000 });
    for (let index = 0; index < 3; index += 1) expect((await takeBudget(T0)).kind).toBe('send');
    const over = await takeBudget(T0);
    // T0 is 07:00 UTC: its hour's recipients leave the window at 07:00 the next day.
    expect(over).toMatchObject({ kind: 'defer', reason: 'budget', reserved: false, at: at(24 * 3_600_000) });
    // Within the lead time before the budget frees, the slot is reserved (the overflow goes first).
    const back = await takeBudget(new Date(T0.getTime() + 24 * 3_600_000 - BUDGET_LEAD_MS + 1_000));
    expect(back).toMatchObject({ kind: 'defer', reason: 'budget', reserved: true, at: at(24 * 3_600_000) });
  });

  it("an instance's reservations made at once are read and written together, not one request each", async () => {
    let writes = 0;
    const ledger = freshLedger({
      additionalPolicies: [
        {
          position: 'perCall',
          policy: {
            name: 'countPaceWrites',
            sendRequest(request, next) {
              if (request.method !== 'GET' && !new URL(request.url).pathname.endsWith('/Tables')) writes += 1;
              return next(request);
            },
          },
        },
      ],
    });
    const decisions = await Promise.all(Array.from({ length: 40 }, () => take(ledger, T0, { maxWaitMs: 600_000 })));
    expect(decisions.map(slotOf).sort((a, b) => a - b)).toEqual(Array.from({ length: 40 }, (_, i) => i * 2_000));
    // The first alone, the 39 that arrived meanwhile as one batch.
    expect(writes).toBe(2);
  });

  it('reservations made at once never share a slot: 40 deliveries on each of 3 instances', async () => {
    const first = freshLedger();
    // Three instances: three ledgers (each its own turns) on one table.
    const instances = [first, sameTable(first), sameTable(first)];
    const decisions = await Promise.all(
      instances.flatMap((ledger) => Array.from({ length: 40 }, () => take(ledger, T0, { maxWaitMs: 600_000 }))),
    );
    expect(decisions.map(slotOf).sort((a, b) => a - b)).toEqual(Array.from({ length: 120 }, (_, i) => i * 2_000));
  });
});
