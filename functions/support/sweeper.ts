/** How the functions run a sweep: a seam so that handlers can be tested without the network. */
import type { Logger } from '../../shared/logger.js';
import { getDaemonRuntime } from '../../shared/runtime.js';
import { runSweep } from '../../shared/sweep.js';
import type { SweepOptions, SweepResult } from '../../shared/sweep.js';

export type Sweeper = (logger: Logger, options: SweepOptions) => Promise<SweepResult>;

/** Sweeps with the process's cached clients, built from the app settings in the environment. */
export const runtimeSweeper: Sweeper = (logger, options) => {
  const { config, graph, metrics } = getDaemonRuntime(process.env);
  return runSweep({ config, graph, metrics, logger }, options);
};
