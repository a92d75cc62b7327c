/**
 * The Graph token provider with MSAL running for real against the local stack's Entra ID, the app's
 * credential read from its Key Vault through DefaultAzureCredential and the managed-identity endpoint.
 */
import { DefaultAzureCredential } from '@azure/identity';
import { decodeJwt } from 'jose';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { createGraphTokenProvider, GRAPH_SCOPE, graphScopeFor } from '../../../shared/clients/auth.js';
import type { GraphTokenProviderOptions } from '../../../shared/clients/auth.js';
import { createKeyVaultCredentialProvider } from '../../../shared/clients/key-vault-credentials.js';
import type { ClientCredentialProvider } from '../../../shared/clients/key-vault-credentials.js';
import { createRequestMetrics } from '../../../shared/http/metrics.js';
import { useLocalStack } from '../../support/stack.js';
import { useStackIdentity } from '../../support/stack-tokens.js';
import { recordingLogger } from '../../support/recording-logger.js';
import { failure } from '../../support/rejection.js';

const SECRET_NAME = 'due-notifier-client-secret';
const CERTIFICATE_NAME = 'due-notifier-client-certificate';

const stack = useLocalStack({ azurite: false });

useStackIdentity(stack);
afterEach(() => {
  vi.useRealTimers();
});

function daemon() {
  return { tenantId: stack().seed.daemon.tenantId, clientId: stack().seed.daemon.clientId };
}

function keyVault(
  secretName = SECRET_NAME,
  kind: 'secret' | 'certificate' = 'secret',
  cacheTtlMs = 3_600_000,
): ClientCredentialProvider {
  return createKeyVaultCredentialProvider({
    vaultUrl: stack().urls.keyVault,
    source: { kind, secretName },
    tokenCredential: new DefaultAzureCredential(),
    cacheTtlMs,
    timeoutMs: 5_000,
    maxRetries: 0,
  });
}

function tokenProvider(overrides: Partial<GraphTokenProviderOptions> = {}) {
  const metrics = createRequestMetrics();
  const logger = recordingLogger();
  const tokens = createGraphTokenProvider({
    ...daemon(),
    authorityHost: stack().urls.entra,
    credentials: keyVault(),
    timeoutMs: 5_000,
    metrics,
    logger,
    ...overrides,
  });
  return { tokens, metrics, logger };
}

/** Nothing the stack issued (secrets, keys, tokens) appears in these texts. */
function expectNoSecrets(texts: readonly string[], tokens: readonly string[] = []): void {
  const secrets = [...stack().directory.issuedSecretValues(), ...tokens];
  for (const text of texts) {
    for (const secret of secrets) {
      expect(text.includes(secret), `a secret leaked into: ${text.slice(0, 120)}`).toBe(false);
    }
  }
}

describe('createGraphTokenProvider', () => {
  it('gets an app-only Graph token with the client secret from Key Vault', async () => {
    const { tokens, metrics, logger } = tokenProvider();

    const token = await tokens.getAccessToken();

    const claims = decodeJwt(token);
    expect(claims.aud).toBe('https://graph.microsoft.com');
    expect(claims.appid).toBe(daemon().clientId);
    expect(claims.tid).toBe(daemon().tenantId);
    expect(claims.roles).toContain('Sites.Read.All');
    expect(stack().counters.get('entra.token')).toBe(1);
    expect(stack().counters.get('entra.openidConfiguration')).toBe(1);
    expect(metrics.snapshot().token).toBe(1);
    // A healthy cold token logs nothing (MSAL's client_info warning does not apply to app-only tokens).
    expect(logger.lines).toEqual([]);
  });

  it('gets a token with the certificate from Key Vault (SHA-256 thumbprint assertion)', async () => {
    const { tokens } = tokenProvider({ credentials: keyVault(CERTIFICATE_NAME, 'certificate') });
    const claims = decodeJwt(await tokens.getAccessToken());
    expect(claims.appid).toBe(daemon().clientId);
    expect(stack().counters.get('entra.token')).toBe(1);
  });

  it('reuses the cached token across calls: one token request for many', async () => {
    const { tokens, metrics } = tokenProvider();
    const first = await tokens.getAccessToken();
    for (let call = 0; call < 10; call += 1) {
      expect(await tokens.getAccessToken()).toBe(first);
    }
    expect(stack().counters.get('entra.token')).toBe(1);
    expect(metrics.snapshot().token).toBe(1);
  });

  it('shares one token request between concurrent cold callers', async () => {
    // A slow token endpoint, so that every caller is surely waiting while the request is out.
    stack().faults.add({ endpoint: 'entra.token', action: { type: 'latency', ms: 150 } });
    const { tokens } = tokenProvider();
    const issued = await Promise.all(Array.from({ length: 8 }, () => tokens.getAccessToken()));
    expect(new Set(issued).size).toBe(1);
    expect(stack().counters.get('entra.token')).toBe(1);
  });

  it('forceRefresh asks Entra ID for a new token', async () => {
    const { tokens } = tokenProvider();
    const cached = await tokens.getAccessToken();
    const fresh = await tokens.getAccessToken({ forceRefresh: true });
    expect(fresh).not.toBe(cached);
    expect(stack().counters.get('entra.token')).toBe(2);
    expect(await tokens.getAccessToken()).toBe(fresh);
  });

  it('recovers from Entra ID 503 with Retry-After within the call, and MSAL keeps no throttle memory', async () => {
    stack().faults.add({
      endpoint: 'entra.token',
      action: { type: 'status', status: 503, retryAfter: '0.2' },
      count: 2,
    });
    const { tokens, logger } = tokenProvider();

    const started = Date.now();
    const token = await tokens.getAccessToken();

    expect(decodeJwt(token).appid).toBe(daemon().clientId);
    expect(stack().counters.get('entra.token')).toBe(3);
    expect(Date.now() - started).toBeGreaterThanOrEqual(400);
    expect(logger.lines.filter((line) => line.includes('answered 503'))).toHaveLength(2);
    // Had MSAL seen the 503 it would refuse this request without sending it.
    await tokens.getAccessToken({ forceRefresh: true });
    expect(stack().counters.get('entra.token')).toBe(4);
  });

  it('fails with EntraUnavailable when Entra ID stays down', async () => {
    stack().faults.add({ endpoint: 'entra.token', action: { type: 'status', status: 500 } });
    const { tokens } = tokenProvider({ retry: { maxAttempts: 2, baseDelayMs: 10 } });
    const error = await failure(tokens.getAccessToken());
    expect(error.code).toBe('EntraUnavailable');
    expect(error.message).toContain('answered 500');
    expect(stack().counters.get('entra.token')).toBe(2);
  });

  it('times out a token request that gets no answer', async () => {
    stack().faults.add({ endpoint: 'entra.token', action: { type: 'latency', ms: 5_000 } });
    const { tokens } = tokenProvider({ timeoutMs: 300, retry: { maxAttempts: 1 } });
    const started = Date.now();
    const error = await failure(tokens.getAccessToken());
    expect(error.code).toBe('EntraUnavailable');
    expect(error.message).toContain('within 300 ms');
    expect(Date.now() - started).toBeLessThan(2_500);
  });

  it('releases an aborting caller at once', async () => {
    stack().faults.add({ endpoint: 'entra.token', action: { type: 'latency', ms: 5_000 }, count: 1 });
    const { tokens } = tokenProvider();
    const controller = new AbortController();
    const started = Date.now();
    const pending = tokens.getAccessToken({ abortSignal: controller.signal });
    setTimeout(() => controller.abort(new Error('run cancelled')), 200);
    await expect(pending).rejects.toThrow('run cancelled');
    expect(Date.now() - started).toBeLessThan(1_500);
  });

  it.each([
    [
      'an unknown client id (700016)',
      { clientId: '00000000-0000-0000-0000-000000000001' },
      'AADSTS700016',
      'ENTRA_CLIENT_ID',
    ],
    [
      'an unknown tenant (90002)',
      { tenantId: '00000000-0000-0000-0000-000000000002' },
      'AADSTS90002',
      'ENTRA_TENANT_ID',
    ],
  ])('explains %s', async (_, overrides, code, setting) => {
    const { tokens } = tokenProvider(overrides);
    const error = await failure(tokens.getAccessToken());
    expect(error.code).toBe('AuthenticationFailed');
    expect(error.message).toContain(code);
    expect(error.message).toContain(setting);
  });

  it('explains an unreachable authority host', async () => {
    const { tokens } = tokenProvider({ authorityHost: 'https://127.0.0.1:1', retry: { maxAttempts: 1 } });
    const error = await failure(tokens.getAccessToken());
    expect(error.code).toBe('EntraUnavailable');
    expect(error.message).toContain('ECONNREFUSED');
    expect(error.message).toContain('ENTRA_AUTHORITY_HOST');
  });
});

describe('createGraphTokenProvider: secret rotation and expiry', () => {
  const { clientId } = { clientId: '5e1faf39-aa06-4e95-a1fb-297017d4094c' };

  /** The key id of the secret the vault currently holds (seeded, or stored by an earlier test). */
  let currentKeyId = 'b218cfc2-9bf6-4c54-bd25-a375de638596';

  function rotate(): { keyId: string; previousKeyId: string } {
    const rotated = stack().directory.rotateSecret(clientId);
    stack().keyVault.setSecret(SECRET_NAME, rotated.value);
    const previousKeyId = currentKeyId;
    currentKeyId = rotated.keyId;
    return { keyId: rotated.keyId, previousKeyId };
  }

  it('moves the token cache to the application of a new credential version: no token request', async () => {
    // A TTL of 0: every call reads the vault, so the new version is seen at once.
    const { tokens } = tokenProvider({ credentials: keyVault(SECRET_NAME, 'secret', 0) });
    const cached = await tokens.getAccessToken();
    rotate();

    expect(await tokens.getAccessToken()).toBe(cached);
    expect(stack().counters.get('entra.token')).toBe(1);
    expect(stack().counters.get('keyvault.getSecret')).toBeGreaterThanOrEqual(3);
  });

  it('recovers after rotation with the old secret revoked: one forced vault read, one retry', async () => {
    expect(daemon().clientId).toBe(clientId);
    const { tokens, logger } = tokenProvider({ credentials: keyVault(SECRET_NAME, 'secret', 24 * 3_600_000) });
    const before = await tokens.getAccessToken();
    const vaultReadsBefore = stack().counters.get('keyvault.getSecret');

    const { previousKeyId } = rotate();
    stack().directory.revokeSecret(clientId, previousKeyId);
    // An hour later MSAL's cached token is due for renewal; the vault provider still caches the old secret.
    vi.setSystemTime(Date.now() + 3_600_000);

    const after = await tokens.getAccessToken();

    expect(after).not.toBe(before);
    expect(decodeJwt(after).appid).toBe(clientId);
    // Refused with the old secret, then issued with the new one.
    expect(stack().counters.get('entra.token')).toBe(3);
    expect(stack().counters.get('keyvault.getSecret') - vaultReadsBefore).toBeGreaterThanOrEqual(1);
    expect(logger.lines.some((line) => line.includes('AADSTS7000215') && line.includes('retrying once'))).toBe(true);
    vi.useRealTimers();
    // The new application keeps serving from its cache.
    await tokens.getAccessToken();
    expectNoSecrets(logger.lines, [before, after]);
  });

  it('fails loudly with the fix when the secret has expired and the vault has nothing newer', async () => {
    stack().directory.expireSecret(clientId, currentKeyId);
    try {
      const { tokens, logger } = tokenProvider();
      const error = await failure(tokens.getAccessToken());
      expect(error.code).toBe('AuthenticationFailed');
      expect(error.message).toContain('AADSTS7000222');
      expect(error.message).toContain(`secret '${SECRET_NAME}' in ${stack().urls.keyVault}`);
      expect(error.message).toContain('create a new client secret');
      // The vault was read again (bypassing the cache) but held the same version: no second token request.
      expect(stack().counters.get('entra.token')).toBe(1);
      expectNoSecrets([error.message, ...logger.lines]);
    } finally {
      rotate();
    }
  });

  it('says what to do when the vault holds a value that is not a secret of the app', async () => {
    stack().keyVault.setSecret('wrong-client-secret', 'not-a-secret-of-the-app');
    const { tokens } = tokenProvider({ credentials: keyVault('wrong-client-secret') });
    const error = await failure(tokens.getAccessToken());
    expect(error.code).toBe('AuthenticationFailed');
    expect(error.message).toContain('AADSTS7000215');
    expect(error.message).toContain("'wrong-client-secret'");
    expect(error.message).not.toContain('not-a-secret-of-the-app');
  });
});

describe('graphScopeFor', () => {
  it('asks a national cloud for its own Graph resource', () => {
    expect(graphScopeFor('https://graph.microsoft.us/v1.0')).toBe('https://graph.microsoft.us/.default');
    expect(graphScopeFor('https://dod-graph.microsoft.us/v1.0')).toBe('https://dod-graph.microsoft.us/.default');
    expect(graphScopeFor('https://microsoftgraph.chinacloudapi.cn/v1.0')).toBe(
      'https://microsoftgraph.chinacloudapi.cn/.default',
    );
  });

  it('uses the global Graph resource elsewhere, the local stack included', () => {
    expect(graphScopeFor('https://graph.microsoft.com/v1.0')).toBe(GRAPH_SCOPE);
    expect(graphScopeFor('https://127.0.0.1:8443/v1.0')).toBe(GRAPH_SCOPE);
  });
});
