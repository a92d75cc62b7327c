/**
 * One pace per sender mailbox for the whole app, every instance included: a send-slot schedule kept in
 * the ledger's table (one entity per mailbox, partition `%pace`), updated with ETag-conditional writes.
 *
 * Two clocks. The plan (`nextSlotAt`): a delivery that cannot send within a few seconds reserves the
 * mailbox's next free slot, moved on by one interval, and is kept by the reminder (the ledger records it
 * as `deferred` until then) while its queue message waits, invisible, for that moment. The sends
 * (`nextSendAt`): every send, of a new delivery or of a copy back for its slot, takes the mailbox's next
 * turn, one interval after the last one; so the mailbox never gets more than its messages per minute,
 * whichever instance sends, and a copy that comes back late costs no turn (a copy back early takes it)
 * and bunches nothing; a turn nobody has taken goes to a new delivery that is there, so that the mailbox
 * does not idle while the copies of its slots wait behind a backlog on the queue. The schedule also
 * holds the mailbox's pause (after a 429 or a mailbox-wide refusal nobody sends until it ends: one
 * request probes the mailbox per pause, however many reminders wait) and its recipients per hour
 * (pace-state.ts), so that a slot past the daily budget moves to when the budget frees: the next day,
 * ahead of everything that next day's run enqueues (slots are handed out in order).
 */
import { abortableSleep } from '../../http/retry.js';
import {
  PACE_PARTITION,
  budgetFreeAt,
  count,
  entityOf,
  fitsBudgetAt,
  nextFreeSlotAt,
  paceRowKey,
  readPaceEntity,
  stateOf,
} from './pace-state.js';
import type { PaceState } from './pace-state.js';
import { LedgerError, hasStatus, unavailable } from './table.js';
import type { ReminderLedger } from './table.js';

/** Rounds of read and conditional write before giving up as contended (instances racing for one mailbox). */
const MAX_ROUNDS = 20;
/** After a lost race, a random wait up to this times the round, so that the instances' retries spread. */
const RACE_BACKOFF_MS = 5;
/** A round's read and write of the schedule give up after this long (Table storage not answering). */
const PACE_ROUND_TIMEOUT_MS = 10_000;
/**
 * A reserved slot's queue message comes back this long before the slot, and the delivery waits for the
 * slot in the worker: a queue message is visible only to the whole second, and the trigger finds it only
 * at its next poll (host.json `maxPollingInterval`, 2 s), so a message due at the slot itself would be
 * sent late, and late sends bunch with the slots after them.
 */
export const SLOT_RETURN_LEAD_MS = 5_000;
/**
 * A reminder over the daily budget reserves no slot until the budget frees within this time: it comes
 * back this long before (see deferral.ts), so that the day's overflow reserves its slots ahead of the
 * next day's run.
 */
export const BUDGET_LEAD_MS = 10 * 60_000;
/**
 * A turn nobody has taken this close (or one interval, if longer) goes to a new delivery that is there: a
 * decision reaches the mailbox a pace round and a request later (up to about a second under load), so a
 * turn left for later than that would be lost, while the copies whose slots it serves book theirs
 * {@link SLOT_RETURN_LEAD_MS} ahead when on time.
 */
const FREE_TURN_HORIZON_MS = 1_000;

export interface MailboxPaceLimits {
  /** Time between two sends of the mailbox (one minute ÷ its messages per minute, with a margin). */
  readonly intervalMs: number;
  readonly recipientsPerDay: number;
}

export interface TakeSlotOptions {
  readonly now: Date;
  readonly limits: MailboxPaceLimits;
  /** A slot this reminder reserved before (ledger `scheduledFor`): used if still good, else released. */
  readonly kept?: Date;
  /** Slots up to this far ahead are waited for; later ones are deferred. */
  readonly maxWaitMs: number;
  readonly abortSignal?: AbortSignal;
}

export type SlotDecision =
  /** Send at `at` (now, or within maxWaitMs). */
  | { readonly kind: 'send'; readonly at: Date; readonly pausedBefore: boolean }
  /**
   * Come back for `at`: the slot reserved for this reminder (`reserved`), or, over the daily budget,
   * when the budget frees (no slot yet); `reason` says why it is that late.
   */
  | {
      readonly kind: 'defer';
      readonly at: Date;
      readonly reason: 'pace' | 'paused' | 'budget';
      readonly reserved: boolean;
    };

/** A change of a mailbox's schedule: its result, and whether the schedule must be written. */
type PaceChange<T> = (state: PaceState) => { readonly result: T; readonly write: boolean };

/**
 * Reads the mailbox's schedule and lets `change` update it (return `write: false` to leave it), written
 * back only if nobody changed it meanwhile; re-read and retried on a conflict. The changes an instance
 * asks for at once are applied in order to one read and written once (ledger `batches`).
 */
async function updatePace<T>(
  ledger: ReminderLedger,
  mailbox: string,
  abortSignal: AbortSignal | undefined,
  change: PaceChange<T>,
): Promise<T> {
  await ledger.ready(abortSignal);
  const rowKey = paceRowKey(mailbox);
  const runBatch = (changes: readonly PaceChange<unknown>[]) => applyPaceChanges(ledger, mailbox, rowKey, changes);
  const result = await ledger.batches.submit(`${PACE_PARTITION}/${rowKey}`, change, runBatch, abortSignal);
  return result as T; // The batch returns each change's own result.
}

async function applyPaceChanges(
  ledger: ReminderLedger,
  mailbox: string,
  rowKey: string,
  changes: readonly PaceChange<unknown>[],
): Promise<unknown[]> {
  // Not the callers' signals: a batch serves several of them. Each round is bounded instead.
  for (let round = 1; round <= MAX_ROUNDS; round += 1) {
    const abortSignal = AbortSignal.timeout(PACE_ROUND_TIMEOUT_MS);
    const entity = await readPaceEntity(ledger, rowKey, abortSignal);
    const state = stateOf(entity);
    const applied = changes.map((change) => change(state));
    const results = applied.map((outcome) => outcome.result);
    if (!applied.some((outcome) => outcome.write)) return results;
    try {
      if (entity === undefined) {
        await ledger.table.createEntity(entityOf(mailbox, state), { abortSignal });
      } else {
        const etag = typeof entity.etag === 'string' ? entity.etag : '*';
        await ledger.table.updateEntity(entityOf(mailbox, state), 'Replace', { etag, abortSignal });
      }
      return results;
    } catch (error) {
      if (!hasStatus(error, 409) && !hasStatus(error, 412)) {
        throw unavailable(ledger.table, `reserve a send slot of a sender mailbox`, error);
      }
      await abortableSleep(Math.random() * RACE_BACKOFF_MS * round);
    }
  }
  throw new LedgerError('LedgerContention', `The pace of a sender mailbox kept changing while a slot was reserved.`);
}

/**
 * When this delivery sends: its kept slot, or the mailbox's next turn if it is back late (a late copy
 * neither gives its slot up nor bunches with the sends after it). Without one, the next turn if nobody
 * has taken it (it is due within {@link FREE_TURN_HORIZON_MS}: the copies whose slots it serves are
 * late, most often behind a backlog of new reminders on the queue) and every 24 hours it falls in have
 * room for one more; else the plan's next free slot if that is within `maxWaitMs`. Beyond the wait it
 * reserves the plan's next free slot (a kept one is given up), where the daily budget is checked.
 */
export function takeSendSlot(ledger: ReminderLedger, mailbox: string, options: TakeSlotOptions): Promise<SlotDecision> {
  const { limits, maxWaitMs, kept } = options;
  const now = options.now.getTime();
  return updatePace(ledger, mailbox, options.abortSignal, (state) => {
    const nextTurn = Math.max(now, state.nextSendAt, state.pausedUntil);
    const sendAt = (at: number): SlotDecision => {
      state.nextSendAt = at + limits.intervalMs;
      return { kind: 'send', at: new Date(at), pausedBefore: state.refusals > 0 };
    };
    if (kept !== undefined) {
      const at = Math.max(nextTurn, kept.getTime());
      if (at - now <= maxWaitMs) return { result: sendAt(at), write: true };
      count(state, kept.getTime(), -1);
    } else if (
      nextTurn - now <= Math.min(Math.max(limits.intervalMs, FREE_TURN_HORIZON_MS), maxWaitMs) &&
      fitsBudgetAt(state, nextTurn, limits.recipientsPerDay)
    ) {
      // A turn nobody took (the copies of its slots are late): whoever is here sends, outside the plan.
      count(state, nextTurn, 1);
      return { result: sendAt(nextTurn), write: true };
    }
    const earliest = nextFreeSlotAt(state, now);
    const slot = budgetFreeAt(state, earliest, limits.recipientsPerDay);
    if (slot > earliest && slot - now > BUDGET_LEAD_MS) {
      return {
        result: { kind: 'defer', at: new Date(slot), reason: 'budget', reserved: false },
        write: kept !== undefined,
      };
    }
    state.nextSlotAt = slot + limits.intervalMs;
    count(state, slot, 1);
    if (slot - now <= maxWaitMs) return { result: sendAt(slot), write: true };
    const reason = slot > earliest ? 'budget' : state.pausedUntil > now ? 'paused' : 'pace';
    return { result: { kind: 'defer', at: new Date(slot), reason, reserved: true }, write: true };
  });
}

export interface PauseOptions {
  readonly now: Date;
  /** The server's Retry-After; without it the pause is `baseDelayMs`, doubled per refusal in a row (up to 16×). */
  readonly retryAfterMs?: number;
  readonly baseDelayMs: number;
  /** The slot the refused send used: given back to the budget (nothing was sent). */
  readonly slot?: Date;
  readonly abortSignal?: AbortSignal;
}

/** Pauses the mailbox after a refusal (throttling, a mailbox-wide error); returns when the pause ends. */
export function pauseMailbox(ledger: ReminderLedger, mailbox: string, options: PauseOptions): Promise<Date> {
  const now = options.now.getTime();
  return updatePace(ledger, mailbox, options.abortSignal, (state) => {
    state.refusals += 1;
    const backoff = options.baseDelayMs * 2 ** Math.min(4, state.refusals - 1);
    const until = Math.max(state.pausedUntil, now + (options.retryAfterMs ?? backoff));
    state.pausedUntil = until;
    if (options.slot !== undefined) count(state, options.slot.getTime(), -1);
    return { result: new Date(until), write: true };
  });
}

/** After a send that went through while the mailbox had refused before: the pause no longer doubles. */
export function mailboxRecovered(ledger: ReminderLedger, mailbox: string, abortSignal?: AbortSignal): Promise<void> {
  return updatePace(ledger, mailbox, abortSignal, (state) => {
    const write = state.refusals > 0;
    state.refusals = 0;
    return { result: undefined, write };
  });
}
