/**
 * What `npm run runs` (and the demo) print of the run history, as pure functions: recent runs as a
 * table, one run as labelled lines with its deliveries by outcome and its failed or deferred ones.
 */
import type { RunDetails, RunWithDeliveries, SenderBudgetCounts } from '../../shared/history/index.js';
import { describeSenderBudget } from '../../shared/sweep/sender-budget.js';

const COLUMNS = [
  'started (UTC)',
  'run id',
  'trigger',
  'status',
  'instant (UTC)',
  'emitted',
  'over budget',
  'sent',
  'failed',
  'took',
  'note',
];
/** Columns of counts, right-aligned. */
const NUMERIC = new Set(['emitted', 'over budget', 'sent', 'failed', 'took']);

/** The runs as a table: a header, a rule, one row per run (newest first as given). */
export function formatRunTable(runs: readonly RunWithDeliveries[]): string[] {
  if (runs.length === 0) return ['No runs in the run history.'];
  const rows = runs.map((run) => [
    minute(run.startedAt),
    run.runId,
    run.trigger,
    run.status,
    minute(run.instant),
    run.counts === undefined ? '-' : String(run.counts.reminders),
    overBudget(run.counts?.senderBudget),
    String(run.deliveries.byStatus.sent ?? 0),
    String(run.deliveries.byStatus.failed ?? 0),
    run.durationMs === undefined ? '-' : duration(run.durationMs),
    noteOf(run),
  ]);
  const widths = COLUMNS.map((title, column) =>
    Math.max(title.length, ...rows.map((row) => (row[column] ?? '').length)),
  );
  const line = (cells: readonly string[]): string =>
    cells
      .map((cell, column) =>
        NUMERIC.has(COLUMNS[column] ?? '') ? cell.padStart(widths[column] ?? 0) : cell.padEnd(widths[column] ?? 0),
      )
      .join('  ')
      .trimEnd();
  return [line(COLUMNS), widths.map((width) => '-'.repeat(width)).join('  '), ...rows.map(line)];
}

/** One run: what, when, how it ended, its counts, its deliveries by outcome, its problems. */
export function formatRunDetails(run: RunDetails): string[] {
  const skipped = Object.entries(run.counts?.skipped ?? {}).map(([reason, count]) => `${reason} ${count ?? 0}`);
  const deliveries = Object.entries(run.deliveries.byStatus).map(([status, count]) => `${status} ${count}`);
  const rows: [string, string | undefined][] = [
    ['run', run.runId],
    ['trigger', `${run.trigger}${run.dryRun ? ' (dry run)' : ''}`],
    ['status', run.status],
    ['failure', run.failure && `${run.failure.code}: ${run.failure.message}`],
    ['instant', run.instant],
    ['started', run.startedAt],
    ['took', run.durationMs === undefined ? undefined : duration(run.durationMs)],
    ['items read', run.counts && String(run.counts.itemsRead)],
    ['eligible', run.counts && String(run.counts.eligible)],
    ['emitted', run.counts && String(run.counts.reminders)],
    ['already sent', run.counts && String(run.counts.alreadySent)],
    ['sender budget', run.counts?.senderBudget && describeSenderBudget(run.counts.senderBudget, run.dryRun)],
    ['skipped', run.counts && (skipped.length > 0 ? skipped.join(', ') : 'none')],
    ['deliveries', deliveries.length > 0 ? deliveries.join(', ') : 'none recorded'],
    ['resubmitted from', run.resubmittedFrom],
    ['resubmitted as', run.resubmittedAs],
  ];
  const lines = rows
    .filter((row): row is [string, string] => row[1] !== undefined)
    .map(([label, value]) => `${label.padEnd(16)} ${value}`);
  return [
    ...lines,
    ...run.problems.map((problem) =>
      `  ${problem.status.padEnd(8)} ${problem.reminderId}  ${problem.code ?? ''}`.trimEnd(),
    ),
  ];
}

/** Reminders past the sender mailboxes' daily budget: `-` without a sender mailbox, `?` when unknown. */
function overBudget(budget: SenderBudgetCounts | undefined): string {
  if (budget === undefined) return '-';
  return budget.known ? String(budget.overBudget) : '?';
}

function noteOf(run: RunWithDeliveries): string {
  const notes = [
    ...(run.failure ? [run.failure.code] : []),
    ...(run.dryRun ? ['dry run'] : []),
    ...(run.resubmittedFrom ? [`resubmit of ${run.resubmittedFrom}`] : []),
    ...(run.resubmittedAs ? [`resubmitted as ${run.resubmittedAs}`] : []),
  ];
  return notes.join('; ');
}

/** `2026-12-01 06:00`. */
function minute(instant: string): string {
  return instant.slice(0, 16).replace('T', ' ');
}

/** `850 ms`, `12.3 s`. */
function duration(ms: number): string {
  return ms < 1000 ? `${ms} ms` : `${(ms / 1000).toFixed(1)} s`;
}
