/** What every scenario gets and gives back. */
import type { BenchOptions, ScenarioName } from '../options.js';
import type { PeerSpec } from '../measure.js';
import type { Chart } from '../svg-chart.js';

export interface ScenarioContext {
  readonly options: BenchOptions;
  /** Entry point of the bundled daemon process. */
  readonly daemonScript: string;
  /** A progress line on stderr, so that long scenarios show they are alive. */
  progress(message: string): void;
}

export interface TargetCheck {
  /** One of due-notifier's targets, e.g. `due-notifier token requests ≤ 27`. */
  readonly target: string;
  /** What was measured, e.g. `24`. */
  readonly measured: string;
  readonly met: boolean;
}

export interface ScenarioResult {
  readonly name: ScenarioName;
  readonly title: string;
  /** Markdown tables, in order. */
  readonly tables: readonly string[];
  readonly targets: readonly TargetCheck[];
  /** What a reader needs to interpret the numbers. */
  readonly notes: readonly string[];
  /** The raw measurements, for the JSON report. */
  readonly data: object;
  /** Written next to the report as `<name>.svg`. */
  readonly chart?: Chart;
}

export const NAIVE: PeerSpec = { label: 'naive', peer: 'naive' };
export const GRAPH_SDK: PeerSpec = { label: 'graph-sdk', peer: 'graph-sdk' };
/** due-notifier as the timer runs it: the sweep, then the idempotency ledger's check. */
export const DUE_NOTIFIER: PeerSpec = { label: 'due-notifier', peer: 'due-notifier', ledgerCheck: true };
/** due-notifier's sweep alone (reading and deciding, default settings): what the peers are compared with. */
export const DUE_NOTIFIER_SWEEP: PeerSpec = { label: 'due-notifier sweep', peer: 'due-notifier' };
/** The sweep paging one range sequentially, as the lower bound assumes. */
export const DUE_NOTIFIER_SEQUENTIAL: PeerSpec = {
  label: 'due-notifier sweep (GRAPH_CONCURRENCY=1)',
  peer: 'due-notifier',
  settings: { GRAPH_CONCURRENCY: '1' },
};
