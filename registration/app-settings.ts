/**
 * The app settings the function app needs after a registration, named exactly as shared/config/schema.ts
 * declares them: the tenant, the new application (client) id, where the credential is and what kind it
 * is, the authority and Graph endpoints, and the obligations site when one was named.
 */
import { SETTINGS } from '../shared/config/schema.js';
import type { RegistrationSpec } from './spec.js';

/**
 * The settings that pick the credential: those the registration does not set must go (the daemon refuses
 * two credentials). MANAGED_IDENTITY_CLIENT_ID stays: it is also the identity that reads the vault.
 */
export const CREDENTIAL_SETTING_NAMES: readonly string[] = [
  SETTINGS.clientCredential,
  SETTINGS.clientSecretName,
  SETTINGS.clientCertificateName,
];

/** `settings` with `registered` on top, and the other credential modes' settings taken out. */
export function withRegistrationSettings(
  settings: Readonly<Record<string, string>>,
  registered: Readonly<Record<string, string>>,
): Record<string, string> {
  const others = Object.entries(settings).filter(([name]) => !CREDENTIAL_SETTING_NAMES.includes(name));
  return { ...Object.fromEntries(others), ...registered };
}

export function registrationSettings(spec: RegistrationSpec, appId: string): Record<string, string> {
  const settings: Record<string, string> = {
    [SETTINGS.tenantId]: spec.tenantId,
    [SETTINGS.clientId]: appId,
    [SETTINGS.clientCredential]: spec.credential,
    [SETTINGS.authorityHost]: spec.authorityHost,
    [SETTINGS.graphBaseUrl]: spec.graphBaseUrl,
  };
  if (spec.credential === 'secret' && spec.keyVaultUrl) {
    settings[SETTINGS.keyVaultUrl] = spec.keyVaultUrl;
    settings[SETTINGS.clientSecretName] = spec.secretName;
  }
  if (spec.credential === 'certificate' && spec.keyVaultUrl) {
    settings[SETTINGS.keyVaultUrl] = spec.keyVaultUrl;
    settings[SETTINGS.clientCertificateName] = spec.certificateName;
  }
  if (spec.credential === 'managed-identity' && spec.managedIdentity) {
    settings[SETTINGS.managedIdentityClientId] = spec.managedIdentity.clientId;
  }
  if (spec.siteId) settings[SETTINGS.siteId] = spec.siteId;
  return settings;
}
