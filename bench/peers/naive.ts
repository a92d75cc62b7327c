/**
 * The daemon as the quickstart samples write it, typed: on every run a new Key Vault client reads the
 * client secret, a new `ConfidentialClientApplication` (so an empty token cache, and OpenID discovery
 * again) gets a token, and every item of the list is fetched — no `$filter`, no `$select`, Graph's
 * default page size — into one array that is filtered in memory.
 *
 * Two concessions to the local stack, which a sample pointed at Azure does not need: the vault's
 * challenge names no `*.vault.azure.net` resource (`disableChallengeResourceVerification`), and the
 * authority host is not a Microsoft one (`knownAuthorities`).
 */
import type { PeerErrorCode } from './peer.js';
import { DueNotifierError } from '../../shared/base/errors.js';
import { DefaultAzureCredential } from '@azure/identity';
import { SecretClient } from '@azure/keyvault-secrets';
import { ConfidentialClientApplication } from '@azure/msal-node';
import { loadConfig } from '../../shared/config/config.js';
import type { SettingsSource } from '../../shared/config/config.js';
import { createReminderCollector, listItemOf } from './peer.js';
import type { Peer } from './peer.js';

interface GraphPage {
  readonly value: readonly unknown[];
  readonly '@odata.nextLink'?: string;
}

export function createNaivePeer(env: SettingsSource): Peer {
  const config = loadConfig(env);
  const vaultUrl = config.keyVaultUrl;
  if (config.credential.kind !== 'secret' || vaultUrl === undefined) {
    throw new DueNotifierError<PeerErrorCode>(
      'PeerRequestFailed',
      'The naive peer reads a client secret (CLIENT_SECRET_NAME), as the samples do.',
    );
  }
  const secretName = config.credential.secretName;
  const authorityHost = new URL(config.authorityHost);

  return {
    async run(now) {
      const secretClient = new SecretClient(vaultUrl, new DefaultAzureCredential(), {
        disableChallengeResourceVerification: true,
      });
      const secret = await secretClient.getSecret(secretName);
      if (secret.value === undefined) {
        throw new DueNotifierError<PeerErrorCode>(
          'PeerResponseInvalid',
          `Key Vault returned secret '${secretName}' without a value.`,
        );
      }

      const app = new ConfidentialClientApplication({
        auth: {
          clientId: config.clientId,
          authority: `${authorityHost.origin}/${config.tenantId}`,
          clientSecret: secret.value,
          knownAuthorities: [authorityHost.host],
        },
      });
      const token = await app.acquireTokenByClientCredential({ scopes: ['https://graph.microsoft.com/.default'] });
      if (!token?.accessToken) {
        throw new DueNotifierError<PeerErrorCode>('PeerRequestFailed', 'Entra ID returned no access token.');
      }

      const items: unknown[] = [];
      let url: string | undefined =
        `${config.graphBaseUrl}/sites/${config.siteId}/lists/${config.listId}/items?$expand=fields`;
      while (url !== undefined) {
        const response = await fetch(url, { headers: { Authorization: `Bearer ${token.accessToken}` } });
        if (!response.ok) {
          throw new DueNotifierError<PeerErrorCode>(
            'PeerRequestFailed',
            `Graph answered ${response.status} ${response.statusText}.`,
          );
        }
        const page = (await response.json()) as GraphPage;
        items.push(...page.value);
        url = page['@odata.nextLink'];
      }

      const reminders = createReminderCollector(config, now);
      for (const item of items) {
        reminders.add(listItemOf(item));
      }
      return reminders.outcome();
    },
  };
}
