/**
 * The storage connection: `AzureWebJobsStorage` (a connection string) or, identity-based,
 * `AzureWebJobsStorage__queueServiceUri` (+ `__tableServiceUri`) or `AzureWebJobsStorage__accountName`,
 * in that order of precedence, as the Functions host resolves them. Settings of lower precedence are
 * not read once one of higher precedence is set.
 */
import type { Problems } from './problems.js';
import { SETTING_SCHEMA } from './schema.js';
import type { StorageConnection } from './types.js';

export function readStorageConnection(problems: Problems): StorageConnection | undefined {
  const { storage, storageQueueServiceUri, storageTableServiceUri, storageAccountName } = SETTING_SCHEMA;
  const connectionText = problems.text(storage);
  if (connectionText !== undefined) {
    const connectionString = problems.parse(storage, connectionText);
    return connectionString === undefined ? undefined : { kind: 'connectionString', connectionString };
  }
  const queueText = problems.text(storageQueueServiceUri);
  if (queueText !== undefined) {
    const queueServiceUri = problems.parse(storageQueueServiceUri, queueText);
    // The ledger is a table: with service URIs, the table service's must be given too.
    const tableServiceUri = problems.required(storageTableServiceUri);
    return queueServiceUri === undefined || tableServiceUri === undefined
      ? undefined
      : { kind: 'identity', queueServiceUri, tableServiceUri };
  }
  const tableText = problems.text(storageTableServiceUri);
  const tableServiceUri = tableText === undefined ? undefined : problems.parse(storageTableServiceUri, tableText);
  const accountText = problems.text(storageAccountName);
  if (accountText !== undefined) {
    const account = problems.parse(storageAccountName, accountText);
    return account === undefined
      ? undefined
      : {
          kind: 'identity',
          queueServiceUri: `https://${account}.queue.core.windows.net`,
          tableServiceUri: tableServiceUri ?? `https://${account}.table.core.windows.net`,
        };
  }
  return problems.add({
    setting: storage.name,
    message: `${storage.name} is required: set it to ${storage.rule.expected}, or connect with the app's identity through ${storageQueueServiceUri.name} or ${storageAccountName.name}`,
  });
}
