/**
 * Scenario 3, throttling: a share of the Graph page requests (20 %) is answered 429 with
 * `Retry-After: 0.5`. Per peer: a warm run without throttling (the reference: items and reminders),
 * then throttled runs. Items lost must be 0: a run that fails loses every item it should have read.
 */
import type { FaultRule } from '../../emulators/stack/types.js';
import { failureOf, measurePeer } from '../measure.js';
import type { PeerMeasurement } from '../measure.js';
import { startBenchStack } from '../stack.js';
import { median } from '../statistics.js';
import { formatCount, formatDuration, formatTable } from '../table.js';
import { DUE_NOTIFIER_SEQUENTIAL, DUE_NOTIFIER_SWEEP, GRAPH_SDK } from './scenario.js';
import type { ScenarioContext, ScenarioResult, TargetCheck } from './scenario.js';

/** Runs before throttling starts: the cold one, then the warm reference. */
const UNTHROTTLED_RUNS = 2;
/** Seed of the fault generator: the same 429s on every benchmark run. */
const THROTTLE_SEED = 429;

export interface ThrottlingRow {
  readonly label: string;
  readonly referenceMs: number;
  readonly throttledMedianMs: number;
  readonly throttledRuns: number;
  readonly failedRuns: number;
  readonly throttledResponses: number;
  /** Items the throttled runs should have delivered, all runs together. */
  readonly itemsExpected: number;
  readonly itemsLost: number;
  readonly sameReminders: boolean;
  readonly failure?: string;
}

export async function runThrottling(context: ScenarioContext): Promise<ScenarioResult> {
  const { options } = context;
  const throttle: FaultRule = {
    endpoint: 'graph.listItems',
    action: { type: 'status', status: 429, retryAfter: options.throttleRetryAfter },
    probability: options.throttleProbability,
  };
  const stack = await startBenchStack({
    listSize: options.focusListSize,
    latency: options.latency,
    faultSeed: THROTTLE_SEED,
  });
  const measurements: PeerMeasurement[] = [];
  try {
    for (const spec of [GRAPH_SDK, DUE_NOTIFIER_SEQUENTIAL, DUE_NOTIFIER_SWEEP]) {
      context.progress(`throttling: ${spec.label}, ${options.throttledRuns} throttled runs`);
      measurements.push(
        await measurePeer({
          script: context.daemonScript,
          stack,
          spec,
          runs: UNTHROTTLED_RUNS + options.throttledRuns,
          aroundRun: (index) => (index >= UNTHROTTLED_RUNS ? stack.addFault(throttle) : undefined),
        }),
      );
    }
  } finally {
    await stack.stop();
  }

  const rows = measurements.map(rowOf);
  const percent = Math.round(options.throttleProbability * 100);
  const table = formatTable(
    [
      { title: 'peer' },
      { title: 'run, no throttling', align: 'right' },
      { title: `run, ${percent} % 429 (median)`, align: 'right' },
      { title: 'throttled runs', align: 'right' },
      { title: 'failed runs', align: 'right' },
      { title: '429 answers', align: 'right' },
      { title: 'items lost', align: 'right' },
      { title: 'same reminders', align: 'right' },
    ],
    rows.map((row) => [
      row.failure ? `${row.label} (${row.failure})` : row.label,
      formatDuration(row.referenceMs),
      formatDuration(row.throttledMedianMs),
      formatCount(row.throttledRuns),
      formatCount(row.failedRuns),
      formatCount(row.throttledResponses),
      `${formatCount(row.itemsLost)} of ${formatCount(row.itemsExpected)}`,
      row.sameReminders ? 'yes' : 'NO',
    ]),
  );
  const targets: TargetCheck[] = rows
    .filter((row) => row.label !== GRAPH_SDK.label)
    .map((row) => ({
      target: `${row.label}: items lost = 0`,
      measured: formatCount(row.itemsLost),
      met: row.itemsLost === 0 && row.sameReminders,
    }));

  return {
    name: 'throttling',
    title: `Throttling: ${percent} % of Graph page requests answered 429, Retry-After: ${options.throttleRetryAfter}, ${formatCount(options.focusListSize)} items`,
    tables: [table],
    targets,
    notes: [
      `Each peer: a cold and a warm run without throttling (the reference), then ${options.throttledRuns} warm runs with throttling. Items lost = items the reference read that a throttled run did not deliver; a failed run loses them all. The 429s are drawn from a seeded generator, so every benchmark run sees the same sequence.`,
      "The Graph SDK's default RetryHandler retries a request 3 times, honouring Retry-After; due-notifier's Graph client up to 6 attempts within 2 minutes per page.",
    ],
    data: { throttle, rows, measurements },
  };
}

function rowOf(measurement: PeerMeasurement): ThrottlingRow {
  const reference = measurement.runs[UNTHROTTLED_RUNS - 1];
  const throttled = measurement.runs.slice(UNTHROTTLED_RUNS);
  const succeeded = throttled.filter((run) => run.failure === undefined);
  const itemsPerRun = reference?.failure === undefined ? (reference?.itemsRead ?? 0) : 0;
  const referencePages = reference?.requests.graph ?? 0;
  const failure = failureOf(measurement);
  return {
    label: measurement.label,
    referenceMs: reference?.wallMs ?? Number.NaN,
    throttledMedianMs: succeeded.length > 0 ? median(succeeded.map((run) => run.wallMs)) : Number.NaN,
    throttledRuns: throttled.length,
    failedRuns: throttled.length - succeeded.length,
    // Every request beyond the reference's pages was a retry of a 429 (nothing else fails here).
    throttledResponses: throttled.reduce((sum, run) => sum + Math.max(0, run.requests.graph - referencePages), 0),
    itemsExpected: itemsPerRun * throttled.length,
    itemsLost: throttled.reduce(
      (sum, run) => sum + (run.failure === undefined ? Math.max(0, itemsPerRun - run.itemsRead) : itemsPerRun),
      0,
    ),
    sameReminders:
      reference !== undefined &&
      reference.failure === undefined &&
      succeeded.every((run) => run.remindersDigest === reference.remindersDigest),
    ...(failure === undefined ? {} : { failure }),
  };
}
