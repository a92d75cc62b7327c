/**
 * Measures one peer on one stack: a fresh daemon process, a first (cold) run, then warm runs in the same
 * process, and the process's peak resident memory.
 */
import { startDaemonProcess, DaemonProcessError } from './daemon-process.js';
import type { MeasuredRun } from './daemon-process.js';
import type { PeerName } from './daemon/protocol.js';
import type { BenchStack } from './stack.js';
import { median } from './statistics.js';

/** A peer as a scenario runs it: which implementation, under which label, with which extra settings. */
export interface PeerSpec {
  readonly label: string;
  readonly peer: PeerName;
  readonly settings?: Readonly<Record<string, string>>;
  /** due-notifier: check the idempotency ledger for reminders already sent, as the timer does. */
  readonly ledgerCheck?: boolean;
}

export interface PeerMeasurement {
  readonly label: string;
  readonly peer: PeerName;
  readonly settings: Readonly<Record<string, string>>;
  /** In order; the first one is the cold run (new process, empty caches). */
  readonly runs: readonly MeasuredRun[];
  /** Peak resident memory of the daemon process; NaN if it did not end normally. */
  readonly maxRssBytes: number;
  /** Set when the daemon process failed (crashed, timed out): the runs before the failure are kept. */
  readonly processFailure?: string;
}

export interface MeasurePeerOptions {
  readonly script: string;
  readonly stack: BenchStack;
  readonly spec: PeerSpec;
  /** Runs in the process, the cold one included. */
  readonly runs: number;
  readonly simulatedClock?: boolean;
  /** How far ahead of real time run `index` happens (steady state); default 0. */
  clockOffsetMs?(index: number): number;
  /** Called before run `index`; the returned function (if any) after it. */
  aroundRun?(index: number): (() => void) | undefined;
}

export async function measurePeer(options: MeasurePeerOptions): Promise<PeerMeasurement> {
  const { spec } = options;
  const runs: MeasuredRun[] = [];
  const base = { label: spec.label, peer: spec.peer, settings: spec.settings ?? {} };
  let daemon;
  try {
    daemon = await startDaemonProcess({
      script: options.script,
      stack: options.stack,
      peer: spec.peer,
      ...(spec.settings ? { settings: spec.settings } : {}),
      simulatedClock: options.simulatedClock ?? false,
      ledgerCheck: spec.ledgerCheck ?? false,
    });
    for (let index = 0; index < options.runs; index += 1) {
      const after = options.aroundRun?.(index);
      try {
        runs.push(await daemon.run(options.clockOffsetMs?.(index) ?? 0));
      } finally {
        after?.();
      }
    }
    const { maxRssBytes } = await daemon.stop();
    return { ...base, runs, maxRssBytes };
  } catch (error) {
    if (!(error instanceof DaemonProcessError)) {
      throw error;
    }
    return { ...base, runs, maxRssBytes: Number.NaN, processFailure: error.message };
  }
}

export function coldRun(measurement: PeerMeasurement): MeasuredRun | undefined {
  return measurement.runs[0];
}

/** The runs after the cold one (or the cold one if there is no other: a peer that keeps nothing between runs). */
export function warmRuns(measurement: PeerMeasurement): readonly MeasuredRun[] {
  return measurement.runs.length > 1 ? measurement.runs.slice(1) : measurement.runs;
}

/** Median wall time of the successful warm runs; NaN if none succeeded. */
export function warmMedianMs(measurement: PeerMeasurement): number {
  const times = warmRuns(measurement)
    .filter((run) => run.failure === undefined)
    .map((run) => run.wallMs);
  return times.length === 0 ? Number.NaN : median(times);
}

/** The first failure of a run or of the process, for the tables; undefined if all went well. */
export function failureOf(measurement: PeerMeasurement): string | undefined {
  const failed = measurement.runs.find((run) => run.failure !== undefined)?.failure;
  if (failed) {
    return `${failed.name}${failed.code ? ` ${failed.code}` : ''}: ${failed.message}`;
  }
  return measurement.processFailure;
}
