/**
 * The delivery's verification step, before it claims the reminder: the reminder to send (the list's
 * values), or the outcome `refused` with its reason recorded in the ledger, or the caller's "not now"
 * (a deferral, or ReminderNotSent) when the list cannot be read: nothing is sent unverified. An expired
 * reminder is not checked: it is not sent anyway. It runs before the claim so that a refused message, a
 * forged one reusing a real id included, never holds or settles the real reminder's ledger entry.
 */
import { DueNotifierError } from '../../base/errors.js';
import type { Logger } from '../../base/logger.js';
import { calendarDateIn, daysBetween } from '../../reminders/calendar.js';
import type { ReminderMessage } from '../../reminders/rules.js';
import type { DeliveryOutcome } from '../delivery-outcome.js';
import { recordRefusal } from '../ledger/index.js';
import type { ReminderLedger } from '../ledger/index.js';
import type { ReminderVerifier } from './verifier.js';

export interface VerificationStepContext {
  readonly verifier: ReminderVerifier;
  readonly ledger: ReminderLedger;
  readonly logger: Logger;
  readonly settings: { readonly timeZone: string };
  readonly now: Date;
  readonly deliveryId: string;
  readonly abortSignal?: AbortSignal;
}

/**
 * The reminder to go on with (confirmed: the list's values; expired: as it is, recorded as failed by the
 * delivery), or the delivery's outcome: `refused`, or what `notNow` makes of an unreadable list.
 */
export async function verifyBeforeSend(
  reminder: ReminderMessage,
  context: VerificationStepContext,
  notNow: (message: string) => Promise<DeliveryOutcome>,
): Promise<ReminderMessage | DeliveryOutcome> {
  const { verifier, ledger, logger, now, deliveryId, abortSignal } = context;
  if (daysBetween(calendarDateIn(now, context.settings.timeZone), reminder.dueDate) < 0) return reminder;
  let check;
  try {
    check = await verifier.verify(reminder, { now, ...(abortSignal ? { abortSignal } : {}) });
  } catch (error) {
    if (!(error instanceof DueNotifierError) || abortSignal?.aborted) throw error;
    return notNow(`${error.code}: ${error.message}`);
  }
  if (check.kind === 'confirmed') return check.reminder;

  const { reason } = check;
  let recorded = 'recorded in the ledger';
  try {
    await recordRefusal(
      ledger,
      { reminderId: reminder.id, obligationId: reminder.obligationId, reason, refusedAt: now, refusedBy: deliveryId },
      abortSignal ? { abortSignal } : {},
    );
  } catch (error) {
    // The refusal stands (nothing is sent either way); only its record is missing.
    recorded = `not recorded in the ledger (${error instanceof Error ? error.message : String(error)})`;
  }
  logger.warn(
    `Reminder ${reminder.id}: not sent: the obligations list does not confirm it (${reason}); ${recorded} (delivery ${deliveryId}).`,
  );
  return { status: 'refused', reminderId: reminder.id, reason };
}
