/**
 * A sender mailbox's send-slot schedule as stored (pace.ts): one Table entity per mailbox in partition
 * `%pace`, and its recipients per hour, against which the daily budget is checked.
 *
 * The hours are kept in 48 buckets (hour mod 48): the 24 hours before now, which the daily budget
 * counts, and up to 24 ahead, where slots are reserved. With 24 buckets a reserved hour replaced the
 * same hour of the day before, and the budget of any instant before the plan's frontier read wrong.
 */
import { encodeTableKey } from './table-keys.js';
import { hasStatus, unavailable } from './table.js';
import type { ReminderLedger } from './table.js';

export const PACE_PARTITION = '%pace';
export const HOUR = 3_600_000;
export const HOURS_PER_DAY = 24;
const HOUR_BUCKETS = 2 * HOURS_PER_DAY;

export interface PaceState {
  /** The plan: the next slot a deferred reminder can reserve. */
  nextSlotAt: number;
  /** The sends: the mailbox's next turn to send, one interval after the last send. */
  nextSendAt: number;
  pausedUntil: number;
  /** Mailbox-wide refusals in a row (a success resets it): the pause doubles with each. */
  refusals: number;
  /** Recipients per hour: `hours[i]` is the absolute hour (epoch ms ÷ 1 h) whose count is `counts[i]`. */
  readonly hours: number[];
  readonly counts: number[];
}

/** The row key of a mailbox's schedule (partition {@link PACE_PARTITION}). */
export function paceRowKey(mailbox: string): string {
  return encodeTableKey(mailbox.toLowerCase());
}

/** A mailbox's schedule entity as stored (with its ETag), or undefined if it has none yet. */
export async function readPaceEntity(
  ledger: ReminderLedger,
  rowKey: string,
  abortSignal: AbortSignal | undefined,
): Promise<Record<string, unknown> | undefined> {
  try {
    return await ledger.table.getEntity<Record<string, unknown>>(PACE_PARTITION, rowKey, { abortSignal });
  } catch (error) {
    if (hasStatus(error, 404)) return undefined;
    throw unavailable(ledger.table, 'read the pace of a sender mailbox', error);
  }
}

export function stateOf(entity: Readonly<Record<string, unknown>> | undefined): PaceState {
  const number = (name: string): number => (typeof entity?.[name] === 'number' ? entity[name] : 0);
  return {
    nextSlotAt: number('nextSlotAt'),
    nextSendAt: number('nextSendAt'),
    pausedUntil: number('pausedUntil'),
    refusals: number('refusals'),
    hours: Array.from({ length: HOUR_BUCKETS }, (_, index) => number(`h${index}`)),
    counts: Array.from({ length: HOUR_BUCKETS }, (_, index) => number(`n${index}`)),
  };
}

export type PaceEntity = { partitionKey: string; rowKey: string } & Record<string, string | number>;

export function entityOf(mailbox: string, state: PaceState): PaceEntity {
  const entity: PaceEntity = {
    partitionKey: PACE_PARTITION,
    rowKey: paceRowKey(mailbox),
    mailbox: mailbox.toLowerCase(),
    nextSlotAt: state.nextSlotAt,
    nextSendAt: state.nextSendAt,
    pausedUntil: state.pausedUntil,
    refusals: state.refusals,
  };
  state.hours.forEach((hour, index) => {
    entity[`h${index}`] = hour;
    entity[`n${index}`] = state.counts[index] ?? 0;
  });
  return entity;
}

/** The plan's next free slot from `now` on: after the plan's last slot, the last send and any pause. */
export function nextFreeSlotAt(state: PaceState, now: number): number {
  return Math.max(now, state.nextSlotAt, state.nextSendAt, state.pausedUntil);
}

/** Recipients counted in the 24 hours up to and including `hour`. */
export function usedUpTo(state: PaceState, hour: number): number {
  let used = 0;
  state.hours.forEach((counted, index) => {
    if (counted > hour - HOURS_PER_DAY && counted <= hour) used += state.counts[index] ?? 0;
  });
  return used;
}

/** The earliest instant from `at` on at which one more recipient fits the last 24 hours' budget. */
export function budgetFreeAt(state: PaceState, at: number, recipientsPerDay: number): number {
  const hour = Math.floor(at / HOUR);
  let used = usedUpTo(state, hour);
  if (used < recipientsPerDay) return at;
  const counted = state.hours
    .map((countedHour, index) => ({ hour: countedHour, count: state.counts[index] ?? 0 }))
    .filter((bucket) => bucket.hour > hour - HOURS_PER_DAY && bucket.hour <= hour && bucket.count > 0)
    .sort((a, b) => a.hour - b.hour);
  for (const bucket of counted) {
    used -= bucket.count;
    if (used < recipientsPerDay) return (bucket.hour + HOURS_PER_DAY) * HOUR;
  }
  return (hour + HOURS_PER_DAY) * HOUR;
}

/**
 * Whether one more recipient at `at`, ahead of slots already reserved, keeps within the budget every
 * 24 hours it falls in: those ending in its hour and in each later hour up to the last one counted.
 */
export function fitsBudgetAt(state: PaceState, at: number, recipientsPerDay: number): boolean {
  const hour = Math.floor(at / HOUR);
  const counted = state.hours.filter((countedHour, index) => countedHour > hour && (state.counts[index] ?? 0) > 0);
  const last = Math.min(hour + HOURS_PER_DAY - 1, Math.max(hour, ...counted));
  for (let ending = hour; ending <= last; ending += 1) {
    if (usedUpTo(state, ending) >= recipientsPerDay) return false;
  }
  return true;
}

export function count(state: PaceState, at: number, delta: number): void {
  const hour = Math.floor(at / HOUR);
  const index = hour % HOUR_BUCKETS;
  if (state.hours[index] !== hour) {
    if (delta < 0) return; // That hour's count is gone already.
    state.hours[index] = hour;
    state.counts[index] = 0;
  }
  state.counts[index] = Math.max(0, (state.counts[index] ?? 0) + delta);
}
