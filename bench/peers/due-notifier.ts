/**
 * due-notifier itself: the sweep on the process's runtime (`shared/runtime.ts`: cached Key Vault
 * credential, one MSAL application, the Graph client, the ledger). With `ledgerCheck` it is the sweep exactly
 * as the timer runs it (`functions/support/sweeper.ts`): reminders the idempotency ledger records as
 * sent are left out. That check is Table storage work, not Graph work, so it is timed on its own.
 */
import { findSentReminderIds } from '../../shared/delivery/ledger/index.js';
import type { ReminderMessage } from '../../shared/reminders/rules.js';
import type { SettingsSource } from '../../shared/config/config.js';
import { getDaemonRuntime } from '../../shared/runtime.js';
import { runSweep } from '../../shared/sweep/sweep.js';
import type { SweepDependencies } from '../../shared/sweep/sweep.js';
import { silentLogger } from './peer.js';
import type { Peer } from './peer.js';

export interface DueNotifierPeerOptions {
  readonly ledgerCheck: boolean;
}

export function createDueNotifierPeer(env: SettingsSource, options: DueNotifierPeerOptions): Peer {
  return {
    async run(now) {
      const { config, graph, metrics, ledger } = getDaemonRuntime(env, { logger: silentLogger });
      const deps: SweepDependencies = { config, graph, metrics, logger: silentLogger };
      if (!options.ledgerCheck) {
        const result = await runSweep(deps, { now });
        return { itemsRead: result.summary.itemsRead, reminderIds: result.reminders.map((reminder) => reminder.id) };
      }
      let ledgerMs = 0;
      const findSent = async (
        reminders: readonly ReminderMessage[],
        abortSignal?: AbortSignal,
      ): Promise<ReadonlySet<string>> => {
        const started = performance.now();
        try {
          return await findSentReminderIds(ledger, reminders, abortSignal ? { abortSignal } : {});
        } finally {
          ledgerMs += performance.now() - started;
        }
      };
      const result = await runSweep({ ...deps, findSent }, { now });
      return {
        itemsRead: result.summary.itemsRead,
        reminderIds: result.reminders.map((reminder) => reminder.id),
        ledgerMs,
      };
    },
  };
}
