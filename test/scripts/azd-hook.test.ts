/**
 * azd's postprovision hook (scripts/azd/): the register command line the azd environment calls for,
 * reading the settings it prints, and writing them into the azd environment and into the function app
 * through Azure Resource Manager (here a local HTTPS server that answers as ARM's app settings API does).
 */
import { afterEach, describe, expect, it } from 'vitest';
import { mergeFunctionAppSettings } from '../../scripts/azd/function-app-settings.js';
import { runPostprovision } from '../../scripts/azd/hook.js';
import type { HookSteps } from '../../scripts/azd/hook.js';
import { parseRegisterSettings, readHookEnvironment, registerArguments } from '../../scripts/azd/register-step.js';
import { ARM_CREDENTIAL, startArm } from '../support/fake-arm.js';
import type { FakeArm } from '../support/fake-arm.js';
import { runCommand } from './run-command.js';

const AZD_ENV = {
  AZURE_ENV_NAME: 'prod',
  AZURE_SUBSCRIPTION_ID: '11111111-1111-1111-1111-111111111111',
  AZURE_RESOURCE_GROUP: 'rg-prod',
  AZURE_FUNCTION_APP_NAME: 'func-dn-abc',
  AZURE_TENANT_ID: '22222222-2222-2222-2222-222222222222',
  KEY_VAULT_URL: 'https://kv-dn-abc.vault.azure.net',
  MANAGED_IDENTITY_CLIENT_ID: '33333333-3333-3333-3333-333333333333',
  MANAGED_IDENTITY_PRINCIPAL_ID: '44444444-4444-4444-4444-444444444444',
  OBLIGATIONS_SITE_ID: 'contoso.sharepoint.com,aaaa,bbbb',
};
const APP_ID = '55555555-5555-5555-5555-555555555555';
const SITE = { subscriptionId: AZD_ENV.AZURE_SUBSCRIPTION_ID, resourceGroup: 'rg-prod', appName: 'func-dn-abc' };

let arm: FakeArm | undefined;
afterEach(async () => {
  await arm?.close();
  arm = undefined;
});

function steps(
  registerOutput: string,
  calls: { register: string[][]; azd: [string, string][]; log: string[] },
): HookSteps {
  return {
    emptySettingsFile: '/tmp/empty.json',
    runRegister: async (args) => {
      calls.register.push([...args]);
      return registerOutput;
    },
    setAzdValue: async (name, value) => {
      calls.azd.push([name, value]);
    },
    mergeAppSettings: (target, settings) =>
      mergeFunctionAppSettings(target, settings, { credential: ARM_CREDENTIAL, endpoint: arm?.url ?? '' }),
    log: (line) => calls.log.push(line),
  };
}

describe('the register step', () => {
  it('is secretless by default: the user-assigned identity, no vault', () => {
    const args = registerArguments(readHookEnvironment(AZD_ENV), '/tmp/empty.json');
    expect(args).toEqual([
      '--json',
      '--settings',
      '/tmp/empty.json',
      '--credential',
      'managed-identity',
      '--tenant',
      AZD_ENV.AZURE_TENANT_ID,
      '--name',
      'due-notifier-prod',
      '--display-name',
      'due-notifier (prod)',
      '--site',
      AZD_ENV.OBLIGATIONS_SITE_ID,
      '--managed-identity-client-id',
      AZD_ENV.MANAGED_IDENTITY_CLIENT_ID,
      '--managed-identity-principal-id',
      AZD_ENV.MANAGED_IDENTITY_PRINCIPAL_ID,
    ]);
  });

  it('with a secret or a certificate, names the vault and the name infra gave it', () => {
    const secret = registerArguments(
      readHookEnvironment({ ...AZD_ENV, CLIENT_CREDENTIAL: 'secret', CLIENT_SECRET_NAME: 'dn-secret' }),
      '/tmp/empty.json',
    );
    expect(secret).toEqual(
      expect.arrayContaining(['--key-vault-url', AZD_ENV.KEY_VAULT_URL, '--secret-name', 'dn-secret']),
    );
    expect(secret).not.toContain('--managed-identity-principal-id');
    const certificate = registerArguments(
      readHookEnvironment({ ...AZD_ENV, CLIENT_CREDENTIAL: 'certificate' }),
      '/tmp/empty.json',
    );
    expect(certificate.slice(3, 5)).toEqual(['--credential', 'certificate']);
    expect(certificate).toContain('--key-vault-url');
  });

  it('says which azd values are missing, and what a wrong mode must be', () => {
    expect(() => readHookEnvironment({ AZURE_ENV_NAME: 'prod' })).toThrow(
      /lacks AZURE_SUBSCRIPTION_ID, AZURE_RESOURCE_GROUP, AZURE_FUNCTION_APP_NAME, AZURE_TENANT_ID, KEY_VAULT_URL, MANAGED_IDENTITY_CLIENT_ID, MANAGED_IDENTITY_PRINCIPAL_ID: .*azd provision/,
    );
    expect(() => readHookEnvironment({ ...AZD_ENV, CLIENT_CREDENTIAL: 'password' })).toThrow(
      'CLIENT_CREDENTIAL is "password": set it to managed-identity or secret or certificate',
    );
    expect(() => readHookEnvironment({ ...AZD_ENV, REGISTRATION: 'bicep', CLIENT_CREDENTIAL: 'secret' })).toThrow(
      'REGISTRATION=bicep registers the app secretless only (the Graph Bicep extension cannot create a secret)',
    );
  });

  it('reads the settings register prints, as NAME=value lines or JSON', () => {
    const lines = `Plan: nothing to change\nENTRA_TENANT_ID=${AZD_ENV.AZURE_TENANT_ID}\nENTRA_CLIENT_ID=${APP_ID}\n`;
    expect(parseRegisterSettings(lines)).toEqual({ ENTRA_TENANT_ID: AZD_ENV.AZURE_TENANT_ID, ENTRA_CLIENT_ID: APP_ID });
    expect(parseRegisterSettings(JSON.stringify({ ENTRA_CLIENT_ID: APP_ID }))).toEqual({ ENTRA_CLIENT_ID: APP_ID });
    expect(parseRegisterSettings(JSON.stringify({ settings: { ENTRA_CLIENT_ID: APP_ID } }))).toEqual({
      ENTRA_CLIENT_ID: APP_ID,
    });
    expect(() => parseRegisterSettings('Registered.\n')).toThrow(/printed no app settings with ENTRA_CLIENT_ID/);
    expect(() => parseRegisterSettings('{"ENTRA_CLIENT_ID": 5}')).toThrow(/RegisterOutput|no app settings/);
  });
});

describe('the postprovision hook', () => {
  it('registers, then writes the settings into the azd environment and the function app, keeping its others', async () => {
    arm = await startArm(SITE, { NOTIFY_SCHEDULE: '0 0 7 * * *', ENTRA_CLIENT_ID: '' });
    const calls = { register: [] as string[][], azd: [] as [string, string][], log: [] as string[] };
    const output = `ENTRA_TENANT_ID=${AZD_ENV.AZURE_TENANT_ID}\nENTRA_CLIENT_ID=${APP_ID}\n`;
    await runPostprovision(AZD_ENV, steps(output, calls));
    expect(calls.register).toHaveLength(1);
    expect(calls.azd).toEqual([
      ['ENTRA_TENANT_ID', AZD_ENV.AZURE_TENANT_ID],
      ['ENTRA_CLIENT_ID', APP_ID],
    ]);
    expect(arm.settings).toEqual({
      NOTIFY_SCHEDULE: '0 0 7 * * *',
      ENTRA_CLIENT_ID: APP_ID,
      ENTRA_TENANT_ID: AZD_ENV.AZURE_TENANT_ID,
    });
    expect(calls.log.at(-1)).toBe(
      'azd environment: ENTRA_TENANT_ID, ENTRA_CLIENT_ID. func-dn-abc: set ENTRA_TENANT_ID, ENTRA_CLIENT_ID.',
    );

    // A second run reads the settings and writes nothing.
    const puts = () => arm?.requests.filter((request) => request.method === 'PUT').length;
    expect(puts()).toBe(1);
    await runPostprovision(AZD_ENV, steps(output, calls));
    expect(puts()).toBe(1);
    expect(calls.log.at(-1)).toMatch(/func-dn-abc: its settings were already these\.$/);
  });

  it('says so when ARM refuses', async () => {
    arm = await startArm(SITE, {});
    await expect(
      mergeFunctionAppSettings(
        { subscriptionId: 'other', resourceGroup: 'rg', appName: 'func-dn-abc' },
        { ENTRA_CLIENT_ID: APP_ID },
        { credential: ARM_CREDENTIAL, endpoint: arm.url },
      ),
    ).rejects.toThrow(/answered 404: check that you are signed in \(azd auth login\)/);
  });

  it('leaves the registration alone in the pipeline, or when Bicep made it', async () => {
    const calls = { register: [] as string[][], azd: [] as [string, string][], log: [] as string[] };
    await runPostprovision({ ...AZD_ENV, REGISTER_ON_PROVISION: 'false', ENTRA_CLIENT_ID: APP_ID }, steps('', calls));
    await runPostprovision({ ...AZD_ENV, REGISTRATION: 'bicep', ENTRA_CLIENT_ID: APP_ID }, steps('', calls));
    expect(calls.register).toEqual([]);
    expect(calls.log).toEqual([
      `The app registration is left as it is (REGISTER_ON_PROVISION=false): ENTRA_CLIENT_ID ${APP_ID}.`,
      `The app registration is infra/app/registration.bicep's (REGISTRATION=bicep): ENTRA_CLIENT_ID ${APP_ID} is already in the app settings.`,
    ]);
    await expect(runPostprovision({ ...AZD_ENV, REGISTER_ON_PROVISION: 'false' }, steps('', calls))).rejects.toThrow(
      /ENTRA_CLIENT_ID is empty: run azd up once as an administrator/,
    );
  });
});

describe('npm run azd:postprovision', () => {
  it('fails outside azd with one line naming what is missing and how to get it', async () => {
    const result = await runCommand('scripts/azd/postprovision.ts', [], {
      env: { PATH: process.env.PATH },
      timeoutMs: 20_000,
    });
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(
      /^error AzdEnvironmentIncomplete: the azd environment lacks AZURE_ENV_NAME, .*run azd provision \(or azd up\) first\n$/,
    );
  });
});
