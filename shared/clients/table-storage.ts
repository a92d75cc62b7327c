/**
 * Table storage as the Functions host connects to AzureWebJobsStorage: the connection string, or the
 * table service URI with the function app's own identity.
 */
import { TableClient } from '@azure/data-tables';
import type { TokenCredential } from '@azure/identity';
import type { StorageConnection } from '../config/config.js';
import { isLoopbackHost } from '../http/loopback.js';

/**
 * A client of `tableName`. `identity` authenticates identity-based connections (the runtime's one
 * credential, so that Key Vault and Table storage share its token cache). Plain http is allowed for a
 * loopback endpoint only (Azurite), as the SDK otherwise refuses to send the account key over it.
 */
export function createTableClient(
  storage: StorageConnection,
  tableName: string,
  identity: TokenCredential,
): TableClient {
  if (storage.kind === 'identity') {
    return new TableClient(storage.tableServiceUri, tableName, identity, { retryOptions: TABLE_RETRY });
  }
  const client = TableClient.fromConnectionString(storage.connectionString, tableName, { retryOptions: TABLE_RETRY });
  const endpoint = new URL(client.url);
  return endpoint.protocol === 'http:' && isLoopbackHost(endpoint.hostname)
    ? TableClient.fromConnectionString(storage.connectionString, tableName, {
        allowInsecureConnection: true,
        retryOptions: TABLE_RETRY,
      })
    : client;
}

/**
 * About 1.5 s of retries (the SDK's default is about 7 s): a longer outage is for the delivery to wait
 * out by putting the reminder back for later, not for the worker to spin through.
 */
const TABLE_RETRY = { maxRetries: 3, retryDelayInMs: 200, maxRetryDelayInMs: 2_000 } as const;
