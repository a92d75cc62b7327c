import { DefaultAzureCredential } from '@azure/identity';
import { decodeJwt } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDirectory } from '../../../emulators/entra/directory.js';
import type { Directory } from '../../../emulators/entra/directory.js';
import {
  ManagedIdentityServiceError,
  createManagedIdentityService,
  MANAGED_IDENTITY_PATH,
} from '../../../emulators/entra/managed-identity.js';
import { createTokenAuthority } from '../../../emulators/entra/tokens.js';
import type { TokenAuthority } from '../../../emulators/entra/tokens.js';
import { hostService, identityTestSeed, ids, setManagedIdentityEnvironment } from './identity-fixtures.js';
import type { HostedService } from './identity-fixtures.js';

const IDENTITY_HEADER = 'test-identity-header-value';

describe('managed identity endpoint (App Service 2019-08-01)', () => {
  let directory: Directory;
  let authority: TokenAuthority;
  let identity: HostedService;
  let endpoint: string;
  let restoreEnvironment: (() => void) | undefined;

  beforeAll(async () => {
    [directory, authority] = await Promise.all([
      createDirectory(identityTestSeed()),
      createTokenAuthority({ lifetimeSeconds: 3600 }),
    ]);
    // Plain HTTP, as App Service serves IDENTITY_ENDPOINT.
    identity = await hostService(
      createManagedIdentityService({
        directory,
        authority,
        managedIdentityClientId: ids.functionIdentity.clientId,
        identityHeader: IDENTITY_HEADER,
      }),
      { tls: false },
    );
    endpoint = `${identity.url}${MANAGED_IDENTITY_PATH}`;
    restoreEnvironment = setManagedIdentityEnvironment(endpoint, IDENTITY_HEADER);
  });

  afterAll(async () => {
    restoreEnvironment?.();
    await identity.close();
  });

  async function requestToken(
    query: Record<string, string>,
    headers: Record<string, string> = { 'x-identity-header': IDENTITY_HEADER },
  ) {
    const response = await fetch(`${endpoint}?${new URLSearchParams(query).toString()}`, { headers });
    return { status: response.status, body: (await response.json()) as Record<string, unknown> };
  }

  it('gives DefaultAzureCredential a Key Vault token for the function app identity', async () => {
    const before = identity.counters.get('identity.token');
    const credential = new DefaultAzureCredential();

    const token = await credential.getToken('https://vault.azure.net/.default');

    expect(decodeJwt(token.token)).toMatchObject({
      aud: 'https://vault.azure.net',
      appid: ids.functionIdentity.clientId,
      oid: ids.functionIdentity.principalId,
      tid: ids.tenant,
      idtyp: 'app',
    });
    expect(token.expiresOnTimestamp).toBeGreaterThan(Date.now() + 3500_000);
    expect((await authority.verify(token.token, ['https://vault.azure.net'])).ok).toBe(true);
    expect(identity.counters.get('identity.token') - before).toBe(1);
  });

  it('answers in the App Service shape, expires_on in epoch seconds as a string', async () => {
    const { status, body } = await requestToken({
      'api-version': '2019-08-01',
      resource: 'https://graph.microsoft.com',
    });
    expect(status).toBe(200);
    expect(body).toMatchObject({
      resource: 'https://graph.microsoft.com',
      token_type: 'Bearer',
      client_id: ids.functionIdentity.clientId,
    });
    expect(body.expires_on).toMatch(/^\d{10}$/);
    expect(decodeJwt(String(body.access_token)).exp).toBe(Number(body.expires_on));
  });

  it('accepts the assigned identity named by client_id, object_id, principal_id or mi_res_id', async () => {
    const base = { 'api-version': '2019-08-01', resource: 'https://vault.azure.net' };
    const selectors: Record<string, string>[] = [
      { client_id: ids.functionIdentity.clientId },
      { object_id: ids.functionIdentity.principalId },
      { principal_id: ids.functionIdentity.principalId },
      {
        mi_res_id:
          '/subscriptions/0/resourceGroups/rg/providers/Microsoft.ManagedIdentity/userAssignedIdentities/func-due-notifier',
      },
    ];
    for (const selector of selectors) {
      const { status, body } = await requestToken({ ...base, ...selector });
      expect(status, JSON.stringify(selector)).toBe(200);
      expect(decodeJwt(String(body.access_token)).oid).toBe(ids.functionIdentity.principalId);
    }
  });

  it('refuses an identity not assigned to the app', async () => {
    const { status, body } = await requestToken({
      'api-version': '2019-08-01',
      resource: 'https://vault.azure.net',
      client_id: ids.otherIdentity.clientId,
    });
    expect(status).toBe(400);
    expect(body).toMatchObject({ statusCode: 400, message: 'Unable to load the proper Managed Identity.' });
  });

  it('checks the X-IDENTITY-HEADER: 400 when missing, 401 when wrong', async () => {
    const query = { 'api-version': '2019-08-01', resource: 'https://vault.azure.net' };
    expect((await requestToken(query, {})).status).toBe(400);
    const wrong = await requestToken(query, { 'x-identity-header': 'guess' });
    expect(wrong.status).toBe(401);
    expect(wrong.body).toMatchObject({ statusCode: 401 });
  });

  it('rejects a missing or other api-version and a missing resource with 400', async () => {
    expect((await requestToken({ resource: 'https://vault.azure.net' })).status).toBe(400);
    expect((await requestToken({ 'api-version': '2017-09-01', resource: 'https://vault.azure.net' })).status).toBe(400);
    expect((await requestToken({ 'api-version': '2019-08-01' })).status).toBe(400);
  });

  it('passes an unknown resource through as Entra ID rejects it (AADSTS500011)', async () => {
    const { status, body } = await requestToken({
      'api-version': '2019-08-01',
      resource: 'https://management.azure.com',
    });
    expect(status).toBe(400);
    expect(body).toMatchObject({ error: 'invalid_resource', error_codes: [500011] });
  });

  it('refuses to start for an identity the directory does not have', () => {
    expect(() =>
      createManagedIdentityService({
        directory,
        authority,
        managedIdentityClientId: ids.daemon.clientId,
        identityHeader: IDENTITY_HEADER,
      }),
    ).toThrow(ManagedIdentityServiceError);
  });
});
