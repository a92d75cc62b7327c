/**
 * Reads the app's client credential (a client secret, or a certificate stored as PEM) from Key Vault
 * with `SecretClient`, authenticated by the function app's own identity (the runtime's
 * `DefaultAzureCredential`: the managed identity in Azure, the local stack's managed-identity endpoint
 * locally), and caches it for a while.
 */
import { isRestError } from '@azure/core-rest-pipeline';
import type { PipelinePolicy } from '@azure/core-rest-pipeline';
import type { TokenCredential } from '@azure/identity';
import { SecretClient } from '@azure/keyvault-secrets';
import type { KeyVaultSecret } from '@azure/keyvault-secrets';
import { parsePemCertificate } from './client-certificate.js';
import type { ClientCredentialProvider, VaultClientCredential } from './client-credential.js';
import type { ClientCredentialSource } from '../config/config.js';
import { DueNotifierError } from '../base/errors.js';
import { isLoopbackHost } from '../http/loopback.js';
import { networkErrorCode } from '../http/retry.js';
import { isRecord } from '../base/is-record.js';
import type { Logger } from '../base/logger.js';
import { inSpan } from '../base/telemetry.js';
import type { RequestMetrics } from '../http/metrics.js';
import { createSingleFlight } from '../base/single-flight.js';

export type { ClientCredential, ClientCredentialProvider, GetCredentialOptions } from './client-credential.js';

export interface KeyVaultCredentialProviderOptions {
  /** `https://NAME.vault.azure.net`. */
  readonly vaultUrl: string;
  readonly source: ClientCredentialSource;
  /** The function app's own identity, which reads the vault (the runtime shares it with Table storage). */
  readonly tokenCredential: TokenCredential;
  /** How long a credential read from the vault is reused. */
  readonly cacheTtlMs: number;
  /** Budget for one read of the vault, its retries and the identity's token included. */
  readonly timeoutMs: number;
  /**
   * Every HTTP request sent to the vault is recorded as `keyVault`, retries and the unauthenticated
   * first request of Key Vault's challenge included (a first read is two requests; later ones reuse the
   * challenge and the token, so one). Managed-identity token requests are not vault requests.
   */
  readonly metrics?: RequestMetrics;
  readonly logger?: Logger;
  readonly clock?: () => number;
  /** Retries of throttled (429), failed (5xx) or broken requests within `timeoutMs`; default 3. */
  readonly maxRetries?: number;
}

const EXPIRY_WARNING_MS = 30 * 24 * 60 * 60 * 1000;
const DEFAULT_MAX_RETRIES = 3;

/** Content types Key Vault gives a certificate's secret. */
const PEM_CONTENT_TYPE = 'application/x-pem-file';
const PKCS12_CONTENT_TYPE = 'application/x-pkcs12';

export function createKeyVaultCredentialProvider(
  options: KeyVaultCredentialProviderOptions,
): ClientCredentialProvider<VaultClientCredential> {
  const { vaultUrl, source, cacheTtlMs, timeoutMs, metrics, logger, clock = (): number => Date.now() } = options;
  const { secretName } = source;
  const setting = source.kind === 'secret' ? 'CLIENT_SECRET_NAME' : 'CLIENT_CERTIFICATE_NAME';
  const description = `${source.kind === 'secret' ? 'secret' : 'certificate secret'} '${secretName}' in ${vaultUrl}`;
  /** Why the latest attempt of the read in progress failed: a read that then times out says so. */
  let lastAttemptFailure: string | undefined;
  const client = new SecretClient(vaultUrl, options.tokenCredential, {
    // Verification protects the managed identity's token from a vault impostor; only a loopback vault
    // (the local stack) cannot pass it, as its challenge does not name a *.vault.azure.net resource.
    disableChallengeResourceVerification: isLoopbackHost(new URL(vaultUrl).hostname),
    additionalPolicies: [
      { policy: attemptFailurePolicy((failure) => (lastAttemptFailure = failure)), position: 'perRetry' },
      ...(metrics ? [{ policy: countingPolicy(metrics), position: 'perRetry' as const }] : []),
    ],
    retryOptions: { maxRetries: options.maxRetries ?? DEFAULT_MAX_RETRIES },
  });
  const reads = createSingleFlight<VaultClientCredential>();
  let cached: { readonly credential: VaultClientCredential; readonly readAt: number } | undefined;

  return {
    describe: () => description,
    getCredential({ forceRefresh = false, abortSignal } = {}) {
      if (!forceRefresh && cached && clock() - cached.readAt < cacheTtlMs) {
        return Promise.resolve(cached.credential);
      }
      const span = { 'due_notifier.credential.kind': source.kind };
      return reads.run((signal) => inSpan('keyvault.secret.read', span, () => read(signal)), abortSignal);
    },
  };

  async function read(abortSignal: AbortSignal): Promise<VaultClientCredential> {
    const timeout = AbortSignal.timeout(timeoutMs);
    lastAttemptFailure = undefined;
    let secret: KeyVaultSecret;
    try {
      secret = await client.getSecret(secretName, { abortSignal: AbortSignal.any([abortSignal, timeout]) });
    } catch (error) {
      abortSignal.throwIfAborted();
      throw vaultError(error, timeout.aborted);
    }
    const credential = toCredential(secret);
    cached = { credential, readAt: clock() };
    warnIfExpiring(credential);
    return credential;
  }

  function toCredential(secret: KeyVaultSecret): VaultClientCredential {
    const { value } = secret;
    const { version, contentType, expiresOn } = secret.properties;
    if (!value || !version) {
      throw invalid(`Key Vault returned it without ${value ? 'a version' : 'a value'}`);
    }
    if (source.kind === 'secret') {
      if (contentType === PEM_CONTENT_TYPE || contentType === PKCS12_CONTENT_TYPE) {
        throw invalid(
          `it holds a certificate (content type ${contentType}); name it in CLIENT_CERTIFICATE_NAME instead of CLIENT_SECRET_NAME`,
        );
      }
      return { kind: 'secret', clientSecret: value.trim(), version, ...(expiresOn ? { expiresOn } : {}) };
    }
    if (contentType === PKCS12_CONTENT_TYPE) {
      throw invalid(
        `its content type is ${PKCS12_CONTENT_TYPE}, which due-notifier does not read; create the certificate in Key Vault with content type ${PEM_CONTENT_TYPE} (policy secretProperties.contentType)`,
      );
    }
    const parsed = parsePemCertificate(value);
    if (!parsed.ok) {
      throw invalid(`it is not a usable PEM certificate (content type ${contentType ?? 'not set'}): ${parsed.reason}`);
    }
    const { certificate } = parsed;
    const now = clock();
    if (certificate.validTo.getTime() <= now || certificate.validFrom.getTime() > now) {
      logger?.warn(
        `The certificate in ${description} (subject ${certificate.subject}, SHA-256 thumbprint ${certificate.thumbprintSha256}) is valid only from ${certificate.validFrom.toISOString()} to ${certificate.validTo.toISOString()}; Entra ID will reject it outside that period.`,
      );
    }
    return {
      kind: 'certificate',
      privateKey: certificate.privateKey,
      thumbprintSha256: certificate.thumbprintSha256,
      x5c: certificate.x5c,
      version,
      expiresOn: expiresOn ?? certificate.validTo,
    };
  }

  function warnIfExpiring(credential: VaultClientCredential): void {
    if (!credential.expiresOn) {
      return;
    }
    const remainingMs = credential.expiresOn.getTime() - clock();
    if (remainingMs >= EXPIRY_WARNING_MS) {
      return;
    }
    const when = credential.expiresOn.toISOString();
    const state =
      remainingMs <= 0 ? `expired on ${when}` : `expires on ${when} (in ${Math.ceil(remainingMs / 86_400_000)} day(s))`;
    logger?.warn(
      `The ${description} ${state}. Rotate it: add a new ${credential.kind === 'secret' ? 'client secret' : 'certificate'} to the app registration and store it in the vault as a new version of '${secretName}'.`,
    );
  }

  function invalid(reason: string): DueNotifierError {
    return new DueNotifierError('KeyVaultSecretInvalid', `The ${description} is unusable: ${reason}.`);
  }

  function vaultError(error: unknown, timedOut: boolean): DueNotifierError {
    const reading = `reading ${description}`;
    if (timedOut) {
      return new DueNotifierError(
        'KeyVaultUnavailable',
        `Key Vault ${vaultUrl} gave no answer within ${timeoutMs} ms ${reading}${lastAttemptFailure === undefined ? '' : ` (the last attempt failed: ${lastAttemptFailure})`}. Check KEY_VAULT_URL, the vault's firewall and private endpoint, and DNS from the function app.`,
        { cause: error },
      );
    }
    if (isRestError(error) && error.statusCode !== undefined) {
      const codes = errorCodes(error);
      const status = error.statusCode;
      const said = `${status}${codes.length > 0 ? ` ${codes.join('/')}` : ''}`;
      if (status === 404) {
        return new DueNotifierError(
          'KeyVaultSecretNotFound',
          `Key Vault ${vaultUrl} has no secret '${secretName}' (${said}). Fix: store the app's ${source.kind === 'secret' ? 'client secret' : 'certificate'} in the vault under that name, or set ${setting} to the secret that holds it.`,
          { cause: error },
        );
      }
      if (status === 403 && codes.includes('SecretDisabled')) {
        return new DueNotifierError(
          'KeyVaultSecretDisabled',
          `The ${description} is disabled (${said}). Fix: enable its current version in the vault, or store a new enabled version.`,
          { cause: error },
        );
      }
      if (status === 401 || status === 403) {
        return new DueNotifierError(
          'KeyVaultAccessDenied',
          `Key Vault ${vaultUrl} refused ${reading} (${said}). Fix: grant the function app's managed identity the 'Key Vault Secrets User' role on the vault (or, for a vault using access policies, Get permission on secrets).`,
          { cause: error },
        );
      }
      return new DueNotifierError('KeyVaultUnavailable', `Key Vault ${vaultUrl} answered ${said} ${reading}.`, {
        cause: error,
      });
    }
    if (error instanceof Error && IDENTITY_ERRORS.has(error.name)) {
      return new DueNotifierError(
        'KeyVaultAccessDenied',
        `No token for Key Vault ${vaultUrl} ${reading}: DefaultAzureCredential failed (${error.name}). Fix: enable the function app's managed identity (locally: sign in with the Azure CLI, or use the local stack's IDENTITY_ENDPOINT and IDENTITY_HEADER).`,
        { cause: error },
      );
    }
    return new DueNotifierError(
      'KeyVaultUnavailable',
      `Could not reach Key Vault ${vaultUrl} ${reading} (${networkErrorCode(error)}). Check KEY_VAULT_URL, the vault's firewall and private endpoint, and DNS from the function app.`,
      { cause: error },
    );
  }
}

const IDENTITY_ERRORS = new Set(['CredentialUnavailableError', 'AuthenticationError', 'AggregateAuthenticationError']);

/** Reports each attempt that failed with a network error or a 429/5xx (the retry policy retries those). */
function attemptFailurePolicy(report: (failure: string) => void): PipelinePolicy {
  return {
    name: 'dueNotifierKeyVaultAttemptFailure',
    async sendRequest(request, next) {
      try {
        const response = await next(request);
        if (response.status === 429 || response.status >= 500) {
          report(`HTTP ${response.status}`);
        }
        return response;
      } catch (error) {
        // Our own timeout ending the attempt says nothing about the vault.
        if (!request.abortSignal?.aborted) {
          report(networkErrorCode(error));
        }
        throw error;
      }
    },
  };
}

function countingPolicy(metrics: RequestMetrics): PipelinePolicy {
  return {
    name: 'dueNotifierKeyVaultRequestCount',
    sendRequest(request, next) {
      metrics.record('keyVault');
      return next(request);
    },
  };
}

/** Key Vault's error code and inner error code, e.g. `Forbidden` / `SecretDisabled`. */
function errorCodes(error: { readonly code?: string; readonly details?: unknown }): string[] {
  const codes = new Set<string>();
  if (error.code) {
    codes.add(error.code);
  }
  for (
    let current: unknown = isRecord(error.details) ? error.details.error : undefined, depth = 0;
    isRecord(current) && depth < 3;
    depth += 1
  ) {
    if (typeof current.code === 'string') {
      codes.add(current.code);
    }
    // The SDK hands the body over deserialized (`innerError`); the wire name is `innererror`.
    current = current.innerError ?? current.innererror;
  }
  return [...codes];
}
