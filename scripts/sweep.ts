/**
 * `npm run sweep -- [--now ISO] [--dry-run] [--settings FILE] [--verbose]`: one sweep outside the
 * Functions host. Settings come from the environment first, then `local.settings.json` Values.
 * --dry-run: each reminder as one JSON line on stdout (ordered by id), the summary (JSON) on stderr.
 * Otherwise the reminders are enqueued as the timer's output binding would, and the summary printed.
 */
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { readHostJson } from '../devhost/host-json.js';
import { enqueueMessages, queueServiceClientFor } from '../devhost/queue-storage.js';
import { parseIsoInstant } from '../functions/support/run-request.js';
import type { Logger } from '../shared/base/logger.js';
import { getDaemonRuntime } from '../shared/runtime.js';
import { runSweep } from '../shared/sweep/sweep.js';
import { commandLineError, failureLine } from './support/cli-errors.js';
import { readLocalSettings } from './support/local-settings.js';
import { relaunchTrustingCa } from './support/trust-ca.js';

const APP_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

const USAGE = `Usage: npm run sweep -- [--dry-run [--now ISO]] [--settings FILE] [--verbose]
  --dry-run        print the reminders (JSON lines, stdout) instead of enqueueing them
  --now ISO        apply the rules at this instant (dry runs only), e.g. 2026-12-01T07:00:00Z
  --settings FILE  local.settings.json-style file (default: local.settings.json); the environment wins
  --verbose        log the run's progress on stderr`;

interface SweepArguments {
  readonly dryRun: boolean;
  readonly now?: Date;
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
  let now: Date | undefined;
  if (values.now !== undefined) {
    if (!values['dry-run']) {
      throw commandLineError('--now is only allowed together with --dry-run.');
    }
    now = parseIsoInstant(values.now);
    if (!now) {
      throw commandLineError(
        `--now must be an ISO 8601 instant with an offset, e.g. 2026-12-01T07:00:00Z (got "${values.now}").`,
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

function stderrLogger(verbose: boolean): Logger {
  return {
    info: (message) => {
      if (verbose) {
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
  if (fileSettings.NODE_EXTRA_CA_CERTS) {
    await relaunchTrustingCa(path.resolve(path.dirname(args.settingsFile), fileSettings.NODE_EXTRA_CA_CERTS));
  }
  // As the host does with app settings: they become the environment (DefaultAzureCredential reads it too).
  for (const [name, value] of Object.entries(fileSettings)) {
    process.env[name] ??= value;
  }

  const logger = stderrLogger(args.verbose);
  const { config, graph, metrics } = getDaemonRuntime(process.env, { logger });
  const result = await runSweep({ config, graph, metrics, logger }, args.now ? { now: args.now } : {});

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
  process.stdout.write(`${JSON.stringify(result.summary)}\n`);
}

main().catch((error: unknown) => {
  process.stderr.write(`${failureLine(error)}\n`);
  process.exitCode = 1;
});
