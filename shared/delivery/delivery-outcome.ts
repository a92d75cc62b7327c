/**
 * What a delivery came to (sent, refused, already settled, in progress elsewhere, failed for good,
 * deferred) and the error a delivery throws when the queue must deliver the message again.
 */
import { DueNotifierError } from '../base/errors.js';
import type { DueNotifierErrorOptions } from '../base/errors.js';
import { recordDelivery } from '../base/telemetry.js';
import type { TelemetrySpan } from '../base/telemetry.js';

export type DeferralCode =
  /** Waiting for its send slot in the mailbox's pace. */
  | 'MailboxPace'
  /** The mailbox's recipients of the last 24 hours are at its daily budget: the next day. */
  | 'MailboxDailyBudget'
  /** The mailbox is paused after a refusal (429, 423, …): until the pause ends. */
  | 'MailboxPaused'
  /** The ledger (Table storage) could not be reached. */
  | 'LedgerUnavailable'
  /** The last send's outcome is unknown: sent again after a pause. */
  | 'MailOutcomeUnknown'
  /** The obligations list could not be read to verify the reminder (verification/): nothing is sent unverified. */
  | 'VerificationUnavailable'
  /**
   * Another delivery holds a live claim: looked at again once the claim ends. Completing the message
   * instead would lose the reminder whenever the claimant's own message does not come back (it deferred
   * with the ledger unreachable, so its claim could be neither settled nor released).
   */
  | 'ClaimHeld';

export type DeliveryOutcome =
  /** Sent by this delivery. `ambiguousSends` > 0: earlier attempts may have sent it too. */
  | { readonly status: 'sent'; readonly reminderId: string; readonly attempt: number; readonly ambiguousSends: number }
  /** The obligations list does not confirm the reminder (`code`: the reason, recorded in the ledger): nothing was sent. */
  | { readonly status: 'refused'; readonly reminderId: string; readonly code: string }
  /** The ledger already records the reminder as sent or failed: nothing was sent. */
  | { readonly status: 'alreadySettled'; readonly reminderId: string; readonly state: 'sent' | 'failed' }
  /** Another delivery holds a live claim and nothing can re-schedule this message: nothing was sent. */
  | { readonly status: 'inProgress'; readonly reminderId: string; readonly claimedUntil?: Date }
  /** Failed for good, recorded as `failed`: Graph refused the message, or the due date has passed. */
  | { readonly status: 'failed'; readonly reminderId: string; readonly code: string }
  /** Put back on the queue until `until` (deferral.ts): nothing was sent, no dequeue spent. */
  | {
      readonly status: 'deferred';
      readonly reminderId: string;
      readonly until: Date;
      readonly code: DeferralCode;
      readonly mailbox?: string;
    };

export type DeliveryErrorCode =
  /** Nothing was sent (throttling, Graph or Entra unavailable, access denied): the queue should retry. */
  | 'ReminderNotSent'
  /** The request left but no answer came: the queue should retry, which may duplicate the e-mail. */
  | 'ReminderOutcomeUnknown';

export class DeliveryError extends DueNotifierError<DeliveryErrorCode> {
  readonly reminderId: string;

  constructor(code: DeliveryErrorCode, reminderId: string, message: string, options: DueNotifierErrorOptions = {}) {
    super(code, message, options);
    this.reminderId = reminderId;
  }
}

/** The outcome on the delivery's span and in the deliveries counter. */
export function recordOutcome(span: TelemetrySpan, outcome: DeliveryOutcome): void {
  span.setAttribute('due_notifier.outcome', outcome.status);
  if (outcome.status === 'sent') {
    span.setAttributes({
      'due_notifier.attempt': outcome.attempt,
      'due_notifier.ambiguous_sends': outcome.ambiguousSends,
    });
    recordDelivery('sent');
  } else if (outcome.status === 'failed') {
    span.setAttribute('error.type', outcome.code);
    recordDelivery('failed', outcome.code);
  } else if (outcome.status === 'refused') {
    recordDelivery('refused', outcome.code);
  } else if (outcome.status === 'deferred') {
    span.setAttribute('due_notifier.deferral', outcome.code);
    recordDelivery('deferred', outcome.code);
  } else {
    recordDelivery(outcome.status === 'inProgress' ? 'deferred' : 'settled');
  }
}
