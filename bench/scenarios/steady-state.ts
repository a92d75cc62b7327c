/**
 * Scenario 1, steady state: one warm process per peer, a run every 15 minutes of simulated time for a
 * day (96 runs), tokens valid for 3600 s. Counts what each run costs in requests.
 *
 * Time is simulated, not waited for: before each run the daemon process's `Date` and the emulators'
 * clock move to the run's instant (see `daemon/simulated-date.ts`), so MSAL's token cache, the managed
 * identity's and the Key Vault credential cache expire as they would over a real day.
 */
import { measurePeer, warmRuns } from '../measure.js';
import type { PeerMeasurement } from '../measure.js';
import { startBenchStack, sumRequests } from '../stack.js';
import { median } from '../statistics.js';
import { formatCount, formatDuration, formatTable } from '../table.js';
import { DUE_NOTIFIER, GRAPH_SDK, NAIVE } from './scenario.js';
import type { ScenarioContext, ScenarioResult, TargetCheck } from './scenario.js';

/** due-notifier's targets for 96 runs (a day of 15-minute runs); fewer runs (--quick) scale them down. */
const TARGET_RUNS = 96;
const TARGET_TOKEN_REQUESTS = 27;
const TARGET_KEY_VAULT_REQUESTS = 25;

export async function runSteadyState(context: ScenarioContext): Promise<ScenarioResult> {
  const { options } = context;
  const intervalMs = options.steadyIntervalMinutes * 60_000;
  const stack = await startBenchStack({ listSize: options.steadyListSize, latency: options.latency });
  const measurements: PeerMeasurement[] = [];
  try {
    for (const spec of [NAIVE, GRAPH_SDK, DUE_NOTIFIER]) {
      context.progress(`steady state: ${spec.label}, ${options.steadyRuns} runs`);
      measurements.push(
        await measurePeer({
          script: context.daemonScript,
          stack,
          spec,
          runs: options.steadyRuns,
          simulatedClock: true,
          clockOffsetMs: (index) => index * intervalMs,
        }),
      );
    }
  } finally {
    await stack.stop();
  }

  const rows = measurements.map((measurement) => {
    const total = sumRequests(measurement.runs.map((run) => run.requests));
    const failures =
      measurement.runs.filter((run) => run.failure !== undefined).length + (measurement.processFailure ? 1 : 0);
    const later = warmRuns(measurement).map((run) => run.wallMs);
    return {
      label: measurement.label,
      runs: measurement.runs.length,
      failures,
      requests: total,
      discoveryAfterFirst: total.discovery - (measurement.runs[0]?.requests.discovery ?? 0),
      firstRunMs: measurement.runs[0]?.wallMs ?? Number.NaN,
      laterRunMedianMs: later.length > 0 ? median(later) : Number.NaN,
      totalMs: measurement.runs.reduce((sum, run) => sum + run.wallMs, 0),
    };
  });

  const table = formatTable(
    [
      { title: 'peer' },
      { title: 'runs', align: 'right' },
      { title: 'failed', align: 'right' },
      { title: 'token requests', align: 'right' },
      { title: 'OpenID discovery', align: 'right' },
      { title: 'Key Vault requests', align: 'right' },
      { title: 'identity tokens', align: 'right' },
      { title: 'Graph requests', align: 'right' },
      { title: 'first run', align: 'right' },
      { title: 'later runs (median)', align: 'right' },
      { title: 'all runs', align: 'right' },
    ],
    rows.map((row) => [
      row.label,
      formatCount(row.runs),
      formatCount(row.failures),
      formatCount(row.requests.token),
      formatCount(row.requests.discovery),
      formatCount(row.requests.keyVault),
      formatCount(row.requests.identity),
      formatCount(row.requests.graph),
      formatDuration(row.firstRunMs),
      formatDuration(row.laterRunMedianMs),
      formatDuration(row.totalMs),
    ]),
  );

  const scale = options.steadyRuns / TARGET_RUNS;
  const tokenTarget = Math.ceil(TARGET_TOKEN_REQUESTS * scale);
  const keyVaultTarget = Math.ceil(TARGET_KEY_VAULT_REQUESTS * scale);
  const ours = rows.find((row) => row.label === DUE_NOTIFIER.label);
  const targets: TargetCheck[] = ours
    ? [
        {
          target: `due-notifier token requests ≤ ${tokenTarget}`,
          measured: formatCount(ours.requests.token),
          met: ours.failures === 0 && ours.requests.token <= tokenTarget,
        },
        {
          target: `due-notifier Key Vault requests ≤ ${keyVaultTarget}`,
          measured: formatCount(ours.requests.keyVault),
          met: ours.failures === 0 && ours.requests.keyVault <= keyVaultTarget,
        },
        {
          target: 'due-notifier: no OpenID discovery after the first run',
          measured: formatCount(ours.discoveryAfterFirst),
          met: ours.discoveryAfterFirst === 0,
        },
      ]
    : [];

  return {
    name: 'steady-state',
    title: `Steady state: ${formatCount(options.steadyRuns)} runs, one every ${options.steadyIntervalMinutes} simulated minutes, tokens valid 3600 s`,
    tables: [table],
    targets,
    notes: [
      `List of ${formatCount(options.steadyListSize)} items. Time is simulated: before each run the daemon process's Date and the emulators' clock jump to the run's instant, so every cache (MSAL's token cache, the managed identity's, the Key Vault credential cache) expires as over a real day; run times are real.`,
      'Key Vault requests are HTTP requests seen by the vault: the first read of a process is two (the unauthenticated challenge, then the read).',
      ...(scale === 1 ? [] : [`Targets scaled from ${TARGET_RUNS} runs to ${options.steadyRuns}.`]),
    ],
    data: {
      listSize: options.steadyListSize,
      intervalMinutes: options.steadyIntervalMinutes,
      peers: measurements,
      summary: rows,
    },
  };
}
