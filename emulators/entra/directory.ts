/**
 * The emulated Entra ID directory: tenants, app registrations (client secrets, certificates, granted
 * app roles) and managed identities, built from the seed file. Secret values and certificate key pairs
 * are generated at start unless the seed gives them, so nothing secret needs to live in the seed.
 */
import { createHash, createPublicKey, randomBytes, randomUUID, timingSafeEqual, webcrypto } from 'node:crypto';
import type { KeyObject } from 'node:crypto';
// @peculiar/x509 resolves its algorithms through tsyringe, which needs the Reflect metadata polyfill loaded first.
import 'reflect-metadata';
import * as x509 from '@peculiar/x509';
import type { ApplicationSeed, ClientCertificateSeed, ClientSecretSeed, SeedFile } from '../stack/seed.js';

const certificateKeyAlgorithm = {
  name: 'RSASSA-PKCS1-v1_5',
  modulusLength: 2048,
  publicExponent: new Uint8Array([1, 0, 1]),
  hash: 'SHA-256',
} as const;
const DEFAULT_CERTIFICATE_VALIDITY_MS = 365 * 86_400_000;

export interface DirectoryTenant {
  readonly id: string;
  readonly displayName: string;
}

export interface DirectoryClientSecret {
  readonly keyId: string;
  readonly value: string;
  readonly expiresOn?: Date;
}

export interface DirectoryCertificate {
  readonly keyId: string;
  readonly subject: string;
  readonly certificatePem: string;
  /** PKCS#8 PEM. */
  readonly privateKeyPem: string;
  readonly publicKey: KeyObject;
  /** Hex, upper case, as the Azure portal shows it (the legacy `x5t` header is its base64url form). */
  readonly thumbprintSha1: string;
  /** Hex, upper case: what MSAL's `clientCertificate.thumbprintSha256` takes (`x5t#S256` header). */
  readonly thumbprintSha256: string;
  readonly notBefore: Date;
  readonly expiresOn: Date;
}

export type ClientSecretCheck = 'valid' | 'expired' | 'invalid';

export interface DirectoryApplication {
  readonly tenantId: string;
  readonly clientId: string;
  /** Object id of the app's service principal. */
  readonly objectId: string;
  readonly displayName: string;
  readonly appRoles: readonly string[];
  /** The secrets currently registered (rotation adds, revocation removes). */
  readonly secrets: readonly DirectoryClientSecret[];
  readonly certificates: readonly DirectoryCertificate[];
  /** Compares in constant time against every registered secret; expiry is judged by the directory's clock. */
  checkSecret(presented: string): ClientSecretCheck;
  /** The registered certificate with this SHA-256 or SHA-1 thumbprint (raw digest bytes). */
  findCertificate(thumbprint: { readonly sha256?: Buffer; readonly sha1?: Buffer }): DirectoryCertificate | undefined;
}

export interface DirectoryManagedIdentity {
  readonly tenantId: string;
  readonly clientId: string;
  readonly principalId: string;
  readonly displayName: string;
}

export interface VaultCredential {
  readonly secretName: string;
  readonly value: string;
  readonly contentType?: string;
  readonly expiresOn?: Date;
}

export interface Directory {
  /** The directory's clock (milliseconds since the epoch): secret and certificate expiry are judged by it. */
  now(): number;
  findTenant(tenantId: string): DirectoryTenant | undefined;
  findApplication(tenantId: string, clientId: string): DirectoryApplication | undefined;
  findManagedIdentity(clientId: string): DirectoryManagedIdentity | undefined;
  /** What the stack stores in the vault at start: seeded credentials that name a vault secret. */
  credentialsForVault(): VaultCredential[];
  /** Adds a new client secret; the existing ones stay valid until revoked or expired. */
  rotateSecret(clientId: string, options?: { readonly expiresOn?: Date }): { keyId: string; value: string };
  revokeSecret(clientId: string, keyId: string): void;
  /** Makes the secret expire now (by the directory's clock). */
  expireSecret(clientId: string, keyId: string): void;
  /** Every secret value and private key the directory ever held, for leak checks. */
  issuedSecretValues(): string[];
}

export interface DirectoryOptions {
  /** Milliseconds since the epoch; defaults to `Date.now`. */
  readonly clock?: () => number;
}

export type DirectoryErrorCode = 'UnknownApplication' | 'UnknownSecret' | 'InvalidSeed';

export class DirectoryError extends Error {
  readonly code: DirectoryErrorCode;
  constructor(code: DirectoryErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'DirectoryError';
    this.code = code;
  }
}

interface MutableApplication extends DirectoryApplication {
  secrets: DirectoryClientSecret[];
}

export async function createDirectory(seed: SeedFile, options: DirectoryOptions = {}): Promise<Directory> {
  const clock = options.clock ?? Date.now;
  const issuedValues: string[] = [];
  const tenants = new Map<string, DirectoryTenant>();
  const applications = new Map<string, MutableApplication>();
  const managedIdentities = new Map<string, DirectoryManagedIdentity>();
  const vaultCredentials: VaultCredential[] = [];

  for (const [tenantIndex, tenantSeed] of seed.tenants.entries()) {
    const tenantId = tenantSeed.id.toLowerCase();
    tenants.set(tenantId, { id: tenantId, displayName: tenantSeed.displayName });
    for (const [appIndex, appSeed] of tenantSeed.applications.entries()) {
      const field = `tenants[${tenantIndex}].applications[${appIndex}]`;
      const application = await createApplication(tenantId, appSeed, field, clock);
      applications.set(applicationKey(tenantId, application.clientId), application);
      issuedValues.push(...application.secrets.map((secret) => secret.value));
      issuedValues.push(...application.certificates.map((certificate) => certificate.privateKeyPem));
      vaultCredentials.push(...vaultCredentialsOf(appSeed, application));
    }
    for (const identitySeed of tenantSeed.managedIdentities) {
      const clientId = identitySeed.clientId.toLowerCase();
      managedIdentities.set(clientId, { ...identitySeed, clientId, tenantId });
    }
  }

  function applicationByClientId(clientId: string): MutableApplication {
    const wanted = clientId.toLowerCase();
    for (const application of applications.values()) {
      if (application.clientId === wanted) return application;
    }
    throw new DirectoryError('UnknownApplication', `No application with client id ${clientId} in the directory`);
  }

  function secretIndex(application: MutableApplication, keyId: string): number {
    const index = application.secrets.findIndex((secret) => secret.keyId === keyId);
    if (index < 0) {
      throw new DirectoryError('UnknownSecret', `Application ${application.clientId} has no secret ${keyId}`);
    }
    return index;
  }

  return {
    now: () => clock(),
    findTenant: (tenantId) => tenants.get(tenantId.toLowerCase()),
    findApplication: (tenantId, clientId) => applications.get(applicationKey(tenantId, clientId)),
    findManagedIdentity: (clientId) => managedIdentities.get(clientId.toLowerCase()),
    credentialsForVault: () => vaultCredentials.map((credential) => ({ ...credential })),
    rotateSecret(clientId, rotateOptions = {}) {
      const application = applicationByClientId(clientId);
      const secret = {
        keyId: randomUUID(),
        value: generateSecretValue(),
        ...(rotateOptions.expiresOn ? { expiresOn: new Date(rotateOptions.expiresOn) } : {}),
      };
      application.secrets.push(secret);
      issuedValues.push(secret.value);
      return { keyId: secret.keyId, value: secret.value };
    },
    revokeSecret(clientId, keyId) {
      const application = applicationByClientId(clientId);
      application.secrets.splice(secretIndex(application, keyId), 1);
    },
    expireSecret(clientId, keyId) {
      const application = applicationByClientId(clientId);
      const index = secretIndex(application, keyId);
      const secret = application.secrets[index];
      if (secret) application.secrets[index] = { ...secret, expiresOn: new Date(clock()) };
    },
    issuedSecretValues: () => [...issuedValues],
  };
}

function applicationKey(tenantId: string, clientId: string): string {
  return `${tenantId.toLowerCase()}/${clientId.toLowerCase()}`;
}

async function createApplication(
  tenantId: string,
  seed: ApplicationSeed,
  field: string,
  clock: () => number,
): Promise<MutableApplication> {
  const secrets = seed.secrets.map((secretSeed, index) => createSecret(secretSeed, `${field}.secrets[${index}]`));
  const certificates = await Promise.all(
    seed.certificates.map((certificateSeed, index) =>
      createCertificate(certificateSeed, `${field}.certificates[${index}]`, clock()),
    ),
  );
  const application: MutableApplication = {
    tenantId,
    clientId: seed.clientId.toLowerCase(),
    objectId: seed.objectId,
    displayName: seed.displayName,
    appRoles: [...seed.appRoles],
    secrets,
    certificates,
    checkSecret(presented) {
      const presentedDigest = sha256(Buffer.from(presented, 'utf8'));
      let result: ClientSecretCheck = 'invalid';
      // Every secret is compared, so the answer's timing does not reveal which one matched.
      for (const secret of application.secrets) {
        if (!timingSafeEqual(presentedDigest, sha256(Buffer.from(secret.value, 'utf8')))) continue;
        const expired = secret.expiresOn !== undefined && secret.expiresOn.getTime() <= clock();
        if (!expired) result = 'valid';
        else if (result === 'invalid') result = 'expired';
      }
      return result;
    },
    findCertificate(thumbprint) {
      return certificates.find(
        (certificate) =>
          (thumbprint.sha256 !== undefined &&
            thumbprint.sha256.toString('hex').toUpperCase() === certificate.thumbprintSha256) ||
          (thumbprint.sha1 !== undefined &&
            thumbprint.sha1.toString('hex').toUpperCase() === certificate.thumbprintSha1),
      );
    },
  };
  return application;
}

function createSecret(seed: ClientSecretSeed, field: string): DirectoryClientSecret {
  return {
    keyId: seed.keyId,
    value: seed.value ?? generateSecretValue(),
    ...(seed.expiresOn === undefined ? {} : { expiresOn: parseInstant(seed.expiresOn, `${field}.expiresOn`) }),
  };
}

async function createCertificate(
  seed: ClientCertificateSeed,
  field: string,
  nowMs: number,
): Promise<DirectoryCertificate> {
  const notBefore = new Date(nowMs - 60 * 60 * 1000);
  const expiresOn =
    seed.expiresOn === undefined
      ? new Date(nowMs + DEFAULT_CERTIFICATE_VALIDITY_MS)
      : parseInstant(seed.expiresOn, `${field}.expiresOn`);
  const keys = await webcrypto.subtle.generateKey(certificateKeyAlgorithm, true, ['sign', 'verify']);
  let certificate: x509.X509Certificate;
  try {
    certificate = await x509.X509CertificateGenerator.createSelfSigned(
      {
        serialNumber: randomBytes(16).toString('hex').replace(/^./, '1'),
        name: seed.subject,
        notBefore,
        notAfter: expiresOn,
        signingAlgorithm: certificateKeyAlgorithm,
        keys,
        extensions: [new x509.KeyUsagesExtension(x509.KeyUsageFlags.digitalSignature, true)],
      },
      webcrypto,
    );
  } catch (error) {
    throw new DirectoryError('InvalidSeed', `${field}: cannot create a certificate for subject '${seed.subject}'`, {
      cause: error,
    });
  }
  const der = Buffer.from(certificate.rawData);
  const certificatePem = certificate.toString('pem') + '\n';
  const pkcs8 = Buffer.from(await webcrypto.subtle.exportKey('pkcs8', keys.privateKey));
  return {
    keyId: seed.keyId,
    subject: seed.subject,
    certificatePem,
    privateKeyPem: toPem(pkcs8, 'PRIVATE KEY'),
    publicKey: createPublicKey(certificatePem),
    thumbprintSha1: createHash('sha1').update(der).digest('hex').toUpperCase(),
    thumbprintSha256: createHash('sha256').update(der).digest('hex').toUpperCase(),
    notBefore,
    expiresOn,
  };
}

function vaultCredentialsOf(seed: ApplicationSeed, application: DirectoryApplication): VaultCredential[] {
  const credentials: VaultCredential[] = [];
  seed.secrets.forEach((secretSeed, index) => {
    const secret = application.secrets[index];
    if (secretSeed.keyVaultSecretName === undefined || !secret) return;
    credentials.push({
      secretName: secretSeed.keyVaultSecretName,
      value: secret.value,
      ...(secret.expiresOn ? { expiresOn: secret.expiresOn } : {}),
    });
  });
  seed.certificates.forEach((certificateSeed, index) => {
    const certificate = application.certificates[index];
    if (certificateSeed.keyVaultSecretName === undefined || !certificate) return;
    credentials.push({
      secretName: certificateSeed.keyVaultSecretName,
      // Key Vault's PEM layout for a certificate with its key: private key first, then the certificate.
      value: certificate.privateKeyPem + certificate.certificatePem,
      contentType: 'application/x-pem-file',
      expiresOn: certificate.expiresOn,
    });
  });
  return credentials;
}

/** Shaped like the portal's client secrets (`abc8Q~…`, 40 characters), with about 220 bits of entropy. */
function generateSecretValue(): string {
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

function toPem(der: Buffer, label: string): string {
  const lines = der.toString('base64').match(/.{1,64}/g) ?? [];
  return `-----BEGIN ${label}-----\n${lines.join('\n')}\n-----END ${label}-----\n`;
}
