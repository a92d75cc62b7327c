/** How the functions run a sweep: a seam so that handlers can be tested without the network. */
import type { Logger } from '../../shared/base/logger.js';
import type { ReminderMessage } from '../../shared/reminders/rules.js';
import type { SweepOptions, SweepResult } from '../../shared/sweep/sweep.js';

export type Sweeper = (logger: Logger, options: SweepOptions) => Promise<SweepResult>;

/**
 * Sweeps with the process's cached clients, built from the app settings in the environment; reminders
 * the ledger records as sent are left out. The runtime (and the SDKs behind it: MSAL, Azure Identity,
 * Key Vault, Tables) loads at the first run, not when the host loads the app: most of the cold start.
 */
export const runtimeSweeper: Sweeper = async (logger, options) => {
  const [{ getDaemonRuntime }, { getReminderLedger }, { findSentReminderIds }, { runSweep }] = await Promise.all([
    import('../../shared/runtime.js'),
    import('../../shared/delivery-runtime.js'),
    import('../../shared/delivery/ledger/index.js'),
    import('../../shared/sweep/sweep.js'),
  ]);
  const { config, graph, metrics } = getDaemonRuntime(process.env);
  const ledger = getReminderLedger(config);
  const findSent = (reminders: readonly ReminderMessage[], abortSignal?: AbortSignal) =>
    findSentReminderIds(ledger, reminders, abortSignal ? { abortSignal } : {});
  return runSweep({ config, graph, metrics, logger, findSent }, options);
};
