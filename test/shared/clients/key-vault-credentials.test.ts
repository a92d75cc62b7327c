import { DefaultAzureCredential } from '@azure/identity';
import { createServer } from 'node:net';
import { describe, expect, it } from 'vitest';
import type { ClientCredentialSource } from '../../../shared/config/config.js';
import { createKeyVaultCredentialProvider } from '../../../shared/clients/key-vault-credentials.js';
import type {
  ClientCredential,
  KeyVaultCredentialProviderOptions,
} from '../../../shared/clients/key-vault-credentials.js';
import { createRequestMetrics } from '../../../shared/http/metrics.js';
import { createTestCertificate } from '../../support/rsa-certificates.js';
import { useLocalStack } from '../../support/stack.js';
import { useStackIdentity } from '../../support/stack-tokens.js';
import { recordingLogger } from '../../support/recording-logger.js';
import { failure } from '../../support/rejection.js';

const SECRET_NAME = 'due-notifier-client-secret';
const CERTIFICATE_NAME = 'due-notifier-client-certificate';
const DAY_MS = 86_400_000;

const stack = useLocalStack({ azurite: false });

useStackIdentity(stack);

function provider(
  overrides: Partial<KeyVaultCredentialProviderOptions> & {
    secretName?: string;
    kind?: ClientCredentialSource['kind'];
  } = {},
) {
  const { secretName = SECRET_NAME, kind = 'secret', ...options } = overrides;
  const metrics = createRequestMetrics();
  const logger = recordingLogger();
  const credentials = createKeyVaultCredentialProvider({
    vaultUrl: stack().urls.keyVault,
    source: { kind, secretName },
    cacheTtlMs: 60_000,
    timeoutMs: 5_000,
    metrics,
    logger,
    maxRetries: 0,
    ...options,
    tokenCredential: options.tokenCredential ?? new DefaultAzureCredential(),
  });
  return { credentials, metrics, logger };
}

function secretOf(credential: ClientCredential): string {
  if (credential.kind !== 'secret') throw new Error(`expected a client secret, got a ${credential.kind}`);
  return credential.clientSecret;
}

describe('createKeyVaultCredentialProvider: reading', () => {
  it('reads the client secret through DefaultAzureCredential, counting each vault request', async () => {
    const { credentials, metrics } = provider();
    const stored = stack().keyVault.getLatest(SECRET_NAME);

    const credential = await credentials.getCredential();

    expect(secretOf(credential)).toBe(stored?.value);
    expect(credential.version).toBe(stored?.version);
    expect(credential.expiresOn?.toISOString()).toBe('2099-12-31T23:59:59.000Z');
    // Key Vault's challenge: an unauthenticated request answered 401, then the authenticated one.
    expect(stack().counters.get('keyvault.getSecret')).toBe(2);
    expect(metrics.snapshot().keyVault).toBe(2);
    expect(stack().counters.get('identity.token')).toBeGreaterThanOrEqual(1);
    expect(credentials.describe()).toBe(`secret '${SECRET_NAME}' in ${stack().urls.keyVault}`);
  });

  it('reads a PEM certificate: key, SHA-256 thumbprint and certificate as MSAL wants them', async () => {
    const { credentials } = provider({ kind: 'certificate', secretName: CERTIFICATE_NAME });
    const registered = stack().directory.findApplication(stack().seed.daemon.tenantId, stack().seed.daemon.clientId)
      ?.certificates[0];

    const credential = await credentials.getCredential();

    if (credential.kind !== 'certificate') throw new Error('expected a certificate');
    expect(credential.thumbprintSha256).toBe(registered?.thumbprintSha256);
    expect(credential.privateKey).toMatch(/^-----BEGIN PRIVATE KEY-----/);
    expect(credential.x5c).toMatch(/^-----BEGIN CERTIFICATE-----/);
    expect(credentials.describe()).toBe(`certificate secret '${CERTIFICATE_NAME}' in ${stack().urls.keyVault}`);
  });

  it('serves the cached credential within the TTL, shares one read between concurrent callers, and reads again after it', async () => {
    let now = Date.now();
    const { credentials, metrics } = provider({ clock: () => now, cacheTtlMs: 60_000 });

    const concurrent = await Promise.all(Array.from({ length: 5 }, () => credentials.getCredential()));
    const firstRead = metrics.snapshot().keyVault;
    for (let call = 0; call < 10; call += 1) {
      await credentials.getCredential();
    }

    expect(new Set(concurrent.map(secretOf)).size).toBe(1);
    expect(firstRead).toBe(2);
    expect(metrics.snapshot().keyVault).toBe(firstRead);

    now += 60_001;
    await credentials.getCredential();
    // The challenge and the vault token are reused: one request.
    expect(metrics.snapshot().keyVault).toBe(firstRead + 1);
    expect(stack().counters.get('keyvault.getSecret')).toBe(metrics.snapshot().keyVault);
  });

  it('forceRefresh reads the vault at once and picks up a new version', async () => {
    const { credentials, metrics } = provider();
    const before = await credentials.getCredential();
    const rotated = stack().keyVault.setSecret('rotating-secret', 'first-value');
    const rotating = provider({ secretName: 'rotating-secret' }).credentials;
    expect((await rotating.getCredential()).version).toBe(rotated.version);
    const next = stack().keyVault.setSecret('rotating-secret', 'second-value');

    expect(secretOf(await rotating.getCredential())).toBe('first-value');
    const refreshed = await rotating.getCredential({ forceRefresh: true });

    expect(secretOf(refreshed)).toBe('second-value');
    expect(refreshed.version).toBe(next.version);
    const reads = metrics.snapshot().keyVault;
    expect((await credentials.getCredential({ forceRefresh: true })).version).toBe(before.version);
    expect(metrics.snapshot().keyVault).toBe(reads + 1);
  });

  it('warns once per read when the secret expires within 30 days, naming it and the date, never the value', async () => {
    const expiresOn = new Date(Math.floor((Date.now() + 10 * DAY_MS) / 1000) * 1000);
    stack().keyVault.setSecret('expiring-secret', 'expiring-value', { expiresOn });
    const { credentials, logger } = provider({ secretName: 'expiring-secret' });

    await credentials.getCredential();
    await credentials.getCredential();

    expect(logger.lines).toHaveLength(1);
    expect(logger.lines[0]).toContain("'expiring-secret'");
    expect(logger.lines[0]).toContain(expiresOn.toISOString());
    expect(logger.lines[0]).toContain('in 10 day(s)');
    expect(logger.lines[0]).not.toContain('expiring-value');

    await credentials.getCredential({ forceRefresh: true });
    expect(logger.lines).toHaveLength(2);
  });

  it('warns about a certificate outside its validity period', async () => {
    const expired = await createTestCertificate({
      notBefore: new Date(Date.now() - 40 * DAY_MS),
      notAfter: new Date(Date.now() - DAY_MS),
    });
    stack().keyVault.setSecret('expired-certificate', expired.privateKeyPem + expired.certificatePem, {
      contentType: 'application/x-pem-file',
    });
    const { credentials, logger } = provider({ kind: 'certificate', secretName: 'expired-certificate' });

    const credential = await credentials.getCredential();

    expect(credential.kind).toBe('certificate');
    expect(
      logger.lines.some((line) => line.includes(expired.thumbprintSha256) && line.includes('valid only from')),
    ).toBe(true);
    expect(logger.lines.join('\n')).not.toContain('PRIVATE KEY');
  });
});

describe('createKeyVaultCredentialProvider: failures', () => {
  it('names the secret and the setting when the secret does not exist', async () => {
    const error = await failure(provider({ secretName: 'no-such-secret' }).credentials.getCredential());
    expect(error.code).toBe('KeyVaultSecretNotFound');
    expect(error.message).toContain("'no-such-secret'");
    expect(error.message).toContain('CLIENT_SECRET_NAME');
    expect(error.message).toContain('SecretNotFound');
    const certificateError = await failure(
      provider({ kind: 'certificate', secretName: 'no-such-certificate' }).credentials.getCredential(),
    );
    expect(certificateError.message).toContain('CLIENT_CERTIFICATE_NAME');
  });

  it('reports a disabled secret', async () => {
    stack().keyVault.setSecret('disabled-secret', 'disabled-value');
    stack().keyVault.disableVersion('disabled-secret');
    const error = await failure(provider({ secretName: 'disabled-secret' }).credentials.getCredential());
    expect(error.code).toBe('KeyVaultSecretDisabled');
    expect(error.message).toContain("'disabled-secret'");
    expect(error.message).toContain('enable');
    expect(error.message).not.toContain('disabled-value');
  });

  it.each([
    [
      'a certificate source holding a plain value',
      'certificate',
      'not-a-certificate',
      'some text',
      undefined,
      'not a usable PEM certificate',
    ],
    [
      'a PKCS#12 certificate',
      'certificate',
      'pfx-certificate',
      'MIIKdummy',
      'application/x-pkcs12',
      'application/x-pkcs12',
    ],
    [
      'a secret source holding a certificate',
      'secret',
      'pem-as-secret',
      'pem',
      'application/x-pem-file',
      'CLIENT_CERTIFICATE_NAME',
    ],
  ] as const)('refuses %s as KeyVaultSecretInvalid', async (_, kind, secretName, value, contentType, expected) => {
    stack().keyVault.setSecret(secretName, value, contentType ? { contentType } : {});
    const error = await failure(provider({ kind, secretName }).credentials.getCredential());
    expect(error.code).toBe('KeyVaultSecretInvalid');
    expect(error.message).toContain(expected);
    expect(error.message).toContain(`'${secretName}'`);
  });

  it('reports an unreachable vault, naming it and what to check', async () => {
    const closedPort = await new Promise<number>((resolve) => {
      const server = createServer().listen(0, '127.0.0.1', () => {
        const address = server.address();
        server.close(() => resolve(typeof address === 'object' && address ? address.port : 0));
      });
    });
    const vaultUrl = `https://127.0.0.1:${closedPort}`;
    const error = await failure(provider({ vaultUrl }).credentials.getCredential());
    expect(error.code).toBe('KeyVaultUnavailable');
    expect(error.message).toContain(vaultUrl);
    expect(error.message).toContain('ECONNREFUSED');
    expect(error.message).toContain('KEY_VAULT_URL');
  });

  it('gives up on a vault that does not answer within the timeout', async () => {
    stack().faults.add({ endpoint: 'keyvault.getSecret', action: { type: 'latency', ms: 5_000 } });
    const started = Date.now();
    const error = await failure(provider({ timeoutMs: 300 }).credentials.getCredential());
    expect(error.code).toBe('KeyVaultUnavailable');
    expect(error.message).toContain('within 300 ms');
    expect(Date.now() - started).toBeLessThan(2_000);
  });

  it('stops waiting at once when the caller aborts', async () => {
    stack().faults.add({ endpoint: 'keyvault.getSecret', action: { type: 'latency', ms: 5_000 } });
    const controller = new AbortController();
    const started = Date.now();
    const reading = provider().credentials.getCredential({ abortSignal: controller.signal });
    setTimeout(() => controller.abort(new Error('run cancelled')), 100);
    await expect(reading).rejects.toThrow('run cancelled');
    expect(Date.now() - started).toBeLessThan(1_000);
  });
});
