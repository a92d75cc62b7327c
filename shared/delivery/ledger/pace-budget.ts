/**
 * How many more recipients a sender mailbox takes today, read from its send-slot schedule (pace.ts,
 * partition `%pace`) without changing it: the run summary's "fit today's sender budget". Today is the 24
 * hours from the start of the current hour: what is sent in this hour leaves the daily window when the
 * hour comes round tomorrow, and what waits for that goes out the next day, first (deferral.ts).
 *
 * The schedule counts recipients per hour in the hour of their slot, slots reserved ahead included. The
 * capacity replays what the delivery would hand out from now on, hour by hour: slots one interval apart
 * from the mailbox's next free one (after the last send and after a pause), as many in an hour as the 24
 * hours up to it leave of the daily budget, and none while the budget is full until an hour of
 * recipients ages out of the window.
 * So recipients counted in this hour and slots reserved ahead are taken off, and those of an earlier
 * hour, which leaves the window later today, are given back as the delivery gives them back.
 */
import type { ReminderLedger } from './table.js';
import {
  HOUR,
  HOURS_PER_DAY,
  budgetFreeAt,
  count,
  nextFreeSlotAt,
  paceRowKey,
  readPaceEntity,
  stateOf,
  usedUpTo,
} from './pace-state.js';
import type { MailboxPaceLimits } from './pace.js';

const DAY = HOURS_PER_DAY * HOUR;

/**
 * Recipients the mailbox of this `%pace` entity (undefined: none yet, a fresh mailbox) takes from `now`
 * until the current hour comes round tomorrow, at its pace and within its daily budget.
 */
export function recipientsLeftIn(
  entity: Readonly<Record<string, unknown>> | undefined,
  limits: MailboxPaceLimits,
  now: Date,
): number {
  const state = stateOf(entity);
  const end = Math.floor(now.getTime() / HOUR) * HOUR + DAY;
  let at = nextFreeSlotAt(state, now.getTime());
  let left = 0;
  while (at < end) {
    const free = budgetFreeAt(state, at, limits.recipientsPerDay);
    if (free > at) {
      at = free;
      continue;
    }
    const hour = Math.floor(at / HOUR);
    const slotsInHour = Math.ceil((Math.min((hour + 1) * HOUR, end) - at) / limits.intervalMs);
    const taken = Math.min(slotsInHour, limits.recipientsPerDay - usedUpTo(state, hour));
    count(state, at, taken);
    left += taken;
    at += taken * limits.intervalMs;
  }
  return left;
}

/**
 * Recipients the mailbox takes today, from `now` on (see {@link recipientsLeftIn}), read from the
 * ledger without writing (a missing table or entity: a fresh mailbox). LedgerError `LedgerUnavailable`
 * when the table cannot be read.
 */
export async function readRecipientsLeft(
  ledger: ReminderLedger,
  mailbox: string,
  options: { readonly limits: MailboxPaceLimits; readonly now: Date; readonly abortSignal?: AbortSignal },
): Promise<number> {
  const entity = await readPaceEntity(ledger, paceRowKey(mailbox), options.abortSignal);
  return recipientsLeftIn(entity, options.limits, options.now);
}
