/**
 * The function app's settings in infra/main.bicep against the settings schema: every setting the schema
 * requires is set, every name set is the schema's or on the list of host settings below, parameter
 * defaults are the schema's defaults (or values its rules accept), and azd maps every parameter.
 */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import * as v from 'valibot';
import { describe, expect, it } from 'vitest';
import type { Node } from 'web-tree-sitter';
import { SETTING_DECLARATIONS } from '../../shared/config/schema.js';
import {
  declaration,
  INFRA_DIR,
  objectProperties,
  parameterDefault,
  parameterNames,
  readBicep,
} from '../support/bicep.js';

/**
 * Settings the Functions host, the platform or the Azure SDK read, which the app's schema does not
 * declare because the app's own code never reads them. Each is set by infra/main.bicep's hostSettings.
 */
const HOST_SETTINGS: readonly string[] = [
  // The host's storage connection (AzureWebJobsStorage) signs in with a managed identity ...
  'AzureWebJobsStorage__credential',
  // ... the user-assigned one ...
  'AzureWebJobsStorage__clientId',
  // ... and keeps its blobs (the timer's lock and schedule status, host keys) in this service.
  'AzureWebJobsStorage__blobServiceUri',
  // Explicit, so that apps whose names share 32 characters on one account do not share the timer's lock.
  'AzureFunctionsWebHost__hostId',
  // DefaultAzureCredential (Key Vault, Table storage) picks the user-assigned identity by its client id.
  'AZURE_CLIENT_ID',
];

const SCHEMA = new Map(SETTING_DECLARATIONS.map((setting) => [setting.name, setting]));

async function settingsGroup(root: Node, name: string): Promise<{ key: string; value: Node }[]> {
  const group = declaration(root, 'variable', name);
  expect(group, `var ${name} in infra/main.bicep`).toBeDefined();
  return group ? objectProperties(group) : [];
}

describe('the function app settings in infra/main.bicep', () => {
  it('sets every setting the schema requires, the identity-based storage URIs, the sender and each credential form', async () => {
    const main = await readBicep('infra/main.bicep');
    const daemon = (await settingsGroup(main, 'daemonSettings')).map(({ key }) => key);
    const credential = (await settingsGroup(main, 'credentialSettings')).map(({ key }) => key);
    const required = SETTING_DECLARATIONS.filter((setting) => setting.presence.kind === 'required');
    expect(required.length).toBeGreaterThan(5);
    for (const setting of required) expect(daemon, setting.name).toContain(setting.name);
    for (const name of [
      'AzureWebJobsStorage__queueServiceUri',
      'AzureWebJobsStorage__tableServiceUri',
      'SENDER_MAILBOX',
      'APPLICATIONINSIGHTS_CONNECTION_STRING',
      'APPLICATIONINSIGHTS_AUTHENTICATION_STRING',
    ]) {
      expect(daemon, name).toContain(name);
    }
    // A connection string would need the account key, and shared keys are off.
    expect(daemon).not.toContain('AzureWebJobsStorage');
    expect(credential).toEqual(
      expect.arrayContaining([
        'CLIENT_SECRET_NAME',
        'CLIENT_CERTIFICATE_NAME',
        'CLIENT_CREDENTIAL',
        'MANAGED_IDENTITY_CLIENT_ID',
      ]),
    );
  });

  it('sets no name that neither the schema nor the list of host settings knows', async () => {
    const main = await readBicep('infra/main.bicep');
    const host = (await settingsGroup(main, 'hostSettings')).map(({ key }) => key);
    expect(host.sort()).toEqual([...HOST_SETTINGS].sort());
    for (const name of host) expect(SCHEMA.has(name), `${name} is the schema's: move it to daemonSettings`).toBe(false);
    const app = [
      ...(await settingsGroup(main, 'daemonSettings')),
      ...(await settingsGroup(main, 'credentialSettings')),
    ];
    const unknown = app.map(({ key }) => key).filter((name) => !SCHEMA.has(name));
    expect(unknown).toEqual([]);
    const source = await readFile(path.join(INFRA_DIR, 'main.bicep'), 'utf8');
    expect(source).toContain('appSettings: union(hostSettings, daemonSettings, credentialSettings)');
    const functionApp = await readFile(path.join(INFRA_DIR, 'app/function-app.bicep'), 'utf8');
    expect(functionApp).toMatch(/appSettingsKeyValuePairs: appSettings\n/);
  });

  it("gives each setting taken from a parameter the schema's default, or a default the schema's rule accepts", async () => {
    const main = await readBicep('infra/main.bicep');
    const fromParameters = (await settingsGroup(main, 'daemonSettings')).filter(
      ({ value }) => value.type === 'identifier' && parameterNames(main).includes(value.text),
    );
    expect(fromParameters.map(({ key }) => key)).toEqual(
      expect.arrayContaining(['REMINDER_DAYS', 'NOTIFY_SCHEDULE', 'OBLIGATIONS_SITE_ID', 'REMINDER_TIME_ZONE']),
    );
    for (const { key, value } of fromParameters) {
      const setting = SCHEMA.get(key);
      const fallback = parameterDefault(main, value.text);
      if (!setting) throw new Error(`${key} is not the schema's`);
      if (setting.presence.kind === 'default') expect(fallback, key).toBe(setting.presence.value);
      else if (setting.presence.kind === 'required' && fallback !== undefined) {
        expect(v.safeParse(setting.rule.schema, fallback).success, `${key} default ${fallback}`).toBe(true);
      }
    }
    // No default on purpose (README, "Reminder rules"): azd asks for it.
    expect(parameterDefault(main, 'reminderTimeZone')).toBeUndefined();
  });

  it('azd fills every parameter without a default from the environment (main.parameters.json), and only parameters', async () => {
    const main = await readBicep('infra/main.bicep');
    const parameters = JSON.parse(await readFile(path.join(INFRA_DIR, 'main.parameters.json'), 'utf8')) as {
      parameters: Record<string, { value: string }>;
    };
    const mapped = Object.keys(parameters.parameters);
    const declared = parameterNames(main);
    expect(mapped.filter((name) => !declared.includes(name))).toEqual([]);
    const withoutDefault = declared.filter((name) => {
      const node = declaration(main, 'parameter', name);
      return node !== undefined && node.namedChildren.length < 3;
    });
    expect(withoutDefault).toEqual(expect.arrayContaining(['environmentName', 'reminderTimeZone']));
    for (const name of withoutDefault) expect(mapped, name).toContain(name);
    for (const { value } of Object.values(parameters.parameters)) expect(value).toMatch(/^\$\{[A-Z_]+(=[^}]*)?\}$/);
  });
});
