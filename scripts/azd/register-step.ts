/**
 * The postprovision hook's register step: which `npm run register` command line the azd environment
 * calls for (secretless by default: the function app's user-assigned identity becomes the app
 * registration's federated credential), and the app settings that command prints.
 */
import { DueNotifierError } from '../../shared/base/errors.js';

/** How the app registration is made: by `npm run register` here, or by infra/app/registration.bicep. */
export type RegistrationMode = 'command' | 'bicep';
export type CredentialMode = 'managed-identity' | 'secret' | 'certificate';

/** What the hook reads from the azd environment (azd passes its values, outputs included, as variables). */
export interface HookEnvironment {
  readonly environmentName: string;
  readonly subscriptionId: string;
  readonly resourceGroup: string;
  readonly functionAppName: string;
  readonly tenantId: string;
  readonly registration: RegistrationMode;
  readonly credential: CredentialMode;
  readonly keyVaultUrl: string;
  readonly managedIdentityClientId: string;
  readonly managedIdentityPrincipalId: string;
  readonly siteId?: string | undefined;
  readonly secretName?: string | undefined;
  readonly certificateName?: string | undefined;
}

const REGISTRATION_MODES: readonly RegistrationMode[] = ['command', 'bicep'];
const CREDENTIAL_MODES: readonly CredentialMode[] = ['managed-identity', 'secret', 'certificate'];
/** An app setting's name as the function app takes it (`AzureWebJobsStorage__queueServiceUri` included). */
const SETTING_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

export class HookError extends DueNotifierError<'AzdEnvironmentIncomplete' | 'RegisterOutputInvalid'> {}

function oneOf<T extends string>(name: string, value: string | undefined, allowed: readonly T[], fallback: T): T {
  const text = value?.trim() || fallback;
  const found = allowed.find((candidate) => candidate === text);
  if (found === undefined) {
    throw new HookError(
      'AzdEnvironmentIncomplete',
      `${name} is "${text}": set it to ${allowed.join(' or ')} (azd env set ${name} ...), then azd provision`,
    );
  }
  return found;
}

/** Reads the azd environment; names every missing value at once and says how to get it. */
export function readHookEnvironment(env: Readonly<Record<string, string | undefined>>): HookEnvironment {
  const required = {
    environmentName: 'AZURE_ENV_NAME',
    subscriptionId: 'AZURE_SUBSCRIPTION_ID',
    resourceGroup: 'AZURE_RESOURCE_GROUP',
    functionAppName: 'AZURE_FUNCTION_APP_NAME',
    tenantId: 'AZURE_TENANT_ID',
    keyVaultUrl: 'KEY_VAULT_URL',
    managedIdentityClientId: 'MANAGED_IDENTITY_CLIENT_ID',
    managedIdentityPrincipalId: 'MANAGED_IDENTITY_PRINCIPAL_ID',
  } as const;
  const values: Partial<Record<keyof typeof required, string>> = {};
  const missing: string[] = [];
  for (const [key, name] of Object.entries(required) as [keyof typeof required, string][]) {
    const value = env[name]?.trim();
    if (value) values[key] = value;
    else missing.push(name);
  }
  if (missing.length > 0) {
    throw new HookError(
      'AzdEnvironmentIncomplete',
      `the azd environment lacks ${missing.join(', ')}: these are outputs of infra/main.bicep; run azd provision (or azd up) first`,
    );
  }
  const registration = oneOf('REGISTRATION', env.REGISTRATION, REGISTRATION_MODES, 'command');
  const credential = oneOf('CLIENT_CREDENTIAL', env.CLIENT_CREDENTIAL, CREDENTIAL_MODES, 'managed-identity');
  if (registration === 'bicep' && credential !== 'managed-identity') {
    throw new HookError(
      'AzdEnvironmentIncomplete',
      `REGISTRATION=bicep registers the app secretless only (the Graph Bicep extension cannot create a ${credential}): set CLIENT_CREDENTIAL=managed-identity, or REGISTRATION=command, then azd provision`,
    );
  }
  return {
    ...(values as Record<keyof typeof required, string>),
    registration,
    credential,
    siteId: env.OBLIGATIONS_SITE_ID?.trim() || undefined,
    secretName: env.CLIENT_SECRET_NAME?.trim() || undefined,
    certificateName: env.CLIENT_CERTIFICATE_NAME?.trim() || undefined,
  };
}

/**
 * The arguments after `npm run -s register --` (scripts/register.ts), settings as one JSON object on
 * stdout. The app registration's unique name follows the azd environment, so that each environment has
 * its own registration and a rerun finds it again. `settingsFile` is register's file of default settings:
 * the hook gives it an empty one, so that a local.settings.json written for the local stack never lends
 * the registration its emulators' URLs.
 */
export function registerArguments(hook: HookEnvironment, settingsFile: string): string[] {
  const args = [
    '--json',
    '--settings',
    settingsFile,
    '--credential',
    hook.credential,
    '--tenant',
    hook.tenantId,
    '--name',
    `due-notifier-${hook.environmentName}`,
    '--display-name',
    `due-notifier (${hook.environmentName})`,
  ];
  if (hook.siteId) args.push('--site', hook.siteId);
  if (hook.credential === 'managed-identity') {
    args.push(
      '--managed-identity-client-id',
      hook.managedIdentityClientId,
      '--managed-identity-principal-id',
      hook.managedIdentityPrincipalId,
    );
  } else {
    args.push('--key-vault-url', hook.keyVaultUrl);
    if (hook.credential === 'secret' && hook.secretName) args.push('--secret-name', hook.secretName);
    if (hook.credential === 'certificate' && hook.certificateName) {
      args.push('--certificate-name', hook.certificateName);
    }
  }
  return args;
}

function settingsFrom(value: unknown): Record<string, string> | undefined {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return undefined;
  const record = value as Record<string, unknown>;
  if ('settings' in record) return settingsFrom(record.settings);
  const entries = Object.entries(record);
  if (!entries.every(([name, setting]) => SETTING_NAME.test(name) && typeof setting === 'string')) return undefined;
  return Object.fromEntries(entries) as Record<string, string>;
}

/**
 * The app settings `npm run -s register` printed on stdout: one JSON object (or `{ "settings": {...} }`),
 * or `NAME=value` lines (other lines, such as a plan in words, are passed over).
 */
export function parseRegisterSettings(stdout: string): Record<string, string> {
  const text = stdout.trim();
  let settings: Record<string, string> | undefined;
  if (text.startsWith('{')) {
    try {
      settings = settingsFrom(JSON.parse(text));
    } catch {
      settings = undefined;
    }
  } else {
    const lines = text.split(/\r?\n/).map((line) => /^([A-Za-z_][A-Za-z0-9_]*)=(.*)$/.exec(line.trim()));
    const pairs = lines.filter((match) => match !== null).map((match) => [match[1], match[2]] as const);
    settings = pairs.length > 0 ? Object.fromEntries(pairs) : undefined;
  }
  if (settings?.ENTRA_CLIENT_ID === undefined) {
    throw new HookError(
      'RegisterOutputInvalid',
      'npm run register printed no app settings with ENTRA_CLIENT_ID (expected NAME=value lines or a JSON object): run it by hand to see why',
    );
  }
  return settings;
}
