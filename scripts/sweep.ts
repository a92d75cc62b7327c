/**
 * `npm run sweep -- [--now ISO] [--dry-run] [--settings FILE] [--verbose]`: one sweep outside the
 * Functions host. Settings come from the environment first, then `local.settings.json` Values.
 * stdout carries JSON lines only (`npm run -s sweep`, so that npm's banner stays out); logs go to stderr.
 * --dry-run: each reminder as one JSON line on stdout (ordered by id), the summary (JSON) on stderr.
 * Otherwise the reminders are enqueued as the timer's output binding would, and the summary, with what
 * was enqueued (`enqueued: { queue, count, ids }`), is the one JSON line on stdout.
 */
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { readHostJson } from '../devhost/host-json.js';
import { enqueueMessages, queueServiceClientFor } from '../devhost/queue-storage.js';
import { parseIsoInstant } from '../functions/support/run-request.js';
import type { Logger } from '../shared/base/logger.js';
import { isCalendarDate, startOfDayIn } from '../shared/reminders/calendar.js';
import { getDaemonRuntime } from '../shared/runtime.js';
import { runSweep } from '../shared/sweep/sweep.js';
import { commandLineError, failureLine } from './support/cli-errors.js';
import { checkLocalSettings, readLocalSettings } from './support/local-settings.js';
import { relaunchTrustingCa } from './support/trust-ca.js';

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

/** The sweep's own summary log line: the command prints the summary itself, once. */
const SUMMARY_LOG = /^Run \S+ summary: \{/;

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
  const fileSettings = await readLocalSettings(args.settingsFile, { required: args.settingsFileGiven });
  // The local stack's settings name its CA; Node must trust it from the start (relative to the file).
  const caPath = fileSettings.NODE_EXTRA_CA_CERTS
    ? path.resolve(path.dirname(args.settingsFile), fileSettings.NODE_EXTRA_CA_CERTS)
    : undefined;
  const fileOnly = Object.fromEntries(Object.entries(fileSettings).filter(([name]) => process.env[name] === undefined));
  await checkLocalSettings(path.relative(process.cwd(), args.settingsFile) || args.settingsFile, fileOnly, {
    ...(caPath ? { caPath } : {}),
    environment: process.env,
  });
  if (caPath) {
    await relaunchTrustingCa(caPath);
  }
  // As the host does with app settings: they become the environment (DefaultAzureCredential reads it too).
  for (const [name, value] of Object.entries(fileSettings)) {
    process.env[name] ??= value;
  }

  const logger = stderrLogger(args.verbose);
  const { config, graph, metrics } = getDaemonRuntime(process.env, { logger });
  const now = typeof args.now === 'string' ? startOfDayIn(args.now, config.timeZone) : args.now;
  const result = await runSweep({ config, graph, metrics, logger }, now ? { now } : {});

  if (args.dryRun) {
    for (const reminder of result.reminders) {
      process.stdout.write(`${JSON.stringify(reminder)}\n`);
    }
    process.stderr.write(`${JSON.stringify(result.summary)}\n`);
    return;
  }
  const { queueMessageEncoding } = await readHostJson(APP_ROOT);
  const queue = queueServiceClientFor('AzureWebJobsStorage', process.env).getQueueClient(config.queueName);
  await enqueueMessages(
    queue,
    result.reminders.map((reminder) => JSON.stringify(reminder)),
    { encoding: queueMessageEncoding },
  );
  const ids = result.reminders.map((reminder) => reminder.id);
  process.stderr.write(
    `Enqueued ${ids.length} reminder(s) on queue '${config.queueName}'${ids.length > 0 ? `: ${ids.join(', ')}` : ''}.\n`,
  );
  const enqueued = { queue: config.queueName, count: ids.length, ids };
  process.stdout.write(`${JSON.stringify({ ...result.summary, enqueued })}\n`);
}

main().catch((error: unknown) => {
  process.stderr.write(`${failureLine(error)}\n`);
  process.exitCode = 1;
});
