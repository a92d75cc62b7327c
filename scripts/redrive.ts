/**
 * `npm run -s redrive -- [--include-failed] [--report] [--settings FILE]`: moves the poison queue's
 * reminders back to the reminders queue (with --include-failed, also gives back reminders recorded as
 * failed for the next run to emit), then prints the backlog: what is queued, deferred and failed, and
 * why, as one JSON line on stdout. `--report` only prints the backlog. Settings as `npm run sweep`:
 * the environment first, then `local.settings.json` Values.
 */
import path from 'node:path';
import { parseArgs } from 'node:util';
import { backlogWithRuntime, redriveWithRuntime } from '../shared/runtime.js';
import { commandLineError, failureLine } from './support/cli-errors.js';
import { checkLocalSettings, readLocalSettings } from './support/local-settings.js';
import { relaunchTrustingCa } from './support/trust-ca.js';

const USAGE = `Usage: npm run -s redrive -- [--include-failed] [--report] [--settings FILE]
  --include-failed  also give back reminders recorded as failed (not those past their due date), for the
                    next run to emit again
  --report          only print the backlog (queued, poisoned, deferred and failed, by reason)
  --settings FILE   local.settings.json-style file (default: local.settings.json); the environment wins`;

async function main(argv: readonly string[]): Promise<void> {
  let values;
  try {
    ({ values } = parseArgs({
      args: [...argv],
      options: {
        'include-failed': { type: 'boolean', default: false },
        report: { type: 'boolean', default: false },
        settings: { type: 'string' },
        help: { type: 'boolean', default: false },
      },
      strict: true,
      allowPositionals: false,
    }));
  } catch (error) {
    throw commandLineError(`${error instanceof Error ? error.message : String(error)} (see --help)`);
  }
  if (values.help) {
    process.stdout.write(`${USAGE}\n`);
    return;
  }
  const settingsFile = values.settings ?? 'local.settings.json';
  const fileSettings = await readLocalSettings(settingsFile, { required: values.settings !== undefined });
  // The local stack's settings name its CA; Node must trust it from the start (relative to the file).
  const caPath = fileSettings.NODE_EXTRA_CA_CERTS
    ? path.resolve(path.dirname(settingsFile), fileSettings.NODE_EXTRA_CA_CERTS)
    : undefined;
  const fileOnly = Object.fromEntries(Object.entries(fileSettings).filter(([name]) => process.env[name] === undefined));
  await checkLocalSettings(path.relative(process.cwd(), settingsFile) || settingsFile, fileOnly, {
    ...(caPath ? { caPath } : {}),
    environment: process.env,
  });
  if (caPath) await relaunchTrustingCa(caPath);
  for (const [name, value] of Object.entries(fileSettings)) process.env[name] ??= value;
  const redriven = values.report ? undefined : await redriveWithRuntime({ includeFailed: values['include-failed'] });
  const backlog = await backlogWithRuntime();
  process.stdout.write(`${JSON.stringify(redriven === undefined ? { backlog } : { ...redriven, backlog })}\n`);
}

main(process.argv.slice(2)).catch((error: unknown) => {
  process.stderr.write(`${failureLine(error)}\n`);
  process.exitCode = 1;
});
