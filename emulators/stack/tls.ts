/**
 * The local certificate authority of the emulator stack: created once under a git-ignored folder,
 * reused afterwards, and trusted by clients through `NODE_EXTRA_CA_CERTS=<caCertPath>`.
 */
import { webcrypto } from 'node:crypto';
import { link, mkdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { isIP } from 'node:net';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
// @peculiar/x509 resolves its algorithms through tsyringe, which needs the Reflect metadata polyfill loaded first.
import 'reflect-metadata';
import * as x509 from '@peculiar/x509';

/** ECDSA P-256: key generation and signing take milliseconds, and Node's TLS accepts it. */
const keyAlgorithm = { name: 'ECDSA', namedCurve: 'P-256' } as const;
const signingAlgorithm = { name: 'ECDSA', hash: 'SHA-256' } as const;
const CA_VALIDITY_DAYS = 3650;
const SERVER_VALIDITY_DAYS = 30;
/** A CA this close to expiry is replaced instead of reused. */
const CA_RENEWAL_MARGIN_DAYS = 30;
const DAY_MS = 86_400_000;

export const DEFAULT_CA_DIRECTORY = fileURLToPath(new URL('../../.local/ca', import.meta.url));

export interface ServerCertificate {
  /** PEM certificate chain: the server certificate followed by the CA certificate. */
  readonly cert: string;
  /** PEM (PKCS#8) private key of the server certificate. */
  readonly key: string;
}

export interface LocalCa {
  /** File to pass as `NODE_EXTRA_CA_CERTS`. */
  readonly caCertPath: string;
  readonly caCertPem: string;
  /** Issues a server certificate for DNS names and IP addresses, signed by the CA. */
  issueServerCertificate(hostnames: readonly string[]): Promise<ServerCertificate>;
}

export class LocalCaError extends Error {
  readonly code = 'LocalCaError';
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'LocalCaError';
  }
}

interface CaMaterial {
  readonly certificate: x509.X509Certificate;
  readonly privateKey: webcrypto.CryptoKey;
}

/**
 * Returns the local CA in `directory`, creating it first if it is missing or about to expire.
 * Concurrent callers (several processes) agree on one CA: the first to publish the key pair wins.
 */
export async function ensureLocalCa(directory: string = DEFAULT_CA_DIRECTORY): Promise<LocalCa> {
  const pairPath = join(directory, 'ca-key-and-cert.pem');
  const caCertPath = join(directory, 'ca.pem');
  await mkdir(directory, { recursive: true, mode: 0o700 });

  let material = await readCaMaterial(pairPath);
  if (!material || material.certificate.notAfter.getTime() - Date.now() < CA_RENEWAL_MARGIN_DAYS * DAY_MS) {
    material = await publishCaMaterial(pairPath, await createCaMaterial(), material !== undefined);
  }
  const caCertPem = material.certificate.toString('pem') + '\n';
  // Derived from the pair, so concurrent writers write identical content.
  if ((await readFile(caCertPath, 'utf8').catch(() => undefined)) !== caCertPem) {
    await writeAtomically(caCertPath, caCertPem, 0o644);
  }
  const ca = material;
  return {
    caCertPath,
    caCertPem,
    issueServerCertificate: (hostnames) => issueServerCertificate(ca, hostnames),
  };
}

async function readCaMaterial(pairPath: string): Promise<CaMaterial | undefined> {
  let text: string;
  try {
    text = await readFile(pairPath, 'utf8');
  } catch (error) {
    if (isErrnoException(error) && error.code === 'ENOENT') return undefined;
    throw new LocalCaError(`Cannot read the local CA at ${pairPath}`, { cause: error });
  }
  const certificatePem = /-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/.exec(text)?.[0];
  const keyPem = /-----BEGIN PRIVATE KEY-----[\s\S]+?-----END PRIVATE KEY-----/.exec(text)?.[0];
  if (!certificatePem || !keyPem) {
    throw new LocalCaError(`The local CA file ${pairPath} is damaged: delete its folder to create a new CA`);
  }
  try {
    const certificate = new x509.X509Certificate(certificatePem);
    const privateKey = await webcrypto.subtle.importKey('pkcs8', pemToDer(keyPem), keyAlgorithm, false, ['sign']);
    return { certificate, privateKey };
  } catch (error) {
    throw new LocalCaError(`The local CA file ${pairPath} is damaged: delete its folder to create a new CA`, {
      cause: error,
    });
  }
}

async function createCaMaterial(): Promise<CaMaterial & { readonly pem: string }> {
  const keys = await webcrypto.subtle.generateKey(keyAlgorithm, true, ['sign', 'verify']);
  const now = Date.now();
  const certificate = await x509.X509CertificateGenerator.createSelfSigned(
    {
      serialNumber: randomSerialNumber(),
      name: `CN=due-notifier local CA ${new Date(now).toISOString().slice(0, 10)}, O=due-notifier emulators`,
      notBefore: new Date(now - DAY_MS),
      notAfter: new Date(now + CA_VALIDITY_DAYS * DAY_MS),
      signingAlgorithm,
      keys,
      extensions: [
        new x509.BasicConstraintsExtension(true, 0, true),
        new x509.KeyUsagesExtension(x509.KeyUsageFlags.keyCertSign | x509.KeyUsageFlags.cRLSign, true),
        await x509.SubjectKeyIdentifierExtension.create(keys.publicKey, false, webcrypto),
      ],
    },
    webcrypto,
  );
  const pkcs8 = await webcrypto.subtle.exportKey('pkcs8', keys.privateKey);
  const pem = `${certificate.toString('pem')}\n${derToPem(pkcs8, 'PRIVATE KEY')}`;
  return { certificate, privateKey: keys.privateKey, pem };
}

/**
 * Publishes a new CA. A missing CA is created with an exclusive link, so when two processes race the
 * first one wins and the other adopts its CA; an expiring CA is replaced by rename.
 */
async function publishCaMaterial(
  pairPath: string,
  created: CaMaterial & { readonly pem: string },
  replace: boolean,
): Promise<CaMaterial> {
  const temporaryPath = `${pairPath}.${process.pid}.${randomSerialNumber()}.tmp`;
  await writeFile(temporaryPath, created.pem, { mode: 0o600 });
  try {
    if (replace) {
      await rename(temporaryPath, pairPath);
      return created;
    }
    await link(temporaryPath, pairPath);
    return created;
  } catch (error) {
    if (!(isErrnoException(error) && error.code === 'EEXIST')) {
      throw new LocalCaError(`Cannot write the local CA at ${pairPath}`, { cause: error });
    }
    const winner = await readCaMaterial(pairPath);
    if (!winner) throw new LocalCaError(`The local CA at ${pairPath} vanished while it was being created`);
    return winner;
  } finally {
    await rm(temporaryPath, { force: true });
  }
}

async function issueServerCertificate(ca: CaMaterial, hostnames: readonly string[]): Promise<ServerCertificate> {
  if (hostnames.length === 0) throw new LocalCaError('A server certificate needs at least one hostname');
  const keys = await webcrypto.subtle.generateKey(keyAlgorithm, true, ['sign', 'verify']);
  const now = Date.now();
  const names = hostnames.map((hostname) =>
    isIP(hostname) !== 0 ? { type: 'ip' as const, value: hostname } : { type: 'dns' as const, value: hostname },
  );
  const certificate = await x509.X509CertificateGenerator.create(
    {
      serialNumber: randomSerialNumber(),
      subject: `CN=${hostnames[0]}, O=due-notifier emulators`,
      issuer: ca.certificate.subject,
      notBefore: new Date(now - 60 * 60 * 1000),
      notAfter: new Date(now + SERVER_VALIDITY_DAYS * DAY_MS),
      signingAlgorithm,
      publicKey: keys.publicKey,
      signingKey: ca.privateKey,
      extensions: [
        new x509.BasicConstraintsExtension(false, undefined, true),
        new x509.KeyUsagesExtension(x509.KeyUsageFlags.digitalSignature, true),
        new x509.ExtendedKeyUsageExtension([x509.ExtendedKeyUsage.serverAuth], false),
        new x509.SubjectAlternativeNameExtension(names, false),
        await x509.SubjectKeyIdentifierExtension.create(keys.publicKey, false, webcrypto),
        await x509.AuthorityKeyIdentifierExtension.create(ca.certificate, false, webcrypto),
      ],
    },
    webcrypto,
  );
  const pkcs8 = await webcrypto.subtle.exportKey('pkcs8', keys.privateKey);
  return {
    cert: `${certificate.toString('pem')}\n${ca.certificate.toString('pem')}\n`,
    key: derToPem(pkcs8, 'PRIVATE KEY'),
  };
}

async function writeAtomically(path: string, content: string, mode: number): Promise<void> {
  const temporaryPath = `${path}.${process.pid}.${randomSerialNumber()}.tmp`;
  try {
    await writeFile(temporaryPath, content, { mode });
    await rename(temporaryPath, path);
  } catch (error) {
    await rm(temporaryPath, { force: true });
    throw new LocalCaError(`Cannot write ${path}`, { cause: error });
  }
}

/** Positive 16-byte serial (the top bit cleared so the DER integer stays positive). */
function randomSerialNumber(): string {
  const bytes = webcrypto.getRandomValues(new Uint8Array(16));
  bytes[0] = (bytes[0] ?? 0) & 0x7f;
  return Buffer.from(bytes).toString('hex');
}

function derToPem(der: ArrayBuffer, label: string): string {
  const base64 = Buffer.from(der).toString('base64');
  const lines = base64.match(/.{1,64}/g) ?? [];
  return `-----BEGIN ${label}-----\n${lines.join('\n')}\n-----END ${label}-----\n`;
}

function pemToDer(pem: string): Buffer {
  return Buffer.from(pem.replace(/-----(BEGIN|END) [A-Z ]+-----|\s+/g, ''), 'base64');
}

function isErrnoException(error: unknown): error is NodeJS.ErrnoException {
  return error instanceof Error && 'code' in error;
}
