/**
 * Scenario 5, cold start: time from process start until the function modules are loaded (every
 * function registered, so a first handler call can begin), for the tsc output and for the esbuild
 * bundle (the deploy package), against `node -e 0` on the same machine. Variants are started in interleaved rounds, after
 * one discarded round that warms the file cache, and the median is reported.
 */
import { spawn } from 'node:child_process';
import { isDeepStrictEqual } from 'node:util';
import { buildHostStandIn, packageWithEsbuild, packageWithTsc } from '../cold-start/packaging.js';
import type { PackagedApp } from '../cold-start/packaging.js';
import { median, ratio } from '../statistics.js';
import { formatBytes, formatCount, formatDuration, formatRatio, formatTable } from '../table.js';
import type { ScenarioContext, ScenarioResult, TargetCheck } from './scenario.js';

/** For the deploy package: what the host loads to register the functions. */
const TARGET_ABOVE_BASELINE_MS = 40;

interface Variant {
  readonly label: string;
  readonly args: readonly string[];
  readonly app?: PackagedApp;
}

export interface ColdStartRow {
  readonly label: string;
  readonly startsMs: readonly number[];
  readonly medianMs: number;
  readonly aboveBaselineMs: number;
  readonly functions: readonly string[];
  readonly codeBytes?: number;
  readonly lazyBytes?: number;
}

export class ColdStartError extends Error {
  readonly code = 'ColdStartFailed';
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'ColdStartError';
  }
}

export async function runColdStart(context: ScenarioContext): Promise<ScenarioResult> {
  const { options } = context;
  context.progress('cold start: building the host stand-in, the tsc output and the esbuild bundle');
  const [hostStandIn, tsc, bundle] = await Promise.all([buildHostStandIn(), packageWithTsc(), packageWithEsbuild()]);
  const baseline: Variant = { label: 'node -e 0', args: ['-e', '0'] };
  const variants: Variant[] = [
    baseline,
    { label: 'host stand-in, no app', args: [hostStandIn] },
    { label: tsc.description, args: [hostStandIn, ...tsc.entryPoints], app: tsc },
    { label: bundle.description, args: [hostStandIn, ...bundle.entryPoints], app: bundle },
  ];

  context.progress(`cold start: ${options.coldStarts} rounds of ${variants.length} process starts`);
  const starts = new Map<Variant, number[]>(variants.map((variant) => [variant, []]));
  const registrations = new Map<Variant, unknown>();
  for (let round = -1; round < options.coldStarts; round += 1) {
    for (const variant of variants) {
      const start = await timeProcess(variant.args);
      if (round >= 0) {
        starts.get(variant)?.push(start.ms);
      }
      if (variant.app) {
        registrations.set(variant, JSON.parse(start.stdout) as unknown);
      }
    }
  }

  const baselineMs = median(starts.get(baseline) ?? []);
  const rows: ColdStartRow[] = variants.map((variant) => {
    const startsMs = starts.get(variant) ?? [];
    const medianMs = median(startsMs);
    return {
      label: variant.label,
      startsMs,
      medianMs,
      aboveBaselineMs: medianMs - baselineMs,
      functions: functionNames(registrations.get(variant)),
      ...(variant.app ? { codeBytes: variant.app.codeBytes } : {}),
      ...(variant.app?.lazyBytes === undefined ? {} : { lazyBytes: variant.app.lazyBytes }),
    };
  });

  const table = formatTable(
    [
      { title: 'packaging' },
      { title: 'start to functions loaded (median)', align: 'right' },
      { title: 'above node -e 0', align: 'right' },
      { title: '× node -e 0', align: 'right' },
      { title: 'functions registered' },
      { title: 'code', align: 'right' },
    ],
    rows.map((row) => [
      row.label,
      formatDuration(row.medianMs),
      formatDuration(row.aboveBaselineMs),
      formatRatio(ratio(row.medianMs, baselineMs)),
      row.functions.join(', ') || '–',
      formatCode(row),
    ]),
  );

  const tscRow = rows.find((row) => row.label === tsc.description);
  const bundleRow = rows.find((row) => row.label === bundle.description);
  const tscVariant = variants.find((variant) => variant.app === tsc);
  const bundleVariant = variants.find((variant) => variant.app === bundle);
  const sameRegistrations =
    tscVariant !== undefined &&
    bundleVariant !== undefined &&
    isDeepStrictEqual(registrations.get(tscVariant), registrations.get(bundleVariant));
  const targets: TargetCheck[] = [];
  if (bundleRow && tscRow) {
    targets.push(
      {
        target: `the bundle: ≤ ${TARGET_ABOVE_BASELINE_MS} ms above node -e 0`,
        measured: `${formatDuration(bundleRow.aboveBaselineMs)} above (${formatDuration(bundleRow.medianMs)} vs ${formatDuration(baselineMs)})`,
        met: bundleRow.aboveBaselineMs <= TARGET_ABOVE_BASELINE_MS,
      },
      {
        target: 'the bundle starts faster than the tsc output',
        measured: `${formatDuration(bundleRow.medianMs)} vs ${formatDuration(tscRow.medianMs)}`,
        met: bundleRow.medianMs < tscRow.medianMs,
      },
    );
  }
  targets.push({
    target: 'the bundle registers exactly what the tsc output registers (names, bindings)',
    measured: sameRegistrations ? 'identical' : 'different',
    met: sameRegistrations,
  });

  return {
    name: 'cold-start',
    title: 'Cold start: process start until every function is registered',
    tables: [table],
    targets,
    notes: [
      `Median of ${formatCount(options.coldStarts)} starts per variant, interleaved, after one discarded round. The host stand-in serves @azure/functions-core and loads the entry points as the Node.js worker does (import() for ES modules, require for a .cjs file); the worker's own start (gRPC channel to the host) is not part of it and is the same for every packaging.`,
      'Code size is the JavaScript the package ships: the tsc output needs node_modules besides (deployed with it); the bundle has every package inlined, and its runtime chunk (the SDKs) loads only at the first run of a function.',
    ],
    data: { baselineMs, rows, sameRegistrations },
  };
}

function formatCode(row: ColdStartRow): string {
  if (row.codeBytes === undefined) {
    return '–';
  }
  const total = formatBytes(row.codeBytes);
  return row.lazyBytes === undefined ? total : `${total} (${formatBytes(row.codeBytes - row.lazyBytes)} at start)`;
}

function functionNames(registered: unknown): string[] {
  if (!Array.isArray(registered)) {
    return [];
  }
  return registered
    .map((registration: unknown) =>
      typeof registration === 'object' && registration !== null && 'name' in registration
        ? String(registration.name)
        : '',
    )
    .filter((name) => name !== '')
    .sort();
}

/** Starts `node ...args` and waits for it to exit; the time includes Node's own start and exit. */
function timeProcess(args: readonly string[]): Promise<{ ms: number; stdout: string }> {
  const env = { ...process.env };
  // Whatever the benchmark itself runs under (a TypeScript loader) must not slow the measured process.
  delete env.NODE_OPTIONS;
  return new Promise((resolve, reject) => {
    const started = performance.now();
    const child = spawn(process.execPath, [...args], { env, stdio: ['ignore', 'pipe', 'pipe'] });
    const stdout: Buffer[] = [];
    const stderr: Buffer[] = [];
    child.stdout.on('data', (chunk: Buffer) => stdout.push(chunk));
    child.stderr.on('data', (chunk: Buffer) => stderr.push(chunk));
    child.on('error', (error) => reject(new ColdStartError(`Cannot start ${process.execPath}`, { cause: error })));
    child.on('close', (code) => {
      const ms = performance.now() - started;
      if (code !== 0) {
        reject(
          new ColdStartError(
            `node ${args.join(' ')} exited with code ${code}: ${Buffer.concat(stderr).toString('utf8').trim().split('\n').slice(-3).join(' ')}`,
          ),
        );
        return;
      }
      resolve({ ms, stdout: Buffer.concat(stdout).toString('utf8') });
    });
  });
}
