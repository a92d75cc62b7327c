/**
 * The app registration's credential as CLIENT_CREDENTIAL says: a secret or certificate read from Key Vault
 * with the function app's own identity, or (secretless) the client assertion of its user-assigned
 * managed identity, which reads no vault at all.
 */
import { ManagedIdentityCredential } from '@azure/identity';
import type { TokenCredential } from '@azure/identity';
import { ConfigError } from '../base/errors.js';
import type { Logger } from '../base/logger.js';
import type { AppConfig } from '../config/config.js';
import type { RequestMetrics } from '../http/metrics.js';
import type { ClientCredentialProvider } from './client-credential.js';
import { createManagedIdentityAssertionProvider } from './federated-credential.js';
import { createKeyVaultCredentialProvider } from './key-vault-credentials.js';

export function createAppCredentials(
  config: AppConfig,
  identity: TokenCredential,
  metrics: RequestMetrics,
  logger: Logger,
): ClientCredentialProvider {
  const { credential, keyVaultUrl, managedIdentityClientId } = config;
  if (credential.kind === 'managed-identity') {
    if (managedIdentityClientId === undefined) {
      throw new ConfigError(
        'MANAGED_IDENTITY_CLIENT_ID',
        'MANAGED_IDENTITY_CLIENT_ID is required with CLIENT_CREDENTIAL=managed-identity',
      );
    }
    return createManagedIdentityAssertionProvider({
      identity: new ManagedIdentityCredential({ clientId: managedIdentityClientId }),
      managedIdentityClientId,
      tenantId: config.tenantId,
      authorityHost: config.authorityHost,
      timeoutMs: config.httpTimeoutMs,
    });
  }
  if (keyVaultUrl === undefined) {
    throw new ConfigError('KEY_VAULT_URL', 'KEY_VAULT_URL is required with a secret or certificate credential');
  }
  return createKeyVaultCredentialProvider({
    vaultUrl: keyVaultUrl,
    source: credential,
    tokenCredential: identity,
    cacheTtlMs: config.secretCacheTtlMs,
    timeoutMs: config.httpTimeoutMs,
    metrics,
    logger,
  });
}
