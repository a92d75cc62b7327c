import { DefaultAzureCredential } from '@azure/identity';
import { describe, expect, it } from 'vitest';
import { createTableClient } from '../../../shared/clients/table-storage.js';

const ACCOUNT_KEY = Buffer.from('not a real key, but base64 like one').toString('base64');

describe('createTableClient', () => {
  it('uses the table service URI with the app identity for identity-based connections', () => {
    const client = createTableClient(
      {
        kind: 'identity',
        queueServiceUri: 'https://contoso.queue.core.windows.net',
        tableServiceUri: 'https://contoso.table.core.windows.net',
      },
      'reminderledger',
      new DefaultAzureCredential(),
    );
    expect(client.url).toBe('https://contoso.table.core.windows.net');
    expect(client.tableName).toBe('reminderledger');
  });

  it('allows plain http for a loopback endpoint (Azurite) only', async () => {
    const local = createTableClient(
      { kind: 'connectionString', connectionString: 'UseDevelopmentStorage=true' },
      'reminderledger',
      new DefaultAzureCredential(),
    );
    expect(local.url).toBe('http://127.0.0.1:10002/devstoreaccount1');

    const remote = createTableClient(
      {
        kind: 'connectionString',
        connectionString: `DefaultEndpointsProtocol=http;AccountName=contoso;AccountKey=${ACCOUNT_KEY};TableEndpoint=http://contoso.example`,
      },
      'reminderledger',
      new DefaultAzureCredential(),
    );
    // The SDK refuses before sending anything: the account key never goes over plain http.
    await expect(remote.createTable()).rejects.toThrow(/allowInsecureConnection is false/);
  });
});
