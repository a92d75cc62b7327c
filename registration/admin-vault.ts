/**
 * Key Vault as the registration uses it, signed in as an administrator: the client secret stored as a
 * new version of its secret (with `expires` and the app password's key id as a tag, so that a rerun
 * knows which password it holds), and the client certificate created in the vault with a self-signed
 * policy (PEM, so that the daemon reads it as a secret of the same name). Writes are counted.
 */
import { isRestError } from '@azure/core-rest-pipeline';
import type { PipelinePolicy } from '@azure/core-rest-pipeline';
import type { TokenCredential } from '@azure/identity';
import { CertificateClient } from '@azure/keyvault-certificates';
import { SecretClient } from '@azure/keyvault-secrets';
import { isLoopbackHost } from '../shared/http/loopback.js';
import { RegistrationError, ROLE_NEEDED } from './errors.js';

/** The tag that links a vault secret's version to the app's password credential (Graph `keyId`). */
export const PASSWORD_KEY_ID_TAG = 'app-password-key-id';
/** How Key Vault stores a certificate's secret when asked for PEM: what the daemon reads. */
const PEM_CONTENT_TYPE = 'application/x-pem-file';

export interface StoredSecret {
  readonly version: string;
  /** The app password this version holds, from the tag the registration wrote. */
  readonly passwordKeyId?: string;
  readonly expiresOn?: Date;
  readonly enabled: boolean;
}

export interface StoredCertificate {
  readonly version: string;
  /** DER of the certificate (its public part). */
  readonly cer: Uint8Array;
  readonly expiresOn?: Date;
}

export interface AdminVault {
  readonly url: string;
  readSecret(name: string): Promise<StoredSecret | undefined>;
  storeSecret(
    name: string,
    value: string,
    options: { readonly expiresOn: Date; readonly passwordKeyId: string },
  ): Promise<StoredSecret>;
  readCertificate(name: string): Promise<StoredCertificate | undefined>;
  /** A new certificate (or a new version of it), self-signed, 12 months. */
  createCertificate(name: string, subject: string): Promise<StoredCertificate>;
  writes(): number;
}

export interface AdminVaultOptions {
  readonly url: string;
  readonly credential: TokenCredential;
  /** How often certificate creation is polled; default 1 s. */
  readonly pollIntervalMs?: number;
}

export function createAdminVault(options: AdminVaultOptions): AdminVault {
  const { url } = options;
  let writeCount = 0;
  const counting: PipelinePolicy = {
    name: 'registrationWriteCounter',
    sendRequest(request, next) {
      if (request.method !== 'GET') writeCount += 1;
      return next(request);
    },
  };
  const clientOptions = {
    // A loopback vault (the local stack) cannot name a *.vault.azure.net resource in its challenge.
    disableChallengeResourceVerification: isLoopbackHost(new URL(url).hostname),
    additionalPolicies: [{ policy: counting, position: 'perRetry' as const }],
  };
  const secrets = new SecretClient(url, options.credential, clientOptions);
  const certificates = new CertificateClient(url, options.credential, clientOptions);

  return {
    url,
    async readSecret(name) {
      try {
        const { properties } = await secrets.getSecret(name);
        return storedSecret(properties);
      } catch (error) {
        if (isRestError(error) && error.statusCode === 404) return undefined;
        throw vaultFailure(`read secret '${name}'`, url, error);
      }
    },
    async storeSecret(name, value, { expiresOn, passwordKeyId }) {
      try {
        const { properties } = await secrets.setSecret(name, value, {
          expiresOn,
          contentType: 'client secret',
          tags: { [PASSWORD_KEY_ID_TAG]: passwordKeyId },
        });
        return storedSecret(properties);
      } catch (error) {
        throw vaultFailure(`store secret '${name}'`, url, error);
      }
    },
    async readCertificate(name) {
      try {
        return storedCertificate(name, await certificates.getCertificate(name));
      } catch (error) {
        if (isRestError(error) && error.statusCode === 404) return undefined;
        throw vaultFailure(`read certificate '${name}'`, url, error);
      }
    },
    async createCertificate(name, subject) {
      try {
        const poller = await certificates.beginCreateCertificate(
          name,
          {
            issuerName: 'Self',
            subject,
            validityInMonths: 12,
            contentType: PEM_CONTENT_TYPE,
            keyType: 'RSA',
            keySize: 2048,
            exportable: true,
          },
          { intervalInMs: options.pollIntervalMs ?? 1000 },
        );
        return storedCertificate(name, await poller.pollUntilDone());
      } catch (error) {
        throw vaultFailure(`create certificate '${name}'`, url, error);
      }
    },
    writes: () => writeCount,
  };
}

function storedSecret(properties: {
  readonly version?: string;
  readonly tags?: Record<string, string>;
  readonly expiresOn?: Date;
  readonly enabled?: boolean;
}): StoredSecret {
  const passwordKeyId = properties.tags?.[PASSWORD_KEY_ID_TAG];
  return {
    version: properties.version ?? '',
    enabled: properties.enabled !== false,
    ...(passwordKeyId ? { passwordKeyId } : {}),
    ...(properties.expiresOn ? { expiresOn: properties.expiresOn } : {}),
  };
}

function storedCertificate(
  name: string,
  certificate: {
    readonly cer?: Uint8Array;
    readonly properties: { readonly version?: string; readonly expiresOn?: Date };
  },
): StoredCertificate {
  if (!certificate.cer) {
    throw new RegistrationError(
      'RegistrationFailed',
      `Key Vault returned certificate '${name}' without its public part (cer).`,
    );
  }
  return {
    version: certificate.properties.version ?? '',
    cer: certificate.cer,
    ...(certificate.properties.expiresOn ? { expiresOn: certificate.properties.expiresOn } : {}),
  };
}

function vaultFailure(what: string, url: string, error: unknown): Error {
  if (error instanceof RegistrationError) return error;
  if (isRestError(error)) {
    if (error.statusCode === 403 || error.statusCode === 401) {
      return new RegistrationError(
        'RegistrationForbidden',
        `Key Vault ${url} refused to ${what} (${error.statusCode} ${error.code ?? 'no code'}): the signed-in account needs ${ROLE_NEEDED.vault}.`,
      );
    }
    return new RegistrationError(
      'RegistrationFailed',
      `Key Vault ${url} could not ${what} (${error.statusCode ?? 'no status'} ${error.code ?? ''}).`,
      {
        cause: error,
      },
    );
  }
  return new RegistrationError('RegistrationFailed', `Key Vault ${url} could not ${what}.`, { cause: error });
}
