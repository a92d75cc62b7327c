/**
 * `npm run bench -- [--quick] [options]`: the six scenarios against the local stack with
 * injected latency, each peer in its own daemon process (the delivery scenario: each instance of the app). Prints a Markdown report and writes it, the raw
 * measurements (JSON) and the charts (SVG) to `bench-results/`. See `--help`.
 */
import { buildDaemonBundle } from './build.js';
import { isBenchOptionsError, parseBenchArgs, USAGE } from './options.js';
import type { ScenarioName } from './options.js';
import { machineInfo, renderScenario, describeMachine, writeReport } from './report.js';
import type { BenchReport } from './report.js';
import { runColdStart } from './scenarios/cold-start.js';
import { runConcurrency } from './scenarios/concurrency.js';
import { runDelivery } from './scenarios/delivery.js';
import { runListSize } from './scenarios/list-size.js';
import type { ScenarioContext, ScenarioResult } from './scenarios/scenario.js';
import { runSteadyState } from './scenarios/steady-state.js';
import { runThrottling } from './scenarios/throttling.js';

const scenarioRunners: Readonly<Record<ScenarioName, (context: ScenarioContext) => Promise<ScenarioResult>>> = {
  'steady-state': runSteadyState,
  'list-size': runListSize,
  throttling: runThrottling,
  concurrency: runConcurrency,
  'cold-start': runColdStart,
  delivery: runDelivery,
};

async function main(argv: readonly string[]): Promise<void> {
  const options = parseBenchArgs(argv);
  if (options === 'help') {
    console.log(USAGE);
    return;
  }
  const started = performance.now();
  const startedAt = new Date().toISOString();
  const machine = machineInfo();
  const progress = (message: string): void => {
    process.stderr.write(`[bench ${((performance.now() - started) / 1000).toFixed(1)} s] ${message}\n`);
  };
  progress(
    `${describeMachine(machine)}; scenarios: ${options.scenarios.join(', ')}${options.quick ? ' (--quick)' : ''}`,
  );
  const context: ScenarioContext = { options, daemonScript: await buildDaemonBundle(), progress };

  const scenarios: ScenarioResult[] = [];
  for (const [index, name] of options.scenarios.entries()) {
    const result = await scenarioRunners[name](context);
    scenarios.push(result);
    process.stdout.write(`${renderScenario(result, index + 1, { quick: options.quick })}\n\n`);
  }
  const report: BenchReport = { startedAt, durationMs: performance.now() - started, machine, options, scenarios };
  const written = await writeReport(report, options.outDir);
  progress(
    `done; report ${written.markdown}, data ${written.json}${written.charts.length > 0 ? `, charts ${written.charts.join(', ')}` : ''}`,
  );
}

main(process.argv.slice(2)).catch((error: unknown) => {
  if (isBenchOptionsError(error)) {
    console.error(error.message);
    process.exitCode = 2;
    return;
  }
  console.error('The benchmark failed:', error);
  process.exitCode = 1;
});
