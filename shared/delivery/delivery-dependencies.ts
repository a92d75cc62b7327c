/**
 * What a delivery works with (deliver-reminder.ts): its settings, and the ledger, mailer, verifier and
 * renderer the runtime gives it (tests give their own).
 */
import type { Logger } from '../base/logger.js';
import type { SenderMailbox } from '../config/types.js';
import type { ReminderMail } from '../reminders/mail-template.js';
import type { ReminderMessage } from '../reminders/rules.js';
import type { Reschedule } from './deferral.js';
import type { ReminderLedger } from './ledger/index.js';
import type { Mailer } from './mailer.js';
import type { ReminderVerifier } from './verification/verifier.js';

export interface DeliverySettings {
  /** User principal name or object id of the mailbox reminders are sent from. */
  readonly senderMailbox: string;
  readonly saveToSentItems: boolean;
  /**
   * How long a claim holds. The send (token, request, retries) is stopped {@link CLAIM_RECORD_MARGIN_MS}
   * before the claim ends, so that the outcome is recorded while the claim is still this delivery's.
   */
  readonly claimDurationMs: number;
  /** IANA zone in which due dates are calendar dates (REMINDER_TIME_ZONE): "due today" is decided there. */
  readonly timeZone: string;
  /** Every sender mailbox with its pace and budget; default `senderMailbox` at Exchange Online's limits. */
  readonly senders?: readonly SenderMailbox[];
  /** First pause after a refusal without Retry-After, or of an unreachable ledger; default 60 s. */
  readonly retryDelayMs?: number;
}

export interface DeliveryDependencies {
  readonly ledger: ReminderLedger;
  readonly mailer: Mailer;
  /** Checks each reminder against the obligations list before it is claimed and sent. */
  readonly verifier: ReminderVerifier;
  /** The e-mail of a reminder sent `daysLeft` days before its due date (the runtime's checked templates). */
  readonly renderMail: (reminder: ReminderMessage, daysLeft: number) => ReminderMail;
  readonly settings: DeliverySettings;
  readonly logger: Logger;
  /** Default: the system clock. Claims expire by it. */
  readonly clock?: () => Date;
  /**
   * Puts a reminder back on the queue for later: with it, a failure that may pass defers the reminder
   * (and the mailbox is paced); without it, such a failure throws for the queue to retry.
   */
  readonly reschedule?: Reschedule;
  /** Waits until a send slot (default: a timer). */
  readonly sleep?: (ms: number, abortSignal?: AbortSignal) => Promise<void>;
}
