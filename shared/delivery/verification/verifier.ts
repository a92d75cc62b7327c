/**
 * Verify before send: checks a queued reminder against the obligations list (the source of truth) from a
 * shared snapshot of the due window (list-snapshot.ts), with the pure rules of reminder-check.ts, and
 * counts what that costs in Graph requests per verified e-mail.
 */
import { DueNotifierError } from '../../base/errors.js';
import { calendarDateIn } from '../../reminders/calendar.js';
import { checkReminder, isCreatedInFuture } from '../../reminders/reminder-check.js';
import type { ReminderCheck } from '../../reminders/reminder-check.js';
import type { ListItem, ReminderMessage, ReminderRules } from '../../reminders/rules.js';
import type { Sleep } from '../../http/retry.js';
import { createListSnapshots } from './list-snapshot.js';
import type { ListSnapshotCounts } from './list-snapshot.js';

export interface VerifyOptions {
  /** The delivery's instant: the rules are applied at it. */
  readonly now: Date;
  readonly abortSignal?: AbortSignal;
}

export interface VerificationCounts extends ListSnapshotCounts {
  readonly confirmed: number;
  readonly refused: number;
  /** Graph list requests (pages) per confirmed reminder: the figure to keep at or below 0.05. */
  readonly requestsPerConfirmed: number;
}

export interface ReminderVerifier {
  /**
   * Confirms `reminder` (rebuilt from the list's values) or refuses it with a reason. Throws a
   * DueNotifierError `VerificationUnavailable` when the list cannot be read: nothing may be sent.
   */
  verify(reminder: ReminderMessage, options: VerifyOptions): Promise<ReminderCheck>;
  counts(): VerificationCounts;
  /** Forgets the snapshot and the counts. */
  reset(): void;
}

export interface ReminderVerifierOptions {
  readonly rules: ReminderRules;
  /** The due window's pages at `now`: the sweep's query (shared/runtime.ts wires it). */
  readonly readDueWindow: (now: Date, abortSignal: AbortSignal) => AsyncIterable<readonly ListItem[]>;
  /** VERIFY_SNAPSHOT_SECONDS in ms. */
  readonly snapshotMaxAgeMs: number;
  readonly minReadIntervalMs?: number;
  readonly sleep?: Sleep;
}

export function createReminderVerifier(options: ReminderVerifierOptions): ReminderVerifier {
  const { rules } = options;
  const snapshots = createListSnapshots({
    read: options.readDueWindow,
    dayOf: (instant) => calendarDateIn(instant, rules.timeZone),
    maxAgeMs: options.snapshotMaxAgeMs,
    ...(options.minReadIntervalMs === undefined ? {} : { minIntervalMs: options.minReadIntervalMs }),
    ...(options.sleep ? { sleep: options.sleep } : {}),
  });
  let confirmed = 0;
  let refused = 0;

  return {
    async verify(reminder, { now, abortSignal }) {
      const check = isCreatedInFuture(reminder, now)
        ? ({ kind: 'refused', reason: 'createdInFuture' } as const)
        : checkReminder(reminder, await itemOf(reminder, now, abortSignal), rules, now);
      if (check.kind === 'confirmed') confirmed += 1;
      else refused += 1;
      return check;
    },
    counts() {
      const { reads, pages } = snapshots.counts();
      return { reads, pages, confirmed, refused, requestsPerConfirmed: confirmed === 0 ? 0 : pages / confirmed };
    },
    reset() {
      snapshots.reset();
      confirmed = 0;
      refused = 0;
    },
  };

  async function itemOf(
    reminder: ReminderMessage,
    now: Date,
    abortSignal?: AbortSignal,
  ): Promise<ListItem | undefined> {
    // The snapshot must be newer than the message; a message's clock may run a little ahead of ours.
    const written = Date.parse(reminder.createdAt);
    const notBefore = new Date(Math.min(written, now.getTime()));
    try {
      return (await snapshots.current(notBefore, now, abortSignal)).items.get(reminder.obligationId);
    } catch (error) {
      abortSignal?.throwIfAborted();
      throw new DueNotifierError(
        'VerificationUnavailable',
        `Reminder ${reminder.id} could not be checked against the obligations list, so it is not sent now: ${error instanceof Error ? error.message : String(error)}`,
        { cause: error },
      );
    }
  }
}
