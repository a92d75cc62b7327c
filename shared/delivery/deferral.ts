/**
 * Sending at the mailbox's pace without burning the queue's dequeue count: which sender mailbox a
 * reminder goes out from, its pace, and re-scheduling a reminder (its ledger entry `deferred` until a
 * moment, a new copy of its queue message invisible until then) instead of failing the invocation.
 */
import { createHash } from 'node:crypto';
import { DueNotifierError } from '../base/errors.js';
import type { DueNotifierErrorOptions } from '../base/errors.js';
import type { SenderMailbox } from '../config/types.js';
import type { Logger } from '../base/logger.js';
import type { DelayedQueue } from '../clients/queue-storage.js';
import { DeliveryError } from './delivery-outcome.js';
import type { DeferralCode, DeliveryOutcome } from './delivery-outcome.js';
import {
  BUDGET_LEAD_MS,
  LedgerError,
  SLOT_RETURN_LEAD_MS,
  deferClaim,
  pauseMailbox,
  releaseClaim,
  takeSendSlot,
} from './ledger/index.js';
import type { MailError } from './mailer.js';
import type { LedgerClaim, MailboxPaceLimits, ReminderLedger } from './ledger/index.js';
import type { ReminderMessage } from '../reminders/rules.js';

/** Puts a new copy of the reminder's queue message on the queue, invisible until `at` (from `now`). */
export type Reschedule = (reminder: ReminderMessage, at: Date, abortSignal?: AbortSignal, now?: Date) => Promise<void>;

/** Re-scheduling on a queue that delays messages (shared/clients/queue-storage.ts): the message as JSON. */
export function rescheduleOn(queue: DelayedQueue): Reschedule {
  return (reminder, at, abortSignal, now) =>
    queue.sendAt(JSON.stringify(reminder), at, { ...(now ? { now } : {}), ...(abortSignal ? { abortSignal } : {}) });
}

/**
 * The app paces each mailbox this much below its limit: a send leaves a little after its slot (the
 * queue's polling, the worker's load), and slots spaced exactly at the limit would then bunch over it.
 */
export const PACE_MARGIN = 1.05;
/**
 * Slots up to this far ahead are waited for in the worker; later ones are deferred through the queue. At
 * least as long as a deferred message may come back early (ledger/claims.ts), so that it keeps its slot.
 */
export const MAX_IN_PROCESS_WAIT_MS = 10_000;

/** The mailbox's pace as send slots: one every minute ÷ messages per minute, with {@link PACE_MARGIN}. */
export function paceLimitsOf(sender: SenderMailbox): MailboxPaceLimits {
  return {
    intervalMs: Math.ceil((60_000 / sender.messagesPerMinute) * PACE_MARGIN),
    recipientsPerDay: sender.recipientsPerDay,
  };
}

/**
 * The mailbox a reminder is sent from: chosen by a hash of its id, so that every attempt and copy of a
 * reminder goes to the same mailbox (its pace, its budget, its refusals) and reminders spread evenly.
 */
export function senderFor(reminderId: string, configured: readonly (SenderMailbox | string)[]): SenderMailbox {
  // A bare mailbox (DeliverySettings.senderMailbox alone) sends at Exchange Online's limits.
  const senders = configured.map((sender) =>
    typeof sender === 'string' ? { mailbox: sender, messagesPerMinute: 30, recipientsPerDay: 10_000 } : sender,
  );
  const [first] = senders;
  if (first === undefined) throw new RangeError('No sender mailbox is configured.');
  if (senders.length === 1) return first;
  const hash = createHash('sha256').update(reminderId).digest().readUInt32BE(0);
  return senders[hash % senders.length] ?? first;
}

export class RescheduleError extends DueNotifierError<'ReminderNotRescheduled'> {
  constructor(message: string, options: DueNotifierErrorOptions = {}) {
    super('ReminderNotRescheduled', message, options);
  }
}

export interface DeferOptions {
  readonly ledger: ReminderLedger;
  readonly reschedule: Reschedule;
  readonly reminder: ReminderMessage;
  readonly now: Date;
  readonly until: Date;
  readonly code: DeferralCode;
  /** The failure behind the deferral (`MailThrottled`, `MailboxRefused`, …), recorded as `lastErrorCode`; default `code`. */
  readonly causeCode?: string;
  readonly message: string;
  /** The claim to settle as `deferred` (none when the ledger is unreachable, or already released). */
  readonly claim?: LedgerClaim;
  /** `until` is a send slot reserved for this reminder in the mailbox's pace. */
  readonly slotKept?: boolean;
  readonly abortSignal?: AbortSignal;
}

/**
 * Records the reminder as deferred until `until` and puts its new queue message there. If the message
 * cannot be written, the claim is given back (`retrying`) and RescheduleError is thrown: the invocation
 * fails and the queue delivers the original message again, as before re-scheduling existed.
 */
export async function deferReminder(options: DeferOptions): Promise<void> {
  const { ledger, claim, reminder, now, until, code, message, abortSignal } = options;
  const signal = abortSignal ? { abortSignal } : {};
  if (claim !== undefined) {
    await deferClaim(ledger, claim, {
      now,
      until,
      reason: code,
      code: options.causeCode ?? code,
      message,
      slotKept: options.slotKept ?? false,
      ...signal,
    });
  }
  // A reserved slot's message comes back a little early; the delivery waits for the slot (ledger/pace.ts).
  const returnAt = options.slotKept ? new Date(Math.max(now.getTime(), until.getTime() - SLOT_RETURN_LEAD_MS)) : until;
  try {
    await options.reschedule(reminder, returnAt, abortSignal, now);
  } catch (error) {
    if (claim !== undefined) {
      const released = { ...claim, etag: '*' };
      await releaseClaim(ledger, released, { outcome: 'notSent', now, code, message, ...signal }).catch(
        () => undefined,
      );
    }
    throw new RescheduleError(
      `Reminder ${reminder.id}: could not put it back on the queue for ${until.toISOString()} (${code}); the queue delivers it again.`,
      { cause: error },
    );
  }
}

/** Where a reminder stands with its mailbox's pace: send at `slot`, or defer. */
export type PaceStep =
  | { readonly kind: 'send'; readonly slot: Date; readonly recovering: boolean }
  | {
      readonly kind: 'defer';
      readonly code: DeferralCode;
      readonly until: Date;
      readonly message: string;
      /** Settle this claim as deferred (absent: the claim was released, the ledger is unreachable). */
      readonly claim?: LedgerClaim;
      readonly slotKept?: boolean;
      readonly mailbox?: string;
    };

/** Takes the reminder's send slot in its mailbox's pace (ledger/pace.ts): now or soon, or later (deferred). */
export async function paceSend(
  ledger: ReminderLedger,
  sender: SenderMailbox,
  reminder: ReminderMessage,
  claim: LedgerClaim,
  options: { readonly now: Date; readonly retryDelayMs: number; readonly abortSignal?: AbortSignal },
): Promise<PaceStep> {
  const { now, abortSignal } = options;
  try {
    const decision = await takeSendSlot(ledger, sender.mailbox, {
      now,
      limits: paceLimitsOf(sender),
      maxWaitMs: MAX_IN_PROCESS_WAIT_MS,
      ...(claim.keptSlot === undefined ? {} : { kept: claim.keptSlot }),
      ...(abortSignal ? { abortSignal } : {}),
    });
    if (decision.kind === 'send') return { kind: 'send', slot: decision.at, recovering: decision.pausedBefore };
    const until = decision.reserved ? decision.at : budgetReturn(decision.at, now, reminder.dueDate);
    const [code, why]: [DeferralCode, string] =
      decision.reason === 'budget'
        ? ['MailboxDailyBudget', "The sender mailbox's recipients of the last 24 hours are at its daily budget"]
        : decision.reason === 'paused'
          ? ['MailboxPaused', 'The sender mailbox is paused after a refusal']
          : ['MailboxPace', "The sender mailbox's next free send slot is later"];
    const slotKept = decision.reserved;
    return { kind: 'defer', code, until, message: `${why}.`, claim, slotKept, mailbox: sender.mailbox };
  } catch (error) {
    if (!(error instanceof LedgerError)) throw error;
    const { code, message } = error;
    await releaseClaim(ledger, claim, { outcome: 'notSent', now, code, message }).catch(() => undefined);
    return { kind: 'defer', code: 'LedgerUnavailable', until: new Date(now.getTime() + options.retryDelayMs), message };
  }
}

export interface DeferrerContext {
  readonly ledger: ReminderLedger;
  readonly reminder: ReminderMessage;
  readonly clock: () => Date;
  readonly logger: Logger;
  /** Without it nothing is deferred: DeliveryError `ReminderNotSent` is thrown for the queue to retry. */
  readonly reschedule?: Reschedule;
  readonly abortSignal?: AbortSignal;
}

/** How one delivery defers its reminder (see {@link deferReminder}) and what it returns then. */
export function createDeferrer(context: DeferrerContext) {
  const { ledger, reminder, clock, logger, reschedule, abortSignal } = context;
  return async (
    code: DeferralCode,
    until: Date,
    message: string,
    held: {
      readonly claim?: LedgerClaim;
      readonly slotKept?: boolean;
      readonly mailbox?: string;
      readonly causeCode?: string;
    } = {},
  ): Promise<DeliveryOutcome> => {
    if (reschedule === undefined) throw new DeliveryError('ReminderNotSent', reminder.id, message);
    await deferReminder({
      ledger,
      reschedule,
      reminder,
      now: clock(),
      until,
      code,
      message,
      ...(held.claim === undefined ? {} : { claim: held.claim }),
      ...(held.slotKept === undefined ? {} : { slotKept: held.slotKept }),
      ...(held.causeCode === undefined ? {} : { causeCode: held.causeCode }),
      ...(abortSignal ? { abortSignal } : {}),
    });
    logger.info(`Reminder ${reminder.id}: deferred until ${until.toISOString()} (${code}). ${message}`);
    return {
      status: 'deferred',
      reminderId: reminder.id,
      until,
      code,
      ...(held.mailbox === undefined ? {} : { mailbox: held.mailbox }),
    };
  };
}

/**
 * Pauses the mailbox for every instance after a mailbox-wide refusal: for Graph's Retry-After, or a
 * doubling backoff without one; returns when the pause ends (if the ledger is unreachable: after the
 * first backoff, without pausing the others).
 */
export function pauseAfterRefusal(
  ledger: ReminderLedger,
  mailbox: string,
  refusal: MailError,
  options: {
    readonly now: Date;
    readonly retryDelayMs: number;
    readonly slot?: Date;
    readonly abortSignal?: AbortSignal;
  },
): Promise<Date> {
  const { now, retryDelayMs, slot, abortSignal } = options;
  return pauseMailbox(ledger, mailbox, {
    now,
    baseDelayMs: retryDelayMs,
    ...(refusal.retryAfterMs === undefined ? {} : { retryAfterMs: refusal.retryAfterMs }),
    ...(slot === undefined ? {} : { slot }),
    ...(abortSignal ? { abortSignal } : {}),
  }).catch(() => new Date(now.getTime() + retryDelayMs));
}

/**
 * When a reminder over the daily budget comes back: {@link BUDGET_LEAD_MS} before the budget frees, a
 * second later per day until its due date (up to 5 minutes), so that the overflow reserves its slots
 * ahead of the next day's run, soonest due date first, whatever order it arrived in.
 */
function budgetReturn(freeAt: Date, now: Date, dueDate: string): Date {
  const daysToDue = Math.max(0, Math.floor((Date.parse(`${dueDate}T00:00:00Z`) - freeAt.getTime()) / 86_400_000));
  const at = freeAt.getTime() - BUDGET_LEAD_MS + Math.min(daysToDue, 300) * 1_000;
  return new Date(Math.max(now.getTime(), at));
}
