/** How the functions run a sweep: a seam so that handlers can be tested without the network. */
import { getReminderLedger } from '../../shared/delivery-runtime.js';
import { findSentReminderIds } from '../../shared/ledger.js';
import type { Logger } from '../../shared/logger.js';
import type { ReminderMessage } from '../../shared/reminders.js';
import { getDaemonRuntime } from '../../shared/runtime.js';
import { runSweep } from '../../shared/sweep.js';
import type { SweepOptions, SweepResult } from '../../shared/sweep.js';

export type Sweeper = (logger: Logger, options: SweepOptions) => Promise<SweepResult>;

/**
 * Sweeps with the process's cached clients, built from the app settings in the environment; reminders
 * the ledger records as sent are left out.
 */
export const runtimeSweeper: Sweeper = (logger, options) => {
  const { config, graph, metrics } = getDaemonRuntime(process.env);
  const ledger = getReminderLedger(config);
  const findSent = (reminders: readonly ReminderMessage[], abortSignal?: AbortSignal) =>
    findSentReminderIds(ledger, reminders, abortSignal ? { abortSignal } : {});
  return runSweep({ config, graph, metrics, logger, findSent }, options);
};
