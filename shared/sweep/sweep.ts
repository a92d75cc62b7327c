/**
 * The reminder sweep: reads the obligations whose due date falls in the reminder window from the
 * SharePoint list, page by page, and decides which reminders are due now. Shared by the timer, the
 * HTTP trigger and the CLI; it writes nothing (callers hand the reminders to the queue binding).
 */
import { randomUUID } from 'node:crypto';
import { SETTINGS } from '../config/config.js';
import type { AppConfig } from '../config/config.js';
import { forEachPageConcurrently } from './concurrent-pages.js';
import type { PageSource } from './concurrent-pages.js';
import { splitDueDateRange } from './due-date-ranges.js';
import type { DueDateRange } from './due-date-ranges.js';
import { DueNotifierError } from '../base/errors.js';
import { DEFAULT_PAGE_SIZE } from '../clients/graph.js';
import type { GraphClient, ListItemsQuery } from '../clients/graph.js';
import type { Logger } from '../base/logger.js';
import { emitLogRecord, inSpan, recordSweepCounts } from '../base/telemetry.js';
import { countsSince } from '../http/metrics.js';
import type { RequestCounts, RequestMetrics } from '../http/metrics.js';
import { processRangePlanner } from './range-planner.js';
import type { RangePlanner } from './range-planner.js';
import { decideReminder, dueDateFilterWindow } from '../reminders/rules.js';
import type { ListItem, ReminderMessage, ReminderRules, SkipReason } from '../reminders/rules.js';
import { createRunTally } from '../reminders/run-tally.js';
import { createDueDateZoneCheck } from '../reminders/zone-check.js';
import type { ZoneMismatch } from '../reminders/zone-check.js';
import { describeRun, senderBudgetOf } from './sender-budget.js';
import type { SenderBudget, SenderBudgetCheck } from './sender-budget.js';

export interface SweepDependencies {
  readonly config: AppConfig;
  readonly graph: GraphClient;
  /** The long-lived clients' counters; the run reports its own share. */
  readonly metrics: RequestMetrics;
  readonly logger: Logger;
  /** Source of "now" when the caller gives no instant; default: the system clock. */
  readonly clock?: () => Date;
  /**
   * Which of the due reminders the idempotency ledger records as sent: those are not emitted again.
   * Absent: no check. A failed check is logged and the run emits everything (delivery skips sent ones).
   */
  readonly findSent?: (
    reminders: readonly ReminderMessage[],
    abortSignal?: AbortSignal,
  ) => Promise<ReadonlySet<string>>;
  /** How many due-date ranges to read at once (one when the last window fitted in a page); default: the process's. */
  readonly rangePlanner?: RangePlanner;
  /** How many reminders fit the sender mailboxes' daily budget (the runtime's, from the delivery's pace); absent: not said. */
  readonly senderBudget?: SenderBudgetCheck | undefined;
}

export interface SweepOptions {
  /** The run's instant (dry runs may choose it); default: `clock()`. */
  readonly now?: Date;
  readonly runId?: string;
  readonly abortSignal?: AbortSignal;
  /** Items per Graph page (`$top`); default: the Graph client's. */
  readonly pageSize?: number;
  /** The reminders are shown, not enqueued: telemetry marks the run and leaves it out of the reminder metrics. */
  readonly dryRun?: boolean;
}

export interface SweepSummary {
  readonly runId: string;
  /** ISO instant the rules were applied at. */
  readonly now: string;
  readonly itemsRead: number;
  readonly eligible: number;
  /** Reminders emitted. */
  readonly reminders: number;
  /** Due reminders not emitted because the ledger records them as sent. */
  readonly alreadySent: number;
  readonly skipped: Readonly<Partial<Record<SkipReason, number>>>;
  /** Eligible items whose Language is not a BCP 47 tag of a known language (their reminders have none); only when any. */
  readonly languageIgnored?: number;
  /** What an operator should fix, each said once per run (a misconfigured time zone); only when any. */
  readonly warnings?: readonly string[];
  /** How many reminders fit today's sender budget and how many go out tomorrow first (sender-budget.ts); with a sender mailbox. */
  readonly senderBudget?: SenderBudget;
  /** Outbound requests made during this run (a cached token or secret makes none). */
  readonly requests: RequestCounts;
  readonly durationMs: number;
}

export interface SweepResult {
  readonly runId: string;
  readonly now: string;
  /** Sorted by `id`. */
  readonly reminders: readonly ReminderMessage[];
  readonly summary: SweepSummary;
}

export type { DueDateRange } from './due-date-ranges.js';

export function runSweep(deps: SweepDependencies, options: SweepOptions = {}): Promise<SweepResult> {
  const dryRun = options.dryRun === true;
  return inSpan('reminders.sweep', { 'due_notifier.dry_run': dryRun }, async (span) => {
    const result = await sweep(deps, options);
    const { summary } = result;
    const counts = {
      'due_notifier.run_id': summary.runId,
      'due_notifier.items_read': summary.itemsRead,
      'due_notifier.eligible': summary.eligible,
      'due_notifier.reminders': summary.reminders,
      'due_notifier.already_sent': summary.alreadySent,
      'due_notifier.skipped': Object.values(summary.skipped).reduce((sum, count) => sum + (count ?? 0), 0),
      'due_notifier.requests.graph': summary.requests.graph,
      'due_notifier.requests.token': summary.requests.token,
      'due_notifier.requests.key_vault': summary.requests.keyVault,
      'due_notifier.duration_ms': summary.durationMs,
    };
    span.setAttributes(counts);
    if (!dryRun) recordSweepCounts(summary.reminders, summary.skipped);
    // The summary as dimensions: one attribute per count and per skip reason.
    emitLogRecord(`Run ${summary.runId} summary`, {
      ...counts,
      ...Object.fromEntries(
        Object.entries(summary.skipped).map(([reason, count]) => [`due_notifier.skipped.${reason}`, count ?? 0]),
      ),
      ...(summary.warnings === undefined ? {} : { 'due_notifier.warnings': summary.warnings.length }),
    });
    return result;
  });
}

async function sweep(deps: SweepDependencies, options: SweepOptions): Promise<SweepResult> {
  const startedAt = performance.now();
  const requestsBefore = deps.metrics.snapshot();
  const now = options.now ?? (deps.clock ?? (() => new Date()))();
  const runId = options.runId ?? randomUUID();
  const rules = reminderRulesOf(deps.config);
  const tally = createRunTally();
  const zoneCheck = createDueDateZoneCheck(rules.timeZone);
  const due: ReminderMessage[] = [];

  const onPage = (page: readonly ListItem[]): void => {
    for (const item of page) {
      zoneCheck.record(item.fields[rules.columns.dueDate]);
      const decision = decideReminder(item, rules, now);
      tally.record(decision);
      if (decision.kind === 'skip') {
        deps.logger.info(`Run ${runId}: skipped item ${item.id}: ${decision.reason}`);
        continue;
      }
      if (decision.languageIgnored === true) {
        deps.logger.info(
          `Run ${runId}: item ${item.id}: its ${SETTINGS.columns.language} value is not a BCP 47 tag of a known language; the reminder has none`,
        );
      }
      if (decision.kind === 'remind') due.push(decision.message);
    }
  };
  const planner = deps.rangePlanner ?? processRangePlanner;
  const list = `${deps.config.siteId}/${deps.config.listId}`;
  const ranges = planner.rangesFor(list, deps.config.graphConcurrency, options.pageSize ?? DEFAULT_PAGE_SIZE);
  // Every request, retry and wait of the run stops when its time budget is spent, and no wait is
  // started that would end after it.
  const budget = AbortSignal.timeout(deps.config.runTimeBudgetMs);
  const deadline = Date.now() + deps.config.runTimeBudgetMs;
  const abortSignal = options.abortSignal ? AbortSignal.any([options.abortSignal, budget]) : budget;
  let reminders: ReminderMessage[];
  let senderBudget: SenderBudget | undefined;
  try {
    await forEachPageConcurrently(
      readObligations(deps, dueDateFilterWindow(rules, now), ranges, { ...options, deadline }),
      onPage,
      abortSignal,
    );
    planner.record(list, tally.summary().itemsRead);
    due.sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
    const sent = await findSent(deps, due, runId, abortSignal);
    reminders = sent.size === 0 ? due : due.filter((reminder) => !sent.has(reminder.id));
    senderBudget = await senderBudgetOf(deps.senderBudget, reminders, now, abortSignal);
  } catch (error) {
    throw budget.aborted && !options.abortSignal?.aborted
      ? runTimeBudgetExceeded(deps.config, runId, tally.summary().itemsRead, error)
      : error;
  }
  const counts = tally.summary();
  const mismatch = zoneCheck.result();
  if (mismatch !== undefined) {
    deps.logger.warn(`Run ${runId}: ${zoneMismatchWarning(mismatch, rules.timeZone)}`);
  }
  const summary: SweepSummary = {
    runId,
    now: now.toISOString(),
    itemsRead: counts.itemsRead,
    eligible: counts.eligible,
    reminders: reminders.length,
    alreadySent: due.length - reminders.length,
    skipped: counts.skipped,
    ...(counts.languageIgnored === undefined ? {} : { languageIgnored: counts.languageIgnored }),
    ...(mismatch === undefined ? {} : { warnings: [zoneMismatchWarning(mismatch, rules.timeZone)] }),
    ...(senderBudget === undefined ? {} : { senderBudget }),
    requests: countsSince(requestsBefore, deps.metrics.snapshot()),
    durationMs: Math.round(performance.now() - startedAt),
  };
  deps.logger.info(`Run ${runId}: ${describeRun(summary.reminders, senderBudget, options.dryRun === true)}`);
  deps.logger.info(`Run ${runId} summary: ${JSON.stringify(summary)}`);
  return { runId, now: summary.now, reminders, summary };
}

function runTimeBudgetExceeded(config: AppConfig, runId: string, itemsRead: number, cause: unknown): DueNotifierError {
  return new DueNotifierError(
    'RunTimeBudgetExceeded',
    `Run ${runId} was stopped when its time budget of ${config.runTimeBudgetMs / 1000} s (${SETTINGS.runTimeBudgetSeconds}) ran out, after reading ${itemsRead} list item(s); it enqueues no reminder. Graph, Entra ID or Key Vault answered too slowly or kept throttling; the next run catches up (${SETTINGS.catchUpDays}). Keep ${SETTINGS.runTimeBudgetSeconds} below functionTimeout in host.json.`,
    { cause },
  );
}

/** How many zones a warning names: enough to recognise the site's, few enough to read. */
const ZONES_NAMED = 5;

function zoneMismatchWarning(mismatch: ZoneMismatch, timeZone: string): string {
  const { count, fittingZones, offsets } = mismatch;
  const named = fittingZones.slice(0, ZONES_NAMED).join(', ');
  const more = fittingZones.length > ZONES_NAMED ? ` and ${fittingZones.length - ZONES_NAMED} more zones` : '';
  return `${count} due date(s) read are not midnights in ${SETTINGS.timeZone} ${timeZone} but are midnights at ${offsets.join(' and ')}, as in ${named}${more}: Graph returns a date-only column as the UTC instant of midnight in the site's time zone, so their due dates may be read a day off. Fix: set ${SETTINGS.timeZone} to the site's time zone (SharePoint: Site settings > Regional settings > Time zone).`;
}

/** The ids of `due` the ledger records as sent; none when there is no ledger or it cannot be read. */
async function findSent(
  deps: SweepDependencies,
  due: readonly ReminderMessage[],
  runId: string,
  abortSignal: AbortSignal | undefined,
): Promise<ReadonlySet<string>> {
  if (deps.findSent === undefined || due.length === 0) {
    return new Set();
  }
  try {
    return await deps.findSent(due, abortSignal);
  } catch (error) {
    abortSignal?.throwIfAborted();
    deps.logger.warn(
      `Run ${runId}: could not check the ledger for reminders already sent, so all ${due.length} due reminders are emitted (delivery skips sent ones): ${error instanceof Error ? error.message : String(error)}`,
    );
    return new Set();
  }
}

/**
 * The pages of list items whose due date is in `window`: one query per disjoint due-date range, at most
 * `ranges` of them, read at once (nextLink paging within a query is sequential).
 */
function readObligations(
  deps: SweepDependencies,
  window: DueDateRange,
  ranges: number,
  options: SweepOptions & { readonly deadline: number },
): PageSource<readonly ListItem[]>[] {
  return splitDueDateRange(window, ranges, deps.config.timeZone).map(
    (range) => (abortSignal) => deps.graph.listItems(obligationsQuery(deps.config, range, { ...options, abortSignal })),
  );
}

/** The Graph query for one due-date range: a server-side filter on the (indexed) due-date column, only the rule's columns. */
export function obligationsQuery(
  config: AppConfig,
  range: DueDateRange,
  options: { readonly pageSize?: number; readonly abortSignal?: AbortSignal; readonly deadline?: number } = {},
): ListItemsQuery {
  const column = `fields/${config.columns.dueDate}`;
  return {
    siteId: config.siteId,
    listId: config.listId,
    fields: Object.values(config.columns),
    filter: `${column} ge '${odataInstant(range.from)}' and ${column} lt '${odataInstant(range.to)}'`,
    ...(options.pageSize === undefined ? {} : { top: options.pageSize }),
    ...(options.abortSignal === undefined ? {} : { abortSignal: options.abortSignal }),
    ...(options.deadline === undefined ? {} : { deadline: options.deadline }),
  };
}

/** The reminder rules of a configuration (the delivery's verification applies the same). */
export function reminderRulesOf(config: AppConfig): ReminderRules {
  return {
    reminderDays: config.reminderDays,
    timeZone: config.timeZone,
    catchUpDays: config.catchUpDays,
    columns: config.columns,
    statuses: config.statuses,
    minimumAmount: config.minimumAmount,
  };
}

/** `2026-12-01T00:00:00Z`: the form SharePoint documents for date literals (milliseconds only when present). */
function odataInstant(instant: Date): string {
  return instant.toISOString().replace(/\.000Z$/, 'Z');
}
