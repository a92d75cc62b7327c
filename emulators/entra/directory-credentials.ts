/**
 * Client secrets and certificates of the emulated directory: made from the seed (values and key pairs
 * generated at start unless the seed gives them), generated for Graph's addPassword, read from an uploaded
 * certificate, and the constant-time check of a presented secret.
 */
import { createHash, randomBytes, randomUUID, timingSafeEqual } from 'node:crypto';
import type { ClientCertificateSeed, ClientSecretSeed } from '../stack/seed.js';
import { certificateFacts, createSelfSignedCertificate, toPem } from '../stack/self-signed-certificate.js';
import type { CertificateFacts } from '../stack/self-signed-certificate.js';
import { DirectoryError } from './directory-records.js';
import type { ClientSecretCheck, DirectoryCertificate, DirectoryClientSecret } from './directory-records.js';

const DEFAULT_CERTIFICATE_VALIDITY_MS = 365 * 86_400_000;

/** Compares in constant time against every secret; expiry is judged by `nowMs`. */
export function checkSecret(
  secrets: readonly DirectoryClientSecret[],
  presented: string,
  nowMs: number,
): ClientSecretCheck {
  const presentedDigest = sha256(Buffer.from(presented, 'utf8'));
  let result: ClientSecretCheck = 'invalid';
  // Every secret is compared, so the answer's timing does not reveal which one matched.
  for (const secret of secrets) {
    if (!timingSafeEqual(presentedDigest, sha256(Buffer.from(secret.value, 'utf8')))) continue;
    const expired = secret.expiresOn !== undefined && secret.expiresOn.getTime() <= nowMs;
    if (!expired) result = 'valid';
    else if (result === 'invalid') result = 'expired';
  }
  return result;
}

/** A key credential from an uploaded certificate (DER); throws `InvalidCertificate` for anything else. */
export function certificateFromDer(
  der: Buffer,
  options: { readonly keyId?: string; readonly displayName?: string; readonly customKeyIdentifier?: string },
): DirectoryCertificate {
  let facts: CertificateFacts;
  try {
    facts = certificateFacts(der);
  } catch (error) {
    throw new DirectoryError('InvalidCertificate', 'The key is not a DER-encoded X.509 certificate', {
      cause: error,
    });
  }
  return {
    ...facts,
    keyId: options.keyId ?? randomUUID(),
    der,
    certificatePem: toPem(der, 'CERTIFICATE'),
    displayName: options.displayName ?? facts.subject,
    customKeyIdentifier: options.customKeyIdentifier ?? facts.thumbprintSha1,
  };
}

/** A seeded client secret; its value is generated unless the seed gives one. */
export function secretFromSeed(seed: ClientSecretSeed, field: string): DirectoryClientSecret {
  return {
    keyId: seed.keyId,
    value: seed.value ?? generateSecretValue(),
    ...(seed.expiresOn === undefined ? {} : { expiresOn: parseInstant(seed.expiresOn, `${field}.expiresOn`) }),
  };
}

/** A seeded certificate: a new key pair and self-signed certificate with the seed's subject and expiry. */
export async function certificateFromSeed(
  seed: ClientCertificateSeed,
  field: string,
  nowMs: number,
): Promise<DirectoryCertificate> {
  const notBefore = new Date(nowMs - 60 * 60 * 1000);
  const expiresOn =
    seed.expiresOn === undefined
      ? new Date(nowMs + DEFAULT_CERTIFICATE_VALIDITY_MS)
      : parseInstant(seed.expiresOn, `${field}.expiresOn`);
  try {
    const created = await createSelfSignedCertificate({ subject: seed.subject, notBefore, notAfter: expiresOn });
    const facts = certificateFacts(created.der);
    return {
      ...facts,
      // Validity as asked, to the millisecond (X.509 keeps whole seconds).
      notBefore,
      expiresOn,
      keyId: seed.keyId,
      der: created.der,
      certificatePem: created.certificatePem,
      privateKeyPem: created.privateKeyPem,
      subject: seed.subject,
      displayName: seed.subject,
      customKeyIdentifier: facts.thumbprintSha1,
    };
  } catch (error) {
    throw new DirectoryError('InvalidSeed', `${field}: cannot create a certificate for subject '${seed.subject}'`, {
      cause: error,
    });
  }
}

/** Shaped like the portal's client secrets (`abc8Q~…`, 40 characters), with about 220 bits of entropy. */
export function generateSecretValue(): string {
  const characters = randomBytes(30).toString('base64url');
  return `${characters.slice(0, 3)}8Q~${characters.slice(3, 37)}`;
}

function parseInstant(value: string, field: string): Date {
  const date = new Date(value);
  if (Number.isNaN(date.getTime())) {
    throw new DirectoryError('InvalidSeed', `${field}: '${value}' is not an ISO date-time`);
  }
  return date;
}

function sha256(data: Buffer): Buffer {
  return createHash('sha256').update(data).digest();
}
