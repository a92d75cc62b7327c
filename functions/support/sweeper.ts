/** How the functions run a sweep: a seam so that handlers can be tested without the network. */
import type { Logger } from '../../shared/base/logger.js';
import type { RecordedRunOptions } from '../../shared/history/index.js';
import type { SweepOptions, SweepResult } from '../../shared/sweep/sweep.js';

/** A sweep and how it is recorded in the run history (its trigger, the failed run it re-runs). */
export type Sweeper = (logger: Logger, options: SweepOptions & RecordedRunOptions) => Promise<SweepResult>;

/**
 * Sweeps with the process's runtime, built from the app settings in the environment; reminders the
 * ledger records as sent are left out, and the run is recorded in the run history. The runtime (and the SDKs behind it: MSAL, Azure Identity, Key
 * Vault, Tables) loads at the first run, not when the host loads the app: most of the cold start.
 */
export const runtimeSweeper: Sweeper = async (logger, options) => {
  const { sweepWithRuntime } = await import('../../shared/runtime.js');
  return sweepWithRuntime(logger, options);
};
