/**
 * What a run's summary says of the sender mailboxes' daily budget: how many of the reminders it enqueues
 * fit what the mailboxes have left of it today, and how many go out the next day, first, in
 * due-date order. The count comes from the delivery's pace (the runtime wires it in: the sweep knows no
 * delivery); it is best effort, within a few seconds, so that a Table outage leaves the budget unknown
 * instead of failing the run.
 */
import { errorCodeOf } from '../base/telemetry.js';
import type { ReminderMessage } from '../reminders/rules.js';

/** How long the run waits for the sender mailboxes' pace. */
export const SENDER_BUDGET_TIMEOUT_MS = 5_000;

export interface SenderBudgetFit {
  /** Reminders their sender mailbox sends today: before the run's hour comes round tomorrow. */
  readonly fitToday: number;
  /** Reminders beyond the mailboxes' daily budget: sent the next day, first, soonest due date first. */
  readonly overBudget: number;
}

/** The summary's `senderBudget`: the fit, or why it is unknown. */
export type SenderBudget =
  ({ readonly known: true } & SenderBudgetFit) | { readonly known: false; readonly reason: string };

/** Counts `reminders` against their sender mailboxes' daily budget left at `now`; throws when it cannot tell. */
export type SenderBudgetCheck = (
  reminders: readonly ReminderMessage[],
  options: { readonly now: Date; readonly abortSignal: AbortSignal },
) => Promise<SenderBudgetFit>;

/**
 * The run's `senderBudget`: undefined without a check (no sender mailbox is configured), unknown when the
 * check fails or takes longer than {@link SENDER_BUDGET_TIMEOUT_MS}; throws only when the run is aborted.
 */
export async function senderBudgetOf(
  check: SenderBudgetCheck | undefined,
  reminders: readonly ReminderMessage[],
  now: Date,
  runSignal: AbortSignal,
): Promise<SenderBudget | undefined> {
  if (check === undefined) return undefined;
  if (reminders.length === 0) return { known: true, fitToday: 0, overBudget: 0 };
  const timeout = AbortSignal.timeout(SENDER_BUDGET_TIMEOUT_MS);
  try {
    const { fitToday, overBudget } = await check(reminders, {
      now,
      abortSignal: AbortSignal.any([runSignal, timeout]),
    });
    return { known: true, fitToday, overBudget };
  } catch (error) {
    runSignal.throwIfAborted();
    const why = timeout.aborted ? `no answer within ${SENDER_BUDGET_TIMEOUT_MS / 1000} s` : errorCodeOf(error);
    return { known: false, reason: `the sender mailboxes' pace could not be read (${why})` };
  }
}

const NUMBER = new Intl.NumberFormat('en-US');

/**
 * The run in one line for its log: `12,400 reminders enqueued; 10,000 fit today's sender budget, 2,400 go
 * out tomorrow first, in due-date order` (a dry run: "would be enqueued", "would fit", "would go out").
 */
export function describeRun(reminders: number, senderBudget: SenderBudget | undefined, dryRun: boolean): string {
  const enqueued = `${NUMBER.format(reminders)} reminder${reminders === 1 ? '' : 's'} ${dryRun ? 'would be ' : ''}enqueued`;
  if (senderBudget === undefined || reminders === 0) return enqueued;
  return `${enqueued}; ${describeSenderBudget(senderBudget, dryRun)}`;
}

/** The budget part of {@link describeRun}: `10,000 fit today's sender budget, 2,400 go out tomorrow first, …`. */
export function describeSenderBudget(senderBudget: SenderBudget, dryRun: boolean): string {
  if (!senderBudget.known) return `whether they fit today's sender budget is unknown: ${senderBudget.reason}`;
  const { fitToday, overBudget } = senderBudget;
  const would = dryRun ? 'would ' : '';
  const fit = `${would}fit${fitToday === 1 && !dryRun ? 's' : ''}`;
  if (overBudget === 0) return `${fitToday === 1 ? 'it' : 'all'} ${fit} today's sender budget`;
  return `${NUMBER.format(fitToday)} ${fit} today's sender budget, ${NUMBER.format(overBudget)} ${would}go${overBudget === 1 && !dryRun ? 'es' : ''} out tomorrow first, in due-date order`;
}
