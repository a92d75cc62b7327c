/**
 * How the run history functions reach the history: a seam so that their handlers can be tested without
 * the network. The runtime (and Table storage's SDK behind it) loads at the first call, not when the
 * host loads the app (cold start).
 */
import type { Logger } from '../../shared/base/logger.js';
import type { ListRunsOptions, RunDetails, RunPage, RunTrigger } from '../../shared/history/index.js';
import type { SweepResult } from '../../shared/sweep/sweep.js';

export interface HistoryAccess {
  list(options: ListRunsOptions): Promise<RunPage>;
  /** Undefined: no run with this id. */
  get(runId: string): Promise<RunDetails | undefined>;
  /** Runs the failed run `failedRunId` again as run `run.runId` (HistoryError RunNotFound / RunNotFailed). */
  resubmit(
    logger: Logger,
    failedRunId: string,
    run: { readonly runId: string; readonly trigger: RunTrigger },
  ): Promise<SweepResult & { readonly dryRun: boolean }>;
}

export const runtimeHistory: HistoryAccess = {
  async list(options) {
    const runtime = await import('../../shared/runtime.js');
    return runtime.listRuns(runtime.getDaemonRuntime(process.env).history, options);
  },
  async get(runId) {
    const runtime = await import('../../shared/runtime.js');
    return runtime.getRun(runtime.getDaemonRuntime(process.env).history, runId);
  },
  async resubmit(logger, failedRunId, run) {
    const { resubmitWithRuntime } = await import('../../shared/runtime.js');
    return resubmitWithRuntime(logger, failedRunId, run);
  },
};
