/**
 * Scenario 2, list size: obligations spread over a year, reminders 7, 3 and 1 days ahead, for each list
 * size. Wall time, Graph requests, bytes received and peak memory of the daemon process, per peer,
 * against the sequential lower bound ceil(matching items / page size) × page latency.
 */
import { DEFAULT_PAGE_SIZE } from '../../shared/clients/graph.js';
import { sequentialLowerBoundMs, pagesNeeded } from '../lower-bound.js';
import { coldRun, failureOf, measurePeer, warmMedianMs, warmRuns } from '../measure.js';
import type { PeerMeasurement, PeerSpec } from '../measure.js';
import { startBenchStack } from '../stack.js';
import { median, ratio } from '../statistics.js';
import { formatBytes, formatCount, formatDuration, formatMebibytes, formatRatio, formatTable } from '../table.js';
import type { Chart } from '../svg-chart.js';
import { DUE_NOTIFIER, DUE_NOTIFIER_SEQUENTIAL, DUE_NOTIFIER_SWEEP, GRAPH_SDK, NAIVE } from './scenario.js';
import type { ScenarioContext, ScenarioResult, TargetCheck } from './scenario.js';

const LOWER_BOUND_FACTOR = 1.2;
const MEMORY_GROWTH_FACTOR = 1.5;

export interface ListSizeRow {
  readonly listSize: number;
  readonly label: string;
  readonly itemsRead: number;
  readonly graphRequests: number;
  readonly graphBytes: number;
  readonly coldMs: number;
  readonly warmMs: number;
  /** CPU the emulators spent on a warm run (real Graph spends it inside its latency). */
  readonly emulatorCpuMs: number;
  /** Part of the warm run spent on the idempotency ledger's check (due-notifier as the timer runs it). */
  readonly ledgerMs?: number;
  readonly maxRssBytes: number;
  readonly sameReminders: boolean;
  readonly failure?: string;
}

export interface ListSizeBound {
  readonly listSize: number;
  readonly matchingItems: number;
  readonly pageSize: number;
  readonly pages: number;
  readonly lowerBoundMs: number;
}

export async function runListSize(context: ScenarioContext): Promise<ScenarioResult> {
  const { options } = context;
  const rows: ListSizeRow[] = [];
  const bounds: ListSizeBound[] = [];
  const measurements: { listSize: number; peers: PeerMeasurement[] }[] = [];
  for (const listSize of options.listSizes) {
    const stack = await startBenchStack({ listSize, latency: options.latency });
    const peers: PeerMeasurement[] = [];
    try {
      for (const spec of [DUE_NOTIFIER_SWEEP, DUE_NOTIFIER_SEQUENTIAL, DUE_NOTIFIER, GRAPH_SDK, NAIVE]) {
        context.progress(`list size ${formatCount(listSize)}: ${spec.label}`);
        peers.push(
          await measurePeer({ script: context.daemonScript, stack, spec, runs: runsOf(spec, options.warmRuns) }),
        );
      }
    } finally {
      await stack.stop();
    }
    measurements.push({ listSize, peers });
    const reference = peers.find((peer) => peer.label === DUE_NOTIFIER_SWEEP.label);
    const referenceRun = reference ? coldRun(reference) : undefined;
    const matchingItems = referenceRun?.failure === undefined ? (referenceRun?.itemsRead ?? 0) : 0;
    bounds.push({
      listSize,
      matchingItems,
      pageSize: DEFAULT_PAGE_SIZE,
      pages: pagesNeeded(matchingItems, DEFAULT_PAGE_SIZE),
      lowerBoundMs: sequentialLowerBoundMs({
        matchingItems,
        pageSize: DEFAULT_PAGE_SIZE,
        pageLatencyMs: options.latency.graphPageMs,
      }),
    });
    for (const peer of peers) {
      rows.push(rowOf(listSize, peer, referenceRun?.remindersDigest));
    }
  }

  const boundOf = (listSize: number): number =>
    bounds.find((bound) => bound.listSize === listSize)?.lowerBoundMs ?? Number.NaN;
  const warmOf = (listSize: number, label: string): number =>
    rows.find((row) => row.listSize === listSize && row.label === label)?.warmMs ?? Number.NaN;

  const boundsTable = formatTable(
    [
      { title: 'items', align: 'right' },
      { title: 'matching the filter', align: 'right' },
      { title: 'page size', align: 'right' },
      { title: 'pages', align: 'right' },
      { title: 'lower bound', align: 'right' },
    ],
    bounds.map((bound) => [
      formatCount(bound.listSize),
      formatCount(bound.matchingItems),
      formatCount(bound.pageSize),
      formatCount(bound.pages),
      formatDuration(bound.lowerBoundMs),
    ]),
  );
  const table = formatTable(
    [
      { title: 'items', align: 'right' },
      { title: 'peer' },
      { title: 'run (warm)', align: 'right' },
      { title: '× lower bound', align: 'right' },
      { title: 'emulator CPU', align: 'right' },
      { title: '× due-notifier sweep', align: 'right' },
      { title: 'first run', align: 'right' },
      { title: 'of which ledger check', align: 'right' },
      { title: 'Graph requests', align: 'right' },
      { title: 'received', align: 'right' },
      { title: 'peak RSS', align: 'right' },
      { title: 'same reminders', align: 'right' },
    ],
    rows.map((row) => [
      formatCount(row.listSize),
      row.failure ? `${row.label} (failed: ${row.failure})` : row.label,
      formatDuration(row.warmMs),
      formatRatio(ratio(row.warmMs, boundOf(row.listSize))),
      formatDuration(row.emulatorCpuMs),
      formatRatio(ratio(row.warmMs, warmOf(row.listSize, DUE_NOTIFIER_SWEEP.label))),
      formatDuration(row.coldMs),
      row.ledgerMs === undefined ? '–' : formatDuration(row.ledgerMs),
      formatCount(row.graphRequests),
      formatBytes(row.graphBytes),
      formatMebibytes(row.maxRssBytes),
      row.sameReminders ? 'yes' : 'NO',
    ]),
  );

  const targets: TargetCheck[] = [];
  for (const spec of [DUE_NOTIFIER_SEQUENTIAL, DUE_NOTIFIER_SWEEP]) {
    for (const bound of bounds) {
      const row = rows.find((candidate) => candidate.listSize === bound.listSize && candidate.label === spec.label);
      const warm = row?.warmMs ?? Number.NaN;
      const factor = ratio(warm, bound.lowerBoundMs);
      const net = ratio(warm - (row?.emulatorCpuMs ?? Number.NaN), bound.lowerBoundMs);
      targets.push({
        target: `${spec.label} at ${formatCount(bound.listSize)} items ≤ ${LOWER_BOUND_FACTOR} × lower bound (${formatDuration(bound.lowerBoundMs)})`,
        measured: `${formatDuration(warm)} = ${formatRatio(factor)}; net of the emulators' CPU ${formatRatio(net)}`,
        met: factor !== undefined && factor <= LOWER_BOUND_FACTOR,
      });
    }
  }
  const smallest = options.listSizes[0];
  const largest = options.listSizes.at(-1);
  if (smallest !== undefined && largest !== undefined && largest > smallest) {
    for (const spec of [DUE_NOTIFIER_SEQUENTIAL, DUE_NOTIFIER_SWEEP, DUE_NOTIFIER]) {
      const rssOf = (listSize: number): number =>
        rows.find((row) => row.listSize === listSize && row.label === spec.label)?.maxRssBytes ?? Number.NaN;
      const growth = ratio(rssOf(largest), rssOf(smallest));
      targets.push({
        target: `${spec.label} peak RSS at ${formatCount(largest)} items ≤ ${MEMORY_GROWTH_FACTOR} × at ${formatCount(smallest)}`,
        measured: `${formatMebibytes(rssOf(largest))} vs ${formatMebibytes(rssOf(smallest))} = ${formatRatio(growth)}`,
        met: growth !== undefined && growth <= MEMORY_GROWTH_FACTOR,
      });
    }
  }
  targets.push({
    target: 'every peer returns the same reminders as the due-notifier sweep',
    measured: rows.every((row) => row.sameReminders)
      ? 'yes'
      : `no: ${rows
          .filter((row) => !row.sameReminders)
          .map((row) => `${row.label} at ${formatCount(row.listSize)}`)
          .join(', ')}`,
    met: rows.every((row) => row.sameReminders),
  });

  return {
    name: 'list-size',
    title: `List size: obligations spread over a year, reminders 7, 3 and 1 days ahead`,
    tables: [boundsTable, table],
    targets,
    notes: [
      `Lower bound = ceil(matching items / page size) × ${options.latency.graphPageMs} ms page latency, with due-notifier's page size (${DEFAULT_PAGE_SIZE}); it ignores tokens, Key Vault and processing. "Run (warm)" is the median of ${options.warmRuns} runs after the first in the same process (token and secret cached); the naive peer keeps nothing between runs, so its one run is its steady-state cost. "First run" includes Key Vault, the token and MSAL's discovery.`,
      `"due-notifier sweep" reads and decides with the default settings: GRAPH_CONCURRENCY=4 disjoint due-date ranges read at once (scenario 4) when the last run's window held more than a page, which is how it gets below the sequential bound; the GRAPH_CONCURRENCY=1 row pages one query sequentially, as the bound assumes. "due-notifier" is the sweep as the timer runs it, followed by the idempotency ledger's check (one Table storage query per due date among the due reminders, on the index of sent reminders, against Azurite in memory, no injected latency); its time is shown on its own.`,
      `The emulators run in the benchmark's process, and their work (generating, rendering, encrypting the pages: the "emulator CPU" column, per warm run) lands on the critical path on top of the injected latency; real Graph spends it inside its latency.`,
      'Bytes received: HTTP bytes (headers and bodies) read from the Graph emulator. Peak RSS: maximum resident set of the daemon process (process.resourceUsage().maxRSS), which holds no emulator.',
    ],
    data: { bounds, rows, measurements },
    chart: chartOf(options.listSizes, rows),
  };
}

/** Runs per process: the naive peer keeps nothing between runs, so one run is its steady state. */
function runsOf(spec: PeerSpec, warmRunCount: number): number {
  return spec.peer === 'naive' ? 1 : 1 + warmRunCount;
}

function rowOf(listSize: number, measurement: PeerMeasurement, referenceDigest: string | undefined): ListSizeRow {
  const cold = coldRun(measurement);
  const warm = warmRuns(measurement);
  const failure = failureOf(measurement);
  const ledgerTimes = warm.flatMap((run) => (run.ledgerMs === undefined ? [] : [run.ledgerMs]));
  return {
    listSize,
    label: measurement.label,
    itemsRead: cold?.itemsRead ?? 0,
    graphRequests: warm[0]?.requests.graph ?? Number.NaN,
    graphBytes: warm[0]?.graphBytes ?? Number.NaN,
    coldMs: cold?.wallMs ?? Number.NaN,
    warmMs: warmMedianMs(measurement),
    emulatorCpuMs: warm.length > 0 ? median(warm.map((run) => run.emulatorCpuMs)) : Number.NaN,
    ...(ledgerTimes.length > 0 ? { ledgerMs: median(ledgerTimes) } : {}),
    maxRssBytes: measurement.maxRssBytes,
    sameReminders:
      referenceDigest !== undefined &&
      measurement.runs.length > 0 &&
      measurement.runs.every((run) => run.remindersDigest === referenceDigest),
    ...(failure === undefined ? {} : { failure }),
  };
}

function chartOf(listSizes: readonly number[], rows: readonly ListSizeRow[]): Chart {
  const labels = [...new Set(rows.map((row) => row.label))];
  const seriesOf = (value: (row: ListSizeRow) => number) =>
    labels.map((label) => ({
      name: label,
      points: listSizes.flatMap((listSize) => {
        const row = rows.find((candidate) => candidate.listSize === listSize && candidate.label === label);
        return row && Number.isFinite(value(row)) ? [{ x: listSize, y: value(row) }] : [];
      }),
    }));
  return {
    title: 'due-notifier vs naive vs Graph SDK: one run against list size',
    xLabel: 'obligations in the list',
    formatX: formatCount,
    panels: [
      {
        title: 'wall time per run (warm)',
        yScale: 'log',
        formatY: formatDuration,
        series: seriesOf((row) => row.warmMs),
      },
      {
        title: 'peak RSS of the daemon process',
        yScale: 'log',
        formatY: (mebibytes) => `${formatCount(mebibytes)} MiB`,
        series: seriesOf((row) => row.maxRssBytes / 1_048_576),
      },
    ],
  };
}
