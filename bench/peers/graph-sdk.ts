/**
 * The daemon written with the Microsoft Graph JavaScript SDK: `Client.initWithMiddleware` with its
 * default middleware chain (authentication, the default `RetryHandler`, telemetry, fetch) and a
 * `PageIterator` over the same query due-notifier sends (server-side due-date filter, `$select`, page
 * size). Tokens come from due-notifier's own provider (Key Vault credential + MSAL), created once per
 * process, so the comparison isolates the paging and retry behaviour.
 */
import type { PeerErrorCode } from './peer.js';
import { DueNotifierError } from '../../shared/base/errors.js';
import { Client, PageIterator } from '@microsoft/microsoft-graph-client';
import type { PageCollection } from '@microsoft/microsoft-graph-client';
import { DEFAULT_PAGE_SIZE } from '../../shared/clients/graph.js';
import { isRecord } from '../../shared/base/is-record.js';
import { dueDateFilterWindow } from '../../shared/reminders/rules.js';
import type { SettingsSource } from '../../shared/config/config.js';
import { getDaemonRuntime } from '../../shared/runtime.js';
import { obligationsQuery } from '../../shared/sweep/sweep.js';
import { createReminderCollector, listItemOf, silentLogger } from './peer.js';
import type { Peer } from './peer.js';

export function createGraphSdkPeer(env: SettingsSource): Peer {
  const { config, tokens } = getDaemonRuntime(env, { logger: silentLogger });
  const graphBase = new URL(config.graphBaseUrl);
  const client = Client.initWithMiddleware({
    authProvider: { getAccessToken: () => tokens.getAccessToken() },
    baseUrl: graphBase.origin,
    defaultVersion: graphBase.pathname.replace(/^\/+|\/+$/g, ''),
    // The SDK attaches the token only to Graph's hosts and to these.
    customHosts: new Set([graphBase.hostname]),
  });
  const itemsPath = `/sites/${encodeURIComponent(config.siteId)}/lists/${encodeURIComponent(config.listId)}/items`;

  return {
    async run(now) {
      const query = obligationsQuery(config, dueDateFilterWindow(config, now), { pageSize: DEFAULT_PAGE_SIZE });
      if (query.filter === undefined) {
        throw new DueNotifierError<PeerErrorCode>('PeerRequestFailed', "due-notifier's query has no $filter to send.");
      }
      const first: unknown = await client
        .api(itemsPath)
        .expand(`fields($select=${query.fields.join(',')})`)
        .filter(query.filter)
        .top(query.top ?? DEFAULT_PAGE_SIZE)
        .get();
      if (!isPageCollection(first)) {
        throw new DueNotifierError<PeerErrorCode>(
          'PeerResponseInvalid',
          'Graph answered the first page without a "value" array.',
        );
      }
      const reminders = createReminderCollector(config, now);
      const pages = new PageIterator(client, first, (item: unknown) => {
        reminders.add(listItemOf(item));
        return true;
      });
      await pages.iterate();
      return reminders.outcome();
    },
  };
}

function isPageCollection(value: unknown): value is PageCollection {
  return isRecord(value) && Array.isArray(value.value);
}
