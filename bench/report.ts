/**
 * The benchmark's output: a Markdown report (printed, and pasteable into the README), the raw
 * measurements as JSON, and the charts as SVG, all written to the output folder.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { BenchOptions } from './options.js';
import type { ScenarioResult } from './scenarios/scenario.js';
import { renderChartSvg } from './svg-chart.js';

export interface MachineInfo {
  readonly cpus: number;
  readonly cpuModel: string;
  readonly memoryGiB: number;
  readonly platform: string;
  readonly node: string;
}

export interface BenchReport {
  readonly startedAt: string;
  readonly durationMs: number;
  readonly machine: MachineInfo;
  readonly options: BenchOptions;
  readonly scenarios: readonly ScenarioResult[];
}

export function machineInfo(): MachineInfo {
  const cpus = os.cpus();
  return {
    cpus: cpus.length,
    cpuModel: cpus[0]?.model.trim() ?? 'unknown',
    memoryGiB: Math.round(os.totalmem() / 2 ** 30),
    platform: `${os.type()} ${os.release()} ${os.arch()}`,
    node: process.version,
  };
}

export function describeMachine(machine: MachineInfo): string {
  return `${machine.cpus} × ${machine.cpuModel}, ${machine.memoryGiB} GiB, ${machine.platform}, Node ${machine.node}`;
}

/**
 * One scenario as Markdown: heading, tables, targets, notes. With `quick` (small lists, a tenth of the
 * latency) a target is only indicative: it says "indicative", never "missed".
 */
export function renderScenario(
  result: ScenarioResult,
  index: number,
  options: { readonly quick?: boolean } = {},
): string {
  const lines = [`### ${index}. ${result.title}`, ''];
  for (const table of result.tables) {
    lines.push(table, '');
  }
  for (const target of result.targets) {
    const verdict = options.quick
      ? `indicative, ${target.met ? 'met' : 'not met'} at --quick sizes`
      : target.met
        ? 'met'
        : '**missed**';
    lines.push(`- ${verdict}: ${target.target} (measured: ${target.measured})`);
  }
  if (result.targets.length > 0) {
    lines.push('');
  }
  for (const note of result.notes) {
    lines.push(`> ${note}`);
  }
  return lines.join('\n').trimEnd();
}

export function renderReport(report: BenchReport): string {
  const { latency } = report.options;
  return [
    `## Benchmark${report.options.quick ? ' (--quick)' : ''}`,
    '',
    `Machine: ${describeMachine(report.machine)}. Injected latency: ${latency.graphPageMs} ms per Graph page, ${latency.tokenMs} ms per Entra ID request, ${latency.keyVaultMs} ms per Key Vault request, ${latency.identityMs} ms per managed-identity token. Run on ${report.startedAt}.`,
    '',
    ...(report.options.quick
      ? [
          "--quick: small lists and a tenth of the latency, to keep the benchmark working. due-notifier's targets are stated for the full run (`npm run bench`): here they are indicative only: met or not met at these sizes.",
          '',
        ]
      : []),
    ...report.scenarios.map(
      (scenario, index) => `${renderScenario(scenario, index + 1, { quick: report.options.quick })}\n`,
    ),
  ].join('\n');
}

export interface WrittenReport {
  readonly markdown: string;
  readonly json: string;
  readonly charts: readonly string[];
}

export async function writeReport(report: BenchReport, outDir: string): Promise<WrittenReport> {
  await mkdir(outDir, { recursive: true });
  const markdown = path.join(outDir, 'report.md');
  const json = path.join(outDir, 'report.json');
  await writeFile(markdown, `${renderReport(report)}\n`);
  await writeFile(json, `${JSON.stringify(report, null, 2)}\n`);
  const charts: string[] = [];
  for (const scenario of report.scenarios) {
    if (scenario.chart) {
      const file = path.join(outDir, `${scenario.name}.svg`);
      await writeFile(file, renderChartSvg(scenario.chart));
      charts.push(file);
    }
  }
  return { markdown, json, charts };
}
