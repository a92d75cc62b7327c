/**
 * The deliveries of this worker summarised, one line a minute instead of one warning per attempt: how
 * many were sent, deferred (by reason, and how many to the next day for the daily budget) and failed,
 * and until when the latest deferral waits. A warning when anything was deferred or failed, else info.
 */
import type { Logger } from '../base/logger.js';
import type { DeliveryOutcome } from './delivery-outcome.js';

export const SUMMARY_INTERVAL_MS = 60_000;

export interface DeliverySummary {
  /** Counts one outcome; logs the summary on `logger` when a minute has passed since the last one. */
  add(outcome: DeliveryOutcome, logger: Logger): void;
  /** Logs what was counted since the last summary (if anything) and starts over. */
  flush(logger: Logger): void;
}

export function createDeliverySummary(clock: () => number = Date.now): DeliverySummary {
  let since = clock();
  let counts = new Map<string, number>();
  let deferrals = new Map<string, number>();
  let failures = new Map<string, number>();
  let latest: Date | undefined;
  const bump = (map: Map<string, number>, key: string): void => {
    map.set(key, (map.get(key) ?? 0) + 1);
  };
  const listed = (map: Map<string, number>): string => [...map].map(([key, value]) => `${key} ${value}`).join(', ');

  const summary: DeliverySummary = {
    add(outcome, logger) {
      bump(counts, outcome.status);
      if (outcome.status === 'deferred') {
        bump(deferrals, outcome.code);
        if (latest === undefined || outcome.until > latest) latest = outcome.until;
      } else if (outcome.status === 'failed') {
        bump(failures, outcome.code);
      }
      if (clock() - since >= SUMMARY_INTERVAL_MS) summary.flush(logger);
    },
    flush(logger) {
      const total = [...counts.values()].reduce((sum, value) => sum + value, 0);
      if (total > 0) {
        const seconds = Math.round((clock() - since) / 1000);
        const deferred = counts.get('deferred') ?? 0;
        const failed = counts.get('failed') ?? 0;
        const nextDay = deferrals.get('MailboxDailyBudget') ?? 0;
        const parts = [
          `${counts.get('sent') ?? 0} sent`,
          `${deferred} deferred${deferred > 0 ? ` (${listed(deferrals)}; the latest until ${latest?.toISOString()})` : ''}`,
          `${nextDay} deferred to the next day (daily recipient budget)`,
          `${failed} failed${failed > 0 ? ` (${listed(failures)})` : ''}`,
          `${(counts.get('alreadySettled') ?? 0) + (counts.get('inProgress') ?? 0)} with nothing to do`,
          ...(counts.has('refused')
            ? [`${counts.get('refused')} refused (not confirmed by the obligations list)`]
            : []),
        ];
        const line = `Deliveries in the last ${seconds} s: ${parts.join(', ')}.`;
        if (deferred > 0 || failed > 0) logger.warn(line);
        else logger.info(line);
      }
      since = clock();
      counts = new Map();
      deferrals = new Map();
      failures = new Map();
      latest = undefined;
    },
  };
  return summary;
}
