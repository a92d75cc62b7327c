/**
 * Delivers one reminder exactly once: claim it in the ledger, send the e-mail, record the outcome.
 * Independent of Azure Functions: the queue-triggered function (and tests) call it with a parsed
 * reminder message.
 *
 * Outcomes: sent now; nothing to do (already sent or failed, or another delivery holds a live claim);
 * failed for good (only a refusal of the message itself, or a due date that has passed); or deferred
 * (deferral.ts): the mailbox's pace or daily budget, a mailbox-wide refusal or an unreachable ledger put
 * it back on the queue for later, and the invocation succeeds. Without `reschedule` such a failure
 * releases the claim and throws a DeliveryError for the queue to retry: `ReminderNotSent`, or
 * `ReminderOutcomeUnknown` (the request left but no answer came: the retry may duplicate the e-mail,
 * counted in the ledger as `ambiguousSends`).
 *
 * Before the claim, the reminder is verified against the obligations list (verification/): sent with the
 * list's values, `refused` with its reason recorded, or deferred when the list cannot be read.
 */
import { DueNotifierError } from '../base/errors.js';
import { calendarDateIn, daysBetween } from '../reminders/calendar.js';
import { CLAIM_RECORD_MARGIN_MS } from '../config/config.js';
import { abortableSleep } from '../http/retry.js';
import { createDeferrer, paceSend, pauseAfterRefusal, senderFor } from './deferral.js';
import type { DeliveryDependencies } from './delivery-dependencies.js';
import { DeliveryError, recordOutcome } from './delivery-outcome.js';
import type { DeliveryErrorCode, DeliveryOutcome } from './delivery-outcome.js';
import {
  LedgerError,
  claimReminder,
  indexSentReminder,
  mailboxRecovered,
  recordFailed,
  recordSent,
  releaseClaim,
} from './ledger/index.js';
import type { LedgerClaim } from './ledger/index.js';
import { inSpan, recordDelivery } from '../base/telemetry.js';
import type { MailError } from './mailer.js';
import { verifyBeforeSend } from './verification/verify-before-send.js';
import type { ReminderMessage } from '../reminders/rules.js';

export type { DeliveryDependencies, DeliverySettings } from './delivery-dependencies.js';

export interface DeliverOptions {
  /** Names this delivery in the ledger and in logs (the invocation id). */
  readonly deliveryId: string;
  readonly abortSignal?: AbortSignal;
}

export { DeliveryError } from './delivery-outcome.js';
export type { DeferralCode, DeliveryErrorCode, DeliveryOutcome } from './delivery-outcome.js';

/** The header that carries the reminder id in every e-mail, for tracing a message back to the ledger. */
export const REMINDER_ID_HEADER = 'X-DueNotifier-Reminder-Id';

/** A message that met a live claim comes back this long after the claim ends (clock skew between instances). */
const CLAIM_RECHECK_MARGIN_MS = 5_000;

export function deliverReminder(
  deps: DeliveryDependencies,
  reminder: ReminderMessage,
  options: DeliverOptions,
): Promise<DeliveryOutcome> {
  return inSpan('reminder.deliver', { 'due_notifier.reminder_id': reminder.id }, async (span) => {
    let outcome: DeliveryOutcome;
    try {
      outcome = await deliver(deps, reminder, options);
    } catch (error) {
      // Thrown: the queue delivers the message again.
      recordDelivery('deferred', error instanceof DueNotifierError ? error.code : 'Error');
      throw error;
    }
    recordOutcome(span, outcome);
    return outcome;
  });
}

async function deliver(
  deps: DeliveryDependencies,
  reminder: ReminderMessage,
  options: DeliverOptions,
): Promise<DeliveryOutcome> {
  const { ledger, mailer, settings, logger } = deps;
  const clock = deps.clock ?? (() => new Date());
  const { deliveryId, abortSignal } = options;
  const reminderId = reminder.id;
  const sendBudgetMs = settings.claimDurationMs - CLAIM_RECORD_MARGIN_MS;
  if (sendBudgetMs <= 0) {
    throw new RangeError(
      `The claim duration must exceed ${CLAIM_RECORD_MARGIN_MS} ms, got ${settings.claimDurationMs} ms.`,
    );
  }

  const retryDelayMs = settings.retryDelayMs ?? 60_000;
  const signal = abortSignal ? { abortSignal } : {};
  const defer = createDeferrer({
    ledger,
    reminder,
    clock,
    logger,
    ...signal,
    ...optional('reschedule', deps.reschedule),
  });
  const verified = await verifyBeforeSend(reminder, { ...deps, now: clock(), deliveryId, ...signal }, (message) =>
    defer('VerificationUnavailable', new Date(clock().getTime() + retryDelayMs), message),
  );
  if ('status' in verified) return verified;
  // The claim (and the send's time within it) starts after the verification, however long that took.
  const now = clock();
  let claimed: Awaited<ReturnType<typeof claimReminder>>;
  try {
    claimed = await claimReminder(ledger, verified, {
      owner: deliveryId,
      now,
      durationMs: settings.claimDurationMs,
      ...signal,
    });
  } catch (error) {
    if (!(error instanceof LedgerError && error.code === 'LedgerUnavailable') || deps.reschedule === undefined)
      throw error;
    return defer('LedgerUnavailable', new Date(now.getTime() + retryDelayMs), error.message);
  }
  if (claimed.kind === 'settled') {
    const state = claimed.entry.state === 'sent' ? 'sent' : 'failed';
    logger.info(`Reminder ${reminderId}: already ${state}; nothing to do (delivery ${deliveryId}).`);
    if (state === 'sent') {
      // The sweep emitted a sent reminder: its index entity is missing (its write failed): write it now.
      try {
        await indexSentReminder(
          ledger,
          { reminderId, obligationId: reminder.obligationId, sentAt: claimed.entry.sentAt ?? now },
          abortSignal ? { abortSignal } : {},
        );
      } catch (error) {
        logger.warn(
          `Reminder ${reminderId}: indexing it as sent failed; the sweep may emit it again. ${String(error)}`,
        );
      }
    }
    return { status: 'alreadySettled', reminderId, state };
  }
  if (claimed.kind === 'held') {
    const { entry } = claimed;
    // Held by a live claim until it ends, or deferred (its own copy comes back then): a deferred entry's
    // claimedUntil is in the past, and re-scheduling for it would spin this copy until the deferral's time.
    const until = entry.state === 'deferred' ? entry.scheduledFor : entry.claimedUntil;
    const holder =
      entry.state === 'deferred' ? 'it is deferred' : `delivery ${entry.claimedBy ?? 'unknown'} is sending it`;
    logger.info(
      `Reminder ${reminderId}: ${holder}${until ? ` (until ${until.toISOString()})` : ''} (delivery ${deliveryId}).`,
    );
    if (until && deps.reschedule !== undefined) {
      return defer(
        'ClaimHeld',
        new Date(until.getTime() + CLAIM_RECHECK_MARGIN_MS),
        entry.state === 'deferred' ? 'The reminder is deferred until then.' : 'Another delivery holds its claim.',
      );
    }
    return until ? { status: 'inProgress', reminderId, claimedUntil: until } : { status: 'inProgress', reminderId };
  }
  const { claim } = claimed;

  const daysLeft = daysBetween(calendarDateIn(now, settings.timeZone), reminder.dueDate);
  if (daysLeft < 0) {
    const message = `The due date ${reminder.dueDate} passed before the reminder could be sent; a reminder is no longer useful.`;
    await recordFailed(ledger, claim, {
      now: clock(),
      code: 'ReminderExpired',
      message,
      ...(abortSignal ? { abortSignal } : {}),
    });
    logger.warn(`Reminder ${reminderId}: not sent: ${message}`);
    return { status: 'failed', reminderId, code: 'ReminderExpired' };
  }

  const mail = deps.renderMail(verified, daysLeft);
  const sender = senderFor(reminderId, settings.senders ?? [settings.senderMailbox]);
  let slot: Date | undefined;
  let recovering = false;
  if (deps.reschedule !== undefined) {
    const step = await paceSend(ledger, sender, reminder, claim, { now: clock(), retryDelayMs, ...signal });
    if (step.kind === 'defer') return defer(step.code, step.until, step.message, step);
    ({ slot, recovering } = step);
    const waitMs = slot.getTime() - clock().getTime();
    if (waitMs > 0) await (deps.sleep ?? abortableSleep)(waitMs, abortSignal);
  }
  // The claim runs from `now` for claimDurationMs: the send must be over before it ends.
  const deadline = AbortSignal.timeout(sendBudgetMs);
  const result = await mailer.sendMail(
    {
      subject: mail.subject,
      html: mail.html,
      to: { address: verified.customer.email, name: verified.customer.name },
      headers: { [REMINDER_ID_HEADER]: reminderId },
    },
    {
      sender: sender.mailbox,
      saveToSentItems: settings.saveToSentItems,
      abortSignal: abortSignal ? AbortSignal.any([abortSignal, deadline]) : deadline,
    },
  );

  switch (result.kind) {
    case 'sent': {
      try {
        const { indexError } = await recordSent(ledger, claim, {
          now: clock(),
          mailRequestIds: result.requestIds,
          ...(abortSignal ? { abortSignal } : {}),
        });
        if (indexError !== undefined) {
          logger.warn(
            `Reminder ${reminderId}: recorded as sent, but indexing it failed; the sweep may emit it again (delivery then skips it). ${indexError.message}`,
          );
        }
      } catch (error) {
        // The claim stays until it expires; a later delivery may then send the reminder again.
        logger.error(`Reminder ${reminderId}: sent (${result.requestIds}), but recording it in the ledger failed.`);
        throw error;
      }
      const possibleDuplicate =
        claim.ambiguousSends > 0
          ? ` ${claim.ambiguousSends} earlier attempt(s) had an unknown outcome: the customer may have received it more than once.`
          : '';
      if (recovering) await mailboxRecovered(ledger, sender.mailbox, abortSignal).catch(() => undefined);
      const log = possibleDuplicate ? logger.warn.bind(logger) : logger.info.bind(logger);
      log(`Reminder ${reminderId}: sent, attempt ${claim.attempt} (${result.requestIds}).${possibleDuplicate}`);
      return { status: 'sent', reminderId, attempt: claim.attempt, ambiguousSends: claim.ambiguousSends };
    }
    case 'rejected': {
      const code = result.error.graphCode ?? result.error.code;
      await recordFailed(ledger, claim, {
        now: clock(),
        code,
        message: result.error.message,
        ...(abortSignal ? { abortSignal } : {}),
      });
      logger.error(
        `Reminder ${reminderId}: Graph refused the e-mail; recorded as failed, not retried. ${result.error.message}`,
      );
      return { status: 'failed', reminderId, code };
    }
    case 'notSent': {
      if (deps.reschedule === undefined) {
        const message = `Reminder ${reminderId}: not sent; the claim is released for the next delivery.`;
        throw await releaseFor('notSent', 'ReminderNotSent', claim, result.error, `${message} ${result.error.message}`);
      }
      const pause = { now: clock(), retryDelayMs, ...optional('slot', slot), ...signal };
      const until = await pauseAfterRefusal(ledger, sender.mailbox, result.error, pause);
      const held = { claim, mailbox: sender.mailbox, causeCode: result.error.code };
      return defer('MailboxPaused', until, result.error.message, held);
    }
    case 'unknown': {
      const unknown = `the outcome of the send is unknown (ambiguous send ${claim.ambiguousSends + 1}); the next delivery sends it again, which may duplicate it. ${result.error.message}`;
      const error = await releaseFor(
        'ambiguous',
        'ReminderOutcomeUnknown',
        claim,
        result.error,
        `Reminder ${reminderId}: ${unknown}`,
      );
      if (deps.reschedule === undefined) throw error;
      return defer('MailOutcomeUnknown', new Date(clock().getTime() + retryDelayMs), unknown);
    }
  }

  /** Releases the claim and returns the error to throw; if releasing fails, the claim simply expires. */
  async function releaseFor(
    outcome: 'notSent' | 'ambiguous',
    code: DeliveryErrorCode,
    held: LedgerClaim,
    cause: MailError,
    message: string,
  ): Promise<DeliveryError> {
    try {
      await releaseClaim(ledger, held, { outcome, now: clock(), code: cause.code, message: cause.message });
    } catch (releaseError) {
      logger.error(
        `Reminder ${reminderId}: releasing the claim failed; it expires at ${held.claimedUntil.toISOString()}. ${String(releaseError)}`,
      );
    }
    return new DeliveryError(code, reminderId, message, { cause });
  }
}

function optional<K extends string, V>(key: K, value: V | undefined): Partial<Record<K, V>> {
  return value === undefined ? {} : ({ [key]: value } as Record<K, V>);
}
