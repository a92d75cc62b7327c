/**
 * `npm run sweep -- [--now ISO] [--dry-run] [--settings FILE] [--verbose]`: one sweep outside the
 * Functions host. Settings come from the environment first, then `local.settings.json` Values.
 * stdout carries JSON lines only (`npm run -s sweep`, so that npm's banner stays out); logs go to stderr.
 * --dry-run: each reminder as one JSON line on stdout (ordered by id), the summary (JSON) on stderr.
 * Otherwise the reminders are enqueued as the timer's output binding would, and the summary, with what
 * was enqueued (`enqueued: { queue, count, ids }`), is the one JSON line on stdout. With a sender
 * mailbox set, the summary's `senderBudget` (and one line on stderr) says how many of them fit today's
 * sender budget and how many go out tomorrow first. Either way the run is recorded in the run history
 * (trigger `cli`; `npm run runs` shows it).
 */
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { parseIsoInstant } from '../functions/support/run-request.js';
import type { Logger } from '../shared/base/logger.js';
import { isCalendarDate, startOfDayIn } from '../shared/reminders/calendar.js';
import { dailyBudgetCheck } from '../shared/delivery/daily-budget.js';
import { recordSweep } from '../shared/history/index.js';
import { getDaemonRuntime } from '../shared/runtime.js';
import { runSweep } from '../shared/sweep/sweep.js';
import { describeRun } from '../shared/sweep/sender-budget.js';
import { commandLineError, failureLine } from './support/cli-errors.js';
import { applyLocalSettings } from './support/local-settings.js';
import { enqueueReminders } from './support/reminder-queue.js';

const APP_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

const USAGE = `Usage: npm run -s sweep -- [--dry-run [--now ISO|DATE]] [--settings FILE] [--verbose]
  (-s keeps npm's banner off stdout, which carries JSON lines only; logs go to stderr)
  --dry-run        print the reminders (JSON lines, stdout; the summary on stderr) instead of enqueueing
                   them; without it the summary, with what was enqueued, is the one line on stdout
  --now ISO|DATE   apply the rules at this instant (dry runs only), e.g. 2026-12-01T07:00:00Z, or at
                   the start of this day in REMINDER_TIME_ZONE, e.g. 2026-12-05
  --settings FILE  local.settings.json-style file (default: local.settings.json); the environment wins
  --verbose        log the run's progress on stderr`;

interface SweepArguments {
  readonly dryRun: boolean;
  /** An instant, or a calendar date that becomes the start of that day in REMINDER_TIME_ZONE. */
  readonly now?: Date | string;
  readonly settingsFile: string;
  readonly settingsFileGiven: boolean;
  readonly verbose: boolean;
}

function parseArguments(argv: readonly string[]): SweepArguments | 'help' {
  let parsed;
  try {
    parsed = parseArgs({
      args: [...argv],
      options: {
        'dry-run': { type: 'boolean', default: false },
        now: { type: 'string' },
        settings: { type: 'string' },
        verbose: { type: 'boolean', default: false },
        help: { type: 'boolean', default: false },
      },
      strict: true,
      allowPositionals: false,
    });
  } catch (error) {
    throw commandLineError(`${error instanceof Error ? error.message : String(error)} (see --help)`);
  }
  const { values } = parsed;
  if (values.help) {
    return 'help';
  }
  let now: Date | string | undefined;
  if (values.now !== undefined) {
    if (!values['dry-run']) {
      throw commandLineError('--now is only allowed together with --dry-run.');
    }
    now = isCalendarDate(values.now) ? values.now : parseIsoInstant(values.now);
    if (!now) {
      throw commandLineError(
        `--now must be an ISO 8601 instant with an offset, e.g. 2026-12-01T07:00:00Z, or a date, e.g. 2026-12-05 (got "${values.now}").`,
      );
    }
  }
  return {
    dryRun: values['dry-run'],
    ...(now ? { now } : {}),
    settingsFile: path.resolve(values.settings ?? path.join(APP_ROOT, 'local.settings.json')),
    settingsFileGiven: values.settings !== undefined,
    verbose: values.verbose,
  };
}

/** The sweep's own summary log lines: the command prints the summary itself, once. */
const SUMMARY_LOG = /^Run \S+(?: summary: \{|: [\d,]+ reminders? (?:would be )?enqueued)/;

function stderrLogger(verbose: boolean): Logger {
  return {
    info: (message) => {
      if (verbose && !SUMMARY_LOG.test(message)) {
        process.stderr.write(`${message}\n`);
      }
    },
    warn: (message) => process.stderr.write(`warning: ${message}\n`),
    error: (message) => process.stderr.write(`error: ${message}\n`),
  };
}

async function main(): Promise<void> {
  const args = parseArguments(process.argv.slice(2));
  if (args === 'help') {
    process.stdout.write(`${USAGE}\n`);
    return;
  }
  await applyLocalSettings(args.settingsFile, { required: args.settingsFileGiven });

  const logger = stderrLogger(args.verbose);
  const { config, graph, metrics, history, ledger } = getDaemonRuntime(process.env, { logger });
  const now = typeof args.now === 'string' ? startOfDayIn(args.now, config.timeZone) : args.now;
  // Recorded in the run history like the timer's runs (trigger `cli`); the ledger is not consulted for
  // reminders already sent, only for the sender mailboxes' pace (how many fit today's budget).
  const senderBudget = dailyBudgetCheck(ledger, config.delivery.senders);
  const result = await recordSweep(
    history,
    logger,
    { trigger: 'cli', dryRun: args.dryRun, ...(now ? { now } : {}) },
    (options) => runSweep({ config, graph, metrics, logger, senderBudget }, options),
  );
  // With a sender mailbox, the sweep's one-line account of the run (how many fit today's budget).
  const { reminders, senderBudget: budget } = result.summary;
  const account = budget === undefined ? undefined : `${describeRun(reminders, budget, args.dryRun)}.\n`;

  if (args.dryRun) {
    for (const reminder of result.reminders) {
      process.stdout.write(`${JSON.stringify(reminder)}\n`);
    }
    if (account !== undefined) process.stderr.write(account);
    process.stderr.write(`${JSON.stringify(result.summary)}\n`);
    return;
  }
  const enqueued = await enqueueReminders(APP_ROOT, config.queueName, result.reminders);
  if (account !== undefined) process.stderr.write(account);
  process.stdout.write(`${JSON.stringify({ ...result.summary, enqueued })}\n`);
}

main().catch((error: unknown) => {
  process.stderr.write(`${failureLine(error)}\n`);
  process.exitCode = 1;
});
