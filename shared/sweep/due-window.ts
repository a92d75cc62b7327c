/**
 * The due window as delivery's verify before send reads it: the sweep's own query (obligationsQuery) at
 * the delivery's instant, in pages of the largest size (SharePoint charges resource units per request,
 * whatever its size), within a claim's duration; with the sweep's rules and VERIFY_SNAPSHOT_SECONDS, the
 * options of the delivery's verifier (shared/delivery/verification/verifier.ts).
 */
import { MAX_PAGE_SIZE } from '../clients/graph.js';
import type { GraphClient } from '../clients/graph.js';
import type { AppConfig } from '../config/config.js';
import { dueDateFilterWindow } from '../reminders/rules.js';
import type { ListItem, ReminderRules } from '../reminders/rules.js';
import { obligationsQuery, reminderRulesOf } from './sweep.js';

export interface DueWindowVerification {
  readonly rules: ReminderRules;
  readonly snapshotMaxAgeMs: number;
  readonly readDueWindow: (now: Date, abortSignal: AbortSignal) => AsyncIterable<readonly ListItem[]>;
}

export function dueWindowVerification(config: AppConfig, graph: GraphClient): DueWindowVerification {
  const rules = reminderRulesOf(config);
  const budgetMs = config.delivery.claimDurationMs;
  return {
    rules,
    snapshotMaxAgeMs: config.verifySnapshotMs,
    readDueWindow: (now, abortSignal) =>
      graph.listItems(
        obligationsQuery(config, dueDateFilterWindow(rules, now), {
          pageSize: MAX_PAGE_SIZE,
          abortSignal: AbortSignal.any([abortSignal, AbortSignal.timeout(budgetMs)]),
          deadline: now.getTime() + budgetMs,
        }),
      ),
  };
}
