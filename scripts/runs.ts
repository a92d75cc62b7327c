/**
 * `npm run runs -- [ID [--resubmit]] [--status S] [--limit N] [--after CURSOR] [--json] [--settings FILE]`:
 * the run history. Without an id, recent runs newest first as a table (`--json`: one JSON line per
 * run); with an id, that run and its deliveries; `--resubmit` runs a failed run again at its original
 * instant (recorded with trigger `cli` and `resubmittedFrom`), enqueues its reminders as the timer's
 * output binding would, and shows the new run. Settings as `npm run sweep` reads them.
 */
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import type { Logger } from '../shared/base/logger.js';
import { RUN_STATUSES, getRun, isRunId, listRuns } from '../shared/history/index.js';
import type { RunDetails, RunStatus } from '../shared/history/index.js';
import { getDaemonRuntime, resubmitWithRuntime } from '../shared/runtime.js';
import { DueNotifierError } from '../shared/base/errors.js';
import { commandLineError, failureLine } from './support/cli-errors.js';
import { applyLocalSettings } from './support/local-settings.js';
import { enqueueReminders } from './support/reminder-queue.js';
import { formatRunDetails, formatRunTable } from './support/run-table.js';

const APP_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

const USAGE = `Usage: npm run -s runs -- [ID [--resubmit]] [--status S] [--limit N] [--after CURSOR] [--json] [--settings FILE]
  (no ID)          recent runs, newest first, as a table; --json: one JSON line per run
  ID               one run: its counts, its deliveries by outcome, its failed and deferred reminders
  ID --resubmit    run a failed run again at its original instant; its reminders are enqueued
  --status S       only runs with status S: ${RUN_STATUSES.join(', ')}
  --limit N        runs per page, 1 to 100 (default 20)
  --after CURSOR   the page after the one that printed "more: --after CURSOR"
  --settings FILE  local.settings.json-style file (default: local.settings.json); the environment wins`;

type RunsArguments =
  | { readonly kind: 'help' }
  | {
      readonly kind: 'list' | 'show' | 'resubmit';
      readonly runId?: string;
      readonly status?: RunStatus;
      readonly limit?: number;
      readonly after?: string;
      readonly json: boolean;
      readonly settingsFile: string;
      readonly settingsFileGiven: boolean;
    };

function parseArguments(argv: readonly string[]): RunsArguments {
  let parsed;
  try {
    parsed = parseArgs({
      args: [...argv],
      options: {
        resubmit: { type: 'boolean', default: false },
        status: { type: 'string' },
        limit: { type: 'string' },
        after: { type: 'string' },
        json: { type: 'boolean', default: false },
        settings: { type: 'string' },
        help: { type: 'boolean', short: 'h', default: false },
      },
      strict: true,
      allowPositionals: true,
    });
  } catch (error) {
    throw commandLineError(`${error instanceof Error ? error.message : String(error)} (see --help)`);
  }
  const { values, positionals } = parsed;
  if (values.help) return { kind: 'help' };
  const [runId, ...extra] = positionals;
  if (extra.length > 0) throw commandLineError(`One run id at most (got ${positionals.length}; see --help).`);
  if (runId !== undefined && !isRunId(runId)) {
    throw commandLineError(`"${runId}" is not a run id (1 to 64 letters, digits, ".", "-" or "_").`);
  }
  if (values.resubmit && runId === undefined) throw commandLineError('--resubmit needs the id of the failed run.');
  const limit = values.limit === undefined ? undefined : Number(values.limit);
  if (limit !== undefined && !(Number.isInteger(limit) && limit >= 1 && limit <= 100)) {
    throw commandLineError(`--limit must be a whole number from 1 to 100 (got "${values.limit}").`);
  }
  if (values.status !== undefined && !(RUN_STATUSES as readonly string[]).includes(values.status)) {
    throw commandLineError(`--status must be one of ${RUN_STATUSES.join(', ')} (got "${values.status}").`);
  }
  return {
    kind: runId === undefined ? 'list' : values.resubmit ? 'resubmit' : 'show',
    ...(runId === undefined ? {} : { runId }),
    ...(values.status === undefined ? {} : { status: values.status as RunStatus }),
    ...(limit === undefined ? {} : { limit }),
    ...(values.after === undefined ? {} : { after: values.after }),
    json: values.json,
    settingsFile: path.resolve(values.settings ?? path.join(APP_ROOT, 'local.settings.json')),
    settingsFileGiven: values.settings !== undefined,
  };
}

const stderrLogger: Logger = {
  info: () => undefined,
  warn: (message) => process.stderr.write(`warning: ${message}\n`),
  error: (message) => process.stderr.write(`error: ${message}\n`),
};

async function main(): Promise<void> {
  const args = parseArguments(process.argv.slice(2));
  if (args.kind === 'help') {
    process.stdout.write(`${USAGE}\n`);
    return;
  }
  await applyLocalSettings(args.settingsFile, { required: args.settingsFileGiven });
  const { history, config } = getDaemonRuntime(process.env, { logger: stderrLogger });

  if (args.kind === 'list') {
    const page = await listRuns(history, {
      ...(args.status ? { status: args.status } : {}),
      ...(args.limit ? { limit: args.limit } : {}),
      ...(args.after ? { after: args.after } : {}),
    });
    const lines = args.json ? page.runs.map((run) => JSON.stringify(run)) : formatRunTable(page.runs);
    process.stdout.write(`${lines.join('\n')}\n`);
    if (page.next !== undefined) process.stderr.write(`more: --after ${page.next}\n`);
    return;
  }
  let runId = args.runId ?? '';
  if (args.kind === 'resubmit') {
    const result = await resubmitWithRuntime(stderrLogger, runId, { trigger: 'cli' });
    if (!result.dryRun) await enqueueReminders(APP_ROOT, config.queueName, result.reminders);
    process.stderr.write(`Run ${result.runId} resubmitted run ${runId} at its instant ${result.now}.\n`);
    runId = result.runId;
  }
  const run = await getRun(history, runId);
  if (run === undefined) {
    throw new DueNotifierError(
      'RunNotFound',
      `The run history (table '${config.runHistory.table}') has no run ${runId}.`,
    );
  }
  printRun(run, args.json);
}

function printRun(run: RunDetails, json: boolean): void {
  const lines = json ? [JSON.stringify(run)] : formatRunDetails(run);
  process.stdout.write(`${lines.join('\n')}\n`);
}

main().catch((error: unknown) => {
  process.stderr.write(`${failureLine(error)}\n`);
  process.exitCode = 1;
});
