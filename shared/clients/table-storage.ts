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
    return new TableClient(storage.tableServiceUri, tableName, identity);
  }
  const client = TableClient.fromConnectionString(storage.connectionString, tableName);
  const endpoint = new URL(client.url);
  return endpoint.protocol === 'http:' && isLoopbackHost(endpoint.hostname)
    ? TableClient.fromConnectionString(storage.connectionString, tableName, { allowInsecureConnection: true })
    : client;
}
