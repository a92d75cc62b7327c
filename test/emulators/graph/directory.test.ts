/**
 * The Graph emulator's directory endpoints on the local stack with an empty tenant, driven the way
 * `npm run register` drives them: the operator signs in with @azure/identity's ClientSecretCredential,
 * creates the app, its service principal, consent and a secret, and the Entra ID emulator honours each
 * step (roles in the token, the secret accepted, a removed secret refused with AADSTS7000215).
 */
import { ClientSecretCredential } from '@azure/identity';
import { ConfidentialClientApplication } from '@azure/msal-node';
import { decodeJwt } from 'jose';
import { describe, expect, it } from 'vitest';
import { GRAPH_APP_ID } from '../../../emulators/entra/first-party-apps.js';
import { useLocalStack } from '../../support/stack.js';

const stack = useLocalStack({ azurite: false, emptyTenant: true });

type Json = Record<string, unknown>;

async function operatorToken(who: 'admin' | 'nonAdmin' = 'admin'): Promise<string> {
  const operator = stack().operator;
  const signIn = operator?.[who];
  if (!operator || !signIn) throw new Error('the seed names no operator');
  const credential = new ClientSecretCredential(operator.tenantId, signIn.clientId, signIn.clientSecret, {
    authorityHost: operator.authorityHost,
    disableInstanceDiscovery: true,
  });
  const token = await credential.getToken('https://graph.microsoft.com/.default');
  return token.token;
}

async function graph(
  method: string,
  path: string,
  options: { body?: unknown; token?: string; headers?: Record<string, string> } = {},
): Promise<{ status: number; body: Json }> {
  const response = await fetch(`${stack().urls.graph}/v1.0${path}`, {
    method,
    headers: {
      authorization: `Bearer ${options.token ?? (await operatorToken())}`,
      'content-type': 'application/json',
      ...options.headers,
    },
    ...(options.body === undefined ? {} : { body: JSON.stringify(options.body) }),
  });
  const text = await response.text();
  return { status: response.status, body: text === '' ? {} : (JSON.parse(text) as Json) };
}

function msalToken(clientId: string, clientSecret: string) {
  const app = new ConfidentialClientApplication({
    auth: {
      clientId,
      clientSecret,
      authority: `${stack().urls.entra}/${stack().seed.daemon.tenantId}`,
      knownAuthorities: [new URL(stack().urls.entra).host],
    },
  });
  return app.acquireTokenByClientCredential({ scopes: ['https://graph.microsoft.com/.default'] });
}

describe('Graph directory endpoints', () => {
  it('registers an app, its service principal, consent and a secret that the token endpoint honours', async () => {
    const graphSp = await graph('GET', `/servicePrincipals?$filter=appId eq '${GRAPH_APP_ID}'`);
    expect(graphSp.status).toBe(200);
    const [resource] = graphSp.body.value as Json[];
    const roles = resource?.appRoles as { id: string; value: string }[];
    const roleId = (value: string) => roles.find((role) => role.value === value)?.id ?? '';
    expect(roleId('Sites.Read.All')).toBe('332a536c-c7ef-4017-ab91-336970924f0d');
    expect(roleId('Sites.Selected')).toBe('883ea226-0bf2-4a8f-9f9d-92c9162a727d');
    expect(roleId('Mail.Send')).toBe('b633e1c5-b582-4048-a93e-9f11b44c7e96');

    const created = await graph('PATCH', "/applications(uniqueName='due-notifier')", {
      headers: { prefer: 'create-if-missing' },
      body: {
        displayName: 'due-notifier',
        signInAudience: 'AzureADMyOrg',
        requiredResourceAccess: [
          {
            resourceAppId: GRAPH_APP_ID,
            resourceAccess: [
              { id: roleId('Sites.Read.All'), type: 'Role' },
              { id: roleId('Mail.Send'), type: 'Role' },
            ],
          },
        ],
      },
    });
    expect(created.status).toBe(201);
    const application = created.body;
    expect(application).toMatchObject({ uniqueName: 'due-notifier', signInAudience: 'AzureADMyOrg' });
    const again = await graph('PATCH', "/applications(uniqueName='due-notifier')", {
      headers: { prefer: 'create-if-missing' },
      body: { displayName: 'due-notifier' },
    });
    expect(again.status).toBe(204);
    const found = await graph('GET', `/applications?$filter=uniqueName eq 'due-notifier'`);
    expect((found.body.value as Json[]).map((item) => item.id)).toEqual([application.id]);

    const appId = String(application.appId);
    const password = await graph('POST', `/applications/${String(application.id)}/addPassword`, {
      body: { passwordCredential: { displayName: 'due-notifier', endDateTime: '2099-01-01T00:00:00Z' } },
    });
    expect(password.status).toBe(200);
    const secretText = String(password.body.secretText);
    expect(password.body.hint).toBe(secretText.slice(0, 3));
    const listed = await graph('GET', `/applications/${String(application.id)}`);
    expect((listed.body.passwordCredentials as Json[])[0]).toMatchObject({ secretText: null });

    // Without a service principal the app cannot get a token (AADSTS7000229).
    await expect(msalToken(appId, secretText)).rejects.toMatchObject({ errorCode: 'invalid_client' });

    const sp = await graph('POST', '/servicePrincipals', { body: { appId } });
    expect(sp.status).toBe(201);
    const duplicate = await graph('POST', '/servicePrincipals', { body: { appId } });
    expect(duplicate.status).toBe(409);

    const unconsented = await msalToken(appId, secretText);
    expect(decodeJwt(unconsented?.accessToken ?? '').roles).toBeUndefined();

    for (const value of ['Sites.Read.All', 'Mail.Send']) {
      const assignment = await graph('POST', `/servicePrincipals/${String(resource?.id)}/appRoleAssignedTo`, {
        body: { principalId: sp.body.id, resourceId: resource?.id, appRoleId: roleId(value) },
      });
      expect(assignment.status).toBe(201);
    }
    const twice = await graph('POST', `/servicePrincipals/${String(resource?.id)}/appRoleAssignedTo`, {
      body: { principalId: sp.body.id, resourceId: resource?.id, appRoleId: roleId('Mail.Send') },
    });
    expect(twice).toMatchObject({ status: 400, body: { error: { code: 'Request_BadRequest' } } });

    const consented = await msalToken(appId, secretText);
    expect(decodeJwt(consented?.accessToken ?? '').roles).toEqual(['Sites.Read.All', 'Mail.Send']);

    const keyId = String(password.body.keyId);
    const removed = await graph('POST', `/applications/${String(application.id)}/removePassword`, { body: { keyId } });
    expect(removed.status).toBe(204);
    const refused = msalToken(appId, secretText);
    await expect(refused).rejects.toMatchObject({ errorCode: 'invalid_client' });
    expect(String(await refused.catch((error: { errorNo?: unknown }) => error.errorNo))).toBe('7000215');
  });

  it('refuses a caller without Application.ReadWrite.All with 403 Authorization_RequestDenied', async () => {
    const token = await operatorToken('nonAdmin');
    const refused = await graph('POST', '/applications', { token, body: { displayName: 'x' } });
    expect(refused).toMatchObject({
      status: 403,
      body: {
        error: { code: 'Authorization_RequestDenied', message: 'Insufficient privileges to complete the operation.' },
      },
    });
  });

  it('answers bad values with 400 Request_BadRequest and unknown objects with 404 Request_ResourceNotFound', async () => {
    expect(
      await graph('POST', '/applications', { body: { displayName: 'x', signInAudience: 'Everyone' } }),
    ).toMatchObject({
      status: 400,
      body: { error: { code: 'Request_BadRequest' } },
    });
    expect(await graph('POST', '/applications', { body: { displayName: 'x', colour: 'red' } })).toMatchObject({
      status: 400,
      body: { error: { code: 'Request_BadRequest' } },
    });
    expect(await graph('GET', '/applications/00000000-0000-0000-0000-000000000000')).toMatchObject({
      status: 404,
      body: { error: { code: 'Request_ResourceNotFound' } },
    });
  });

  it('keeps federated identity credentials, names unique', async () => {
    const { body: application } = await graph('POST', '/applications', { body: { displayName: 'fic' } });
    const path = `/applications/${String(application.id)}/federatedIdentityCredentials`;
    const credential = {
      name: 'function-app',
      issuer: `${stack().urls.entra}/${stack().seed.daemon.tenantId}/v2.0`,
      subject: stack().userAssignedIdentities[0]?.principalId,
      audiences: ['api://AzureADTokenExchange'],
    };
    expect((await graph('POST', path, { body: credential })).status).toBe(201);
    expect(await graph('POST', path, { body: credential })).toMatchObject({
      status: 409,
      body: { error: { code: 'Request_MultipleObjectsWithSameKeyValue' } },
    });
    expect(await graph('POST', path, { body: { ...credential, name: 'two', audiences: [] } })).toMatchObject({
      status: 400,
    });
    expect((await graph('GET', path)).body.value).toEqual([expect.objectContaining(credential)]);
  });
});
