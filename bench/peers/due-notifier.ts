/**
 * due-notifier itself: the sweep the functions run, on the process's long-lived clients
 * (`shared/runtime.ts`: cached Key Vault credential, one MSAL application, the Graph client).
 */
import { getDaemonRuntime } from '../../shared/runtime.js';
import type { Environment } from '../../shared/runtime.js';
import { runSweep } from '../../shared/sweep.js';
import { silentLogger } from './peer.js';
import type { Peer } from './peer.js';

export function createDueNotifierPeer(env: Environment): Peer {
  return {
    async run(now) {
      const { config, graph, metrics } = getDaemonRuntime(env, { logger: silentLogger });
      const result = await runSweep({ config, graph, metrics, logger: silentLogger }, { now });
      return { itemsRead: result.summary.itemsRead, reminderIds: result.reminders.map((reminder) => reminder.id) };
    },
  };
}
