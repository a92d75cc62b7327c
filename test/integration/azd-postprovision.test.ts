/**
 * azd's postprovision hook on the local stack, from an empty tenant: its register step runs the real
 * `npm run register` with the arguments the hook makes (secretless: the function app's user-assigned
 * identity becomes the app's federated credential), signed in as the emulated tenant's administrator;
 * the settings it prints reach the azd environment (recorded here) and the function app (through a local
 * stand-in for ARM). The registration then works: the identity's exchange token, presented as the app's
 * client assertion, gets a Graph token with the consented application permissions. A second provision's
 * hook writes nothing, to the directory or to the app.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { ClientAssertionCredential, ManagedIdentityCredential } from '@azure/identity';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mergeFunctionAppSettings } from '../../scripts/azd/function-app-settings.js';
import { runPostprovision } from '../../scripts/azd/hook.js';
import type { HookSteps } from '../../scripts/azd/hook.js';
import { writeRequests } from '../registration/registration-support.js';
import { runCommand } from '../scripts/run-command.js';
import { ARM_CREDENTIAL, startArm } from '../support/fake-arm.js';
import type { FakeArm } from '../support/fake-arm.js';
import { useLocalStack } from '../support/stack.js';
import { useStackIdentity } from '../support/stack-tokens.js';

const stack = useLocalStack({ emptyTenant: true, azurite: false });
useStackIdentity(stack);

const SITE = {
  subscriptionId: '11111111-1111-1111-1111-111111111111',
  resourceGroup: 'rg-dev',
  appName: 'func-dn-dev',
};
let arm: FakeArm;
let scratch: string;
beforeAll(async () => {
  arm = await startArm(SITE, { NOTIFY_SCHEDULE: '0 0 7 * * *' });
  scratch = await mkdtemp(path.join(tmpdir(), 'azd-hook-'));
  await writeFile(path.join(scratch, 'no.settings.json'), JSON.stringify({ IsEncrypted: false, Values: {} }));
});
afterAll(async () => {
  await arm.close();
  await rm(scratch, { recursive: true, force: true });
});

/** The azd environment after `azd provision` (infra/main.bicep's outputs and the prompted values). */
function azdEnvironment(): Record<string, string> {
  const { settings, userAssignedIdentities } = stack();
  const identity = userAssignedIdentities[0];
  if (!identity) throw new Error('the stack has no user-assigned identity');
  return {
    AZURE_ENV_NAME: 'dev',
    AZURE_SUBSCRIPTION_ID: SITE.subscriptionId,
    AZURE_RESOURCE_GROUP: SITE.resourceGroup,
    AZURE_FUNCTION_APP_NAME: SITE.appName,
    AZURE_TENANT_ID: settings.ENTRA_TENANT_ID ?? '',
    KEY_VAULT_URL: settings.KEY_VAULT_URL ?? '',
    MANAGED_IDENTITY_CLIENT_ID: identity.clientId,
    MANAGED_IDENTITY_PRINCIPAL_ID: identity.principalId,
    OBLIGATIONS_SITE_ID: settings.OBLIGATIONS_SITE_ID ?? '',
  };
}

function hookSteps(azdValues: Map<string, string>): HookSteps {
  const { settings, operator, caCertPath } = stack();
  return {
    emptySettingsFile: path.join(scratch, 'no.settings.json'),
    runRegister: async (args) => {
      // Against the stack: its authority and Graph, its CA, and its administrator's sign-in.
      const result = await runCommand('scripts/register.ts', args, {
        env: {
          PATH: process.env.PATH,
          NODE_EXTRA_CA_CERTS: caCertPath,
          ENTRA_AUTHORITY_HOST: settings.ENTRA_AUTHORITY_HOST,
          GRAPH_BASE_URL: settings.GRAPH_BASE_URL,
          AZURE_CLIENT_ID: operator?.admin.clientId,
          AZURE_CLIENT_SECRET: operator?.admin.clientSecret,
        },
        timeoutMs: 60_000,
      });
      expect(result.stderr).not.toMatch(/^error /m);
      expect(result.code).toBe(0);
      return result.stdout;
    },
    setAzdValue: async (name, value) => {
      azdValues.set(name, value);
    },
    mergeAppSettings: (target, appSettings) =>
      mergeFunctionAppSettings(target, appSettings, { credential: ARM_CREDENTIAL, endpoint: arm.url }),
    log: () => undefined,
  };
}

describe('the postprovision hook on the local stack', () => {
  it('registers secretless, and the registration signs in with the identity alone; a rerun writes nothing', async () => {
    const azdValues = new Map<string, string>();
    const env = azdEnvironment();
    await runPostprovision(env, hookSteps(azdValues));

    const appId = azdValues.get('ENTRA_CLIENT_ID') ?? '';
    expect(appId).toMatch(/^[0-9a-f-]{36}$/);
    expect(azdValues.get('CLIENT_CREDENTIAL')).toBe('managed-identity');
    expect(azdValues.get('MANAGED_IDENTITY_CLIENT_ID')).toBe(env.MANAGED_IDENTITY_CLIENT_ID);
    expect(azdValues.has('CLIENT_SECRET_NAME')).toBe(false);
    expect(arm.settings).toMatchObject({
      NOTIFY_SCHEDULE: '0 0 7 * * *',
      ENTRA_CLIENT_ID: appId,
      CLIENT_CREDENTIAL: 'managed-identity',
      MANAGED_IDENTITY_CLIENT_ID: env.MANAGED_IDENTITY_CLIENT_ID,
    });

    // The federated credential at work: no secret anywhere.
    const identity = new ManagedIdentityCredential({ clientId: env.MANAGED_IDENTITY_CLIENT_ID });
    const app = new ClientAssertionCredential(
      env.AZURE_TENANT_ID ?? '',
      appId,
      async () => (await identity.getToken('api://AzureADTokenExchange/.default')).token,
      { authorityHost: stack().settings.ENTRA_AUTHORITY_HOST, disableInstanceDiscovery: true },
    );
    const token = await app.getToken('https://graph.microsoft.com/.default');
    const claims = JSON.parse(Buffer.from(token.token.split('.')[1] ?? '', 'base64url').toString('utf8')) as {
      roles?: string[];
      appid?: string;
    };
    expect(claims.appid).toBe(appId);
    expect(claims.roles?.sort()).toEqual(['Mail.Send', 'Sites.Read.All']);

    const writes = writeRequests(stack());
    const puts = arm.requests.filter((request) => request.method === 'PUT').length;
    await runPostprovision(env, hookSteps(new Map()));
    expect(writeRequests(stack())).toBe(writes);
    expect(arm.requests.filter((request) => request.method === 'PUT').length).toBe(puts);
  });
});
