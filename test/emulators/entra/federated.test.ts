/**
 * Workload identity federation on the local stack: the managed-identity endpoint serves the function
 * app's user-assigned identity by client_id with a v2.0 token for api://AzureADTokenExchange, and the
 * token endpoint accepts it as client assertion only where a federated identity credential of the app
 * matches issuer, subject and audience exactly, answering each mismatch with Entra ID's AADSTS code.
 */
import { decodeJwt } from 'jose';
import { beforeAll, describe, expect, it } from 'vitest';
import { CLIENT_ASSERTION_TYPE } from '../../../emulators/entra/client-assertion.js';
import { operatorGraphOk } from '../../support/operator-graph.js';
import { useLocalStack } from '../../support/stack.js';

const stack = useLocalStack({ azurite: false, emptyTenant: true });
const EXCHANGE = 'api://AzureADTokenExchange';

let appId = '';
let applicationId = '';

function identity() {
  const [first] = stack().userAssignedIdentities;
  if (!first) throw new Error('no user-assigned identity in the seed');
  return first;
}

async function identityToken(
  query: Record<string, string>,
): Promise<{ status: number; body: Record<string, unknown> }> {
  const url = new URL(stack().urls.identity);
  for (const [name, value] of Object.entries({ 'api-version': '2019-08-01', ...query }))
    url.searchParams.set(name, value);
  const response = await fetch(url, { headers: { 'x-identity-header': stack().settings.IDENTITY_HEADER ?? '' } });
  return { status: response.status, body: (await response.json()) as Record<string, unknown> };
}

async function exchange(assertion: string): Promise<{ status: number; body: Record<string, unknown> }> {
  const response = await fetch(`${stack().urls.entra}/${stack().seed.daemon.tenantId}/oauth2/v2.0/token`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({
      grant_type: 'client_credentials',
      client_id: appId,
      scope: 'https://graph.microsoft.com/.default',
      client_assertion_type: CLIENT_ASSERTION_TYPE,
      client_assertion: assertion,
    }),
  });
  return { status: response.status, body: (await response.json()) as Record<string, unknown> };
}

async function setCredential(credential: Record<string, unknown>): Promise<void> {
  const path = `/applications/${applicationId}/federatedIdentityCredentials`;
  const existing = (await operatorGraphOk(stack(), 'GET', path)).value as { id: string }[];
  for (const { id } of existing) await operatorGraphOk(stack(), 'DELETE', `${path}/${id}`);
  await operatorGraphOk(stack(), 'POST', path, { name: 'function-app', audiences: [EXCHANGE], ...credential });
}

beforeAll(async () => {
  const application = await operatorGraphOk(stack(), 'POST', '/applications', { displayName: 'fic' });
  applicationId = String(application.id);
  appId = String(application.appId);
  await operatorGraphOk(stack(), 'POST', '/servicePrincipals', { appId });
});

describe('federated identity credentials', () => {
  it('the identity endpoint issues the user-assigned identity a v2.0 token for api://AzureADTokenExchange', async () => {
    const { status, body } = await identityToken({ resource: EXCHANGE, client_id: identity().clientId });
    expect(status).toBe(200);
    expect(decodeJwt(String(body.access_token))).toMatchObject({
      aud: EXCHANGE,
      iss: `${stack().urls.entra}/${stack().seed.daemon.tenantId}/v2.0`,
      sub: identity().principalId,
      azp: identity().clientId,
      ver: '2.0',
    });
    expect((await identityToken({ resource: EXCHANGE, client_id: appId })).status).toBe(400);
  });

  it('accepts the token only for an exactly matching credential, with the AADSTS code of each mismatch', async () => {
    const { body } = await identityToken({ resource: EXCHANGE, client_id: identity().clientId });
    const assertion = String(body.access_token);
    const issuer = `${stack().urls.entra}/${stack().seed.daemon.tenantId}/v2.0`;
    const codeOf = async () => ((await exchange(assertion)).body.error_codes as number[] | undefined)?.[0];

    expect(await codeOf()).toBe(70021);
    await setCredential({ issuer: `${issuer}/`, subject: identity().principalId });
    expect(await codeOf()).toBe(700211);
    await setCredential({ issuer, subject: identity().clientId });
    expect(await codeOf()).toBe(700213);
    await setCredential({ issuer, subject: identity().principalId.toUpperCase() });
    expect(await codeOf()).toBe(7002138);
    await setCredential({ issuer, subject: identity().principalId, audiences: ['api://other'] });
    expect(await codeOf()).toBe(700212);

    await setCredential({ issuer, subject: identity().principalId });
    const accepted = await exchange(assertion);
    expect(accepted.status).toBe(200);
    expect(decodeJwt(String(accepted.body.access_token))).toMatchObject({
      appid: appId,
      aud: 'https://graph.microsoft.com',
    });
    const forged = `${assertion.slice(0, assertion.lastIndexOf('.'))}.${Buffer.from('forged').toString('base64url')}`;
    expect((await exchange(forged)).body.error_codes).toEqual([50027]);
  });

  it('starts the empty tenant without the daemon: no app, no vault credential, a placeholder client id', async () => {
    const { daemon } = stack().seed;
    expect(stack().directory.findApplication(daemon.tenantId, daemon.clientId)).toBeUndefined();
    expect(stack().keyVault.getLatest(daemon.keyVaultSecretName)).toBeUndefined();
    expect(stack().settings.ENTRA_CLIENT_ID).toMatch(/^<.*>$/);
    expect(stack().operator?.admin.clientId).toBeTruthy();
  });
});
