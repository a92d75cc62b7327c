/**
 * The due window as delivery's verify before send reads it: the sweep's own query (obligationsQuery) at
 * the delivery's instant, in pages of the largest size (SharePoint charges resource units per request,
 * whatever its size), within a claim's duration.
 */
import { MAX_PAGE_SIZE } from '../clients/graph.js';
import type { GraphClient } from '../clients/graph.js';
import type { AppConfig } from '../config/config.js';
import { dueDateFilterWindow } from '../reminders/rules.js';
import type { ListItem } from '../reminders/rules.js';
import { obligationsQuery, reminderRulesOf } from './sweep.js';

export function readDueWindow(
  config: AppConfig,
  graph: GraphClient,
  now: Date,
  abortSignal: AbortSignal,
): AsyncIterable<readonly ListItem[]> {
  const budgetMs = config.delivery.claimDurationMs;
  return graph.listItems(
    obligationsQuery(config, dueDateFilterWindow(reminderRulesOf(config), now), {
      pageSize: MAX_PAGE_SIZE,
      abortSignal: AbortSignal.any([abortSignal, AbortSignal.timeout(budgetMs)]),
      deadline: now.getTime() + budgetMs,
    }),
  );
}
