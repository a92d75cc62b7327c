/**
 * How many of a run's reminders fit their sender mailboxes' remaining daily budget: each reminder is
 * counted against the mailbox that will send it (by the hash of its id, as `senderFor` chooses),
 * and each mailbox takes what its pace and budget leave today (ledger/pace-budget.ts); the rest waits
 * for the budget to free and then goes out first, soonest due date first (deferral.ts). Reads only.
 */
import type { SenderMailbox } from '../config/types.js';
import { paceLimitsOf, senderFor } from './deferral.js';
import { readRecipientsLeft } from './ledger/index.js';
import type { ReminderLedger } from './ledger/index.js';

export interface DailyBudgetFit {
  /** Reminders their mailbox sends today: before the current hour comes round tomorrow. */
  readonly fitToday: number;
  /** Reminders beyond that: they go out the next day, first. */
  readonly overBudget: number;
}

/** Counts `reminders` against their mailboxes' budget left from `now` (LedgerError when the pace cannot be read). */
export type DailyBudgetCheck = (
  reminders: readonly { readonly id: string }[],
  options: { readonly now: Date; readonly abortSignal?: AbortSignal },
) => Promise<DailyBudgetFit>;

/** The check for these sender mailboxes; undefined without any (another channel consumes the queue). */
export function dailyBudgetCheck(
  ledger: ReminderLedger,
  senders: readonly SenderMailbox[],
): DailyBudgetCheck | undefined {
  if (senders.length === 0) return undefined;
  return async (reminders, { now, abortSignal }) => {
    const assigned = new Map<SenderMailbox, number>();
    for (const reminder of reminders) {
      const sender = senderFor(reminder.id, senders);
      assigned.set(sender, (assigned.get(sender) ?? 0) + 1);
    }
    const fits = await Promise.all(
      [...assigned].map(async ([sender, count]) => {
        const limits = paceLimitsOf(sender);
        const left = await readRecipientsLeft(ledger, sender.mailbox, {
          limits,
          now,
          ...(abortSignal ? { abortSignal } : {}),
        });
        return Math.min(count, left);
      }),
    );
    const fitToday = fits.reduce((sum, fit) => sum + fit, 0);
    return { fitToday, overBudget: reminders.length - fitToday };
  };
}
