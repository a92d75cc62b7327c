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
  const run = await runSoak({
    days: command.days,
    seed: command.seed,
    itemsPerDay: command.itemsPerDay,
    progress: (line) => {
      if (command.verbose) process.stderr.write(`[soak] ${line}\n`);
    },
  });
  const verdict = checkInvariants(run.record, run.obligations);
  console.log(renderSoakReport(run, verdict));
  process.exitCode = verdict.violations.length === 0 ? 0 : 1;
}

main(process.argv.slice(2)).catch((error: unknown) => {
  console.error(failureLine(error));
  process.exitCode = 2;
});
