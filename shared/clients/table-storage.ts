/**
 * Table storage as the Functions host connects to AzureWebJobsStorage: the connection string, or the
 * table service URI with the function app's own identity; and what every table of the app needs (keys
 * free of forbidden characters, status checks of failed requests).
 */
import { isRestError } from '@azure/core-rest-pipeline';
import { TableClient } from '@azure/data-tables';
import type { TableServiceClientOptions } from '@azure/data-tables';
import type { TokenCredential } from '@azure/identity';
import type { StorageConnection } from '../config/config.js';
import { isLoopbackHost } from '../http/loopback.js';

/**
 * A client of `tableName`. `identity` authenticates identity-based connections (the runtime's one
 * credential, so that Key Vault and Table storage share its token cache). Plain http is allowed for a
 * loopback endpoint only (Azurite), as the SDK otherwise refuses to send the account key over it.
 * `options` tune the client (e.g. fewer retries for writes that must not hold a run up).
 */
export function createTableClient(
  storage: StorageConnection,
  tableName: string,
  identity: TokenCredential,
  clientOptions: TableServiceClientOptions = {},
): TableClient {
  const options = { retryOptions: TABLE_RETRY, ...clientOptions };
  if (storage.kind === 'identity') {
    return new TableClient(storage.tableServiceUri, tableName, identity, options);
  }
  const client = TableClient.fromConnectionString(storage.connectionString, tableName, options);
  const endpoint = new URL(client.url);
  return endpoint.protocol === 'http:' && isLoopbackHost(endpoint.hostname)
    ? TableClient.fromConnectionString(storage.connectionString, tableName, {
        ...options,
        allowInsecureConnection: true,
      })
    : client;
}

/**
 * About 1.5 s of retries unless the caller chooses (the SDK's default is about 7 s): a longer outage is
 * for the delivery to wait out by putting the reminder back for later, not for the worker to spin through.
 */
const TABLE_RETRY = { maxRetries: 3, retryDelayInMs: 200, maxRetryDelayInMs: 2_000 } as const;

/** Characters Table storage forbids in PartitionKey and RowKey (`/`, `\`, `#`, `?`, U+0000–U+001F, U+007F–U+009F), and `%`, the escape. */
const FORBIDDEN_KEY_CHARACTERS = /[%/\\#?\p{Cc}]/gu;

/** `value` as a Table key: each forbidden character (and `%`) as `%XX`; reversible, and the identity for ordinary ids. */
export function encodeTableKey(value: string): string {
  return value.replace(
    FORBIDDEN_KEY_CHARACTERS,
    (character) => `%${character.charCodeAt(0).toString(16).toUpperCase().padStart(2, '0')}`,
  );
}

/** Whether a Table storage request failed with this HTTP status. */
export function hasStatus(error: unknown, status: number): boolean {
  return isRestError(error) && error.statusCode === status;
}
