/**
 * `npm run soak -- [--days N] [--seed S] [--quick]`: the chaos soak (bench/soak/): simulated days of
 * timer runs and deliveries on the local stack under seeded faults, then the invariants; exit code 1
 * on a violation, with the seed and day that reproduce it.
 */
import { ensureLocalCa } from '../emulators/stack/tls.js';
import { checkInvariants } from '../bench/soak/invariants.js';
import { parseSoakArgs, SOAK_USAGE } from '../bench/soak/options.js';
import { renderSoakReport } from '../bench/soak/report.js';
import { runSoak } from '../bench/soak/simulation.js';
import { failureLine } from './support/cli-errors.js';
import { relaunchTrustingCa } from './support/trust-ca.js';

async function main(argv: readonly string[]): Promise<void> {
  const command = parseSoakArgs(argv);
  if (command === 'help') {
    console.log(SOAK_USAGE);
    return;
  }
  await relaunchTrustingCa((await ensureLocalCa()).caCertPath);
  // The app's long-lived clients log to the console (retries, expiring credentials): --verbose shows them.
  const restoreConsole = command.verbose ? () => undefined : silenceConsole();
  let run;
  try {
    run = await runSoak({
      days: command.days,
      seed: command.seed,
      itemsPerDay: command.itemsPerDay,
      progress: (line) => {
        if (command.verbose) process.stderr.write(`[soak] ${line}\n`);
      },
    });
  } finally {
    restoreConsole();
  }
  const verdict = checkInvariants(run.record, run.obligations);
  console.log(renderSoakReport(run, verdict));
  process.exitCode = verdict.violations.length === 0 ? 0 : 1;
}

/** Mutes the console's log methods until the returned function puts them back. */
function silenceConsole(): () => void {
  const methods = ['log', 'info', 'warn', 'error', 'debug'] as const;
  const saved = methods.map((method) => [method, console[method]] as const);
  for (const method of methods) console[method] = () => undefined;
  return () => {
    for (const [method, original] of saved) console[method] = original;
  };
}

main(process.argv.slice(2)).catch((error: unknown) => {
  console.error(failureLine(error));
  process.exitCode = 2;
});
