/**
 * The registration's spec from the command's options, with the function app's settings (the
 * environment, then local.settings.json) as defaults: the same names the daemon reads, so that a rerun
 * after the settings were written needs no flags. Checks what Graph would only refuse later.
 */
import { SETTINGS } from '../shared/config/schema.js';
import { RegistrationError } from './errors.js';
import { CREDENTIAL_MODES } from './spec.js';
import type { CredentialMode, RegistrationSpec } from './spec.js';

export interface RegisterCommandOptions {
  readonly credential?: string;
  readonly tenant?: string;
  readonly keyVaultUrl?: string;
  readonly site?: string;
  readonly sitesSelected?: boolean;
  readonly multiTenant?: boolean;
  readonly name?: string;
  readonly displayName?: string;
  readonly secretName?: string;
  readonly certificateName?: string;
  readonly secretDays?: string;
  readonly managedIdentityClientId?: string;
  readonly managedIdentityPrincipalId?: string;
  readonly authorityHost?: string;
  readonly graphUrl?: string;
}

const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
/** Graph's rule for a uniqueName: letters, digits and `-_.` (it is part of a URL). */
const UNIQUE_NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,119}$/;
const SECRET_NAME = /^[0-9A-Za-z-]{1,127}$/;
const DEFAULT_SECRET_DAYS = 180;
/** Entra ID's longest client secret lifetime (two years; tenants' policies often allow less). */
const MAX_SECRET_DAYS = 730;
const RENEW_WITHIN_DAYS = 30;

/**
 * The spec; `principalId` of the managed identity may be left for the caller to look up (Graph's
 * service principal of the identity), so it is optional here.
 */
export type RegistrationSpecDraft = Omit<RegistrationSpec, 'managedIdentity'> & {
  readonly managedIdentity?: { readonly clientId: string; readonly principalId?: string };
};

export function specFromOptions(
  options: RegisterCommandOptions,
  settings: Readonly<Record<string, string | undefined>>,
): RegistrationSpecDraft {
  const setting = (name: string): string | undefined => {
    const value = settings[name]?.trim();
    return value ? value : undefined;
  };
  const credential = (options.credential ?? setting(SETTINGS.clientCredential) ?? 'secret') as CredentialMode;
  if (!CREDENTIAL_MODES.includes(credential)) {
    throw invalid(`--credential must be one of ${CREDENTIAL_MODES.join(', ')} (got '${credential}').`);
  }
  const tenantId = options.tenant ?? setting(SETTINGS.tenantId);
  if (!tenantId || !GUID.test(tenantId)) {
    throw invalid(
      `--tenant (or ${SETTINGS.tenantId}) must be the directory (tenant) id, a GUID${tenantId ? ` (got '${tenantId}')` : ''}.`,
    );
  }
  const uniqueName = options.name ?? 'due-notifier';
  if (!UNIQUE_NAME.test(uniqueName)) {
    throw invalid(`--name must be letters, digits, '-', '_' or '.', at most 120 (got '${uniqueName}').`);
  }
  const keyVaultUrl = options.keyVaultUrl ?? setting(SETTINGS.keyVaultUrl);
  if (credential !== 'managed-identity' && !keyVaultUrl) {
    throw invalid(
      `The ${credential} mode stores the credential in Key Vault: pass --key-vault-url https://NAME.vault.azure.net (or set ${SETTINGS.keyVaultUrl}).`,
    );
  }
  const siteId = options.site ?? setting(SETTINGS.siteId);
  if (options.sitesSelected && !siteId) {
    throw invalid(`--sites-selected grants read access to one site: pass --site (or set ${SETTINGS.siteId}).`);
  }
  const secretDays = options.secretDays === undefined ? DEFAULT_SECRET_DAYS : Number(options.secretDays);
  if (!Number.isInteger(secretDays) || secretDays < RENEW_WITHIN_DAYS + 1 || secretDays > MAX_SECRET_DAYS) {
    throw invalid(
      `--secret-days must be a whole number from ${RENEW_WITHIN_DAYS + 1} to ${MAX_SECRET_DAYS} (got '${options.secretDays}').`,
    );
  }
  const secretName = options.secretName ?? setting(SETTINGS.clientSecretName) ?? 'due-notifier-client-secret';
  const certificateName =
    options.certificateName ?? setting(SETTINGS.clientCertificateName) ?? 'due-notifier-client-certificate';
  for (const [flag, name] of [
    ['--secret-name', secretName],
    ['--certificate-name', certificateName],
  ] as const) {
    if (!SECRET_NAME.test(name)) throw invalid(`${flag} must be 1-127 letters, digits or '-' (got '${name}').`);
  }
  const managedIdentityClientId = options.managedIdentityClientId ?? setting(SETTINGS.managedIdentityClientId);
  if (credential === 'managed-identity' && (!managedIdentityClientId || !GUID.test(managedIdentityClientId))) {
    throw invalid(
      `The managed-identity mode needs the function app's user-assigned identity: pass --managed-identity-client-id GUID (or set ${SETTINGS.managedIdentityClientId}).`,
    );
  }
  const principalId = options.managedIdentityPrincipalId;
  if (principalId !== undefined && !GUID.test(principalId)) {
    throw invalid(`--managed-identity-principal-id must be a GUID (got '${principalId}').`);
  }
  return {
    tenantId,
    uniqueName,
    displayName: options.displayName ?? uniqueName,
    signInAudience: options.multiTenant ? 'AzureADMultipleOrgs' : 'AzureADMyOrg',
    sitesPermission: options.sitesSelected ? 'Sites.Selected' : 'Sites.Read.All',
    ...(siteId ? { siteId } : {}),
    credential,
    ...(keyVaultUrl && credential !== 'managed-identity' ? { keyVaultUrl: keyVaultUrl.replace(/\/+$/, '') } : {}),
    secretName,
    certificateName,
    secretLifetimeDays: secretDays,
    renewWithinDays: RENEW_WITHIN_DAYS,
    ...(credential === 'managed-identity' && managedIdentityClientId
      ? { managedIdentity: { clientId: managedIdentityClientId, ...(principalId ? { principalId } : {}) } }
      : {}),
    authorityHost: (
      options.authorityHost ??
      setting(SETTINGS.authorityHost) ??
      'https://login.microsoftonline.com'
    ).replace(/\/+$/, ''),
    graphBaseUrl: (options.graphUrl ?? setting(SETTINGS.graphBaseUrl) ?? 'https://graph.microsoft.com/v1.0').replace(
      /\/+$/,
      '',
    ),
  };
}

/** `30s`, `10m`, `1h`, `0`: milliseconds. */
export function parseDuration(text: string, flag: string): number {
  const match = /^(\d+(?:\.\d+)?)(ms|s|m|h)?$/.exec(text.trim());
  if (!match?.[1]) throw invalid(`${flag} must be a duration such as 30s, 10m or 1h (got '${text}').`);
  const unit = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 }[(match[2] ?? 's') as 'ms' | 's' | 'm' | 'h'];
  return Math.round(Number(match[1]) * unit);
}

function invalid(message: string): RegistrationError {
  return new RegistrationError('RegistrationInvalid', message);
}
