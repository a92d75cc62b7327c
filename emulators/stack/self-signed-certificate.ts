/**
 * Self-signed X.509 certificates with an RSA key, made the way the emulators need them: for seeded app
 * credentials (Entra ID) and for certificates Key Vault creates with the `Self` issuer. Parsing a
 * certificate someone uploads (thumbprints, validity, public key) uses Node's X509Certificate.
 */
import { createHash, createPublicKey, randomBytes, webcrypto, X509Certificate } from 'node:crypto';
import type { KeyObject } from 'node:crypto';
// @peculiar/x509 resolves its algorithms through tsyringe, which needs the Reflect metadata polyfill loaded first.
import 'reflect-metadata';
import * as x509 from '@peculiar/x509';

const keyAlgorithm = {
  name: 'RSASSA-PKCS1-v1_5',
  publicExponent: new Uint8Array([1, 0, 1]),
  hash: 'SHA-256',
} as const;

export interface SelfSignedCertificate {
  /** DER of the certificate. */
  readonly der: Buffer;
  readonly certificatePem: string;
  /** PKCS#8 PEM. */
  readonly privateKeyPem: string;
}

export interface CertificateFacts {
  readonly subject: string;
  readonly publicKey: KeyObject;
  /** Hex, upper case, as the Azure portal shows it. */
  readonly thumbprintSha1: string;
  /** Hex, upper case: what MSAL's `clientCertificate.thumbprintSha256` takes (`x5t#S256` header). */
  readonly thumbprintSha256: string;
  readonly notBefore: Date;
  readonly expiresOn: Date;
}

export async function createSelfSignedCertificate(options: {
  readonly subject: string;
  readonly notBefore: Date;
  readonly notAfter: Date;
  readonly keySize?: number;
}): Promise<SelfSignedCertificate> {
  const algorithm = { ...keyAlgorithm, modulusLength: options.keySize ?? 2048 };
  const keys = await webcrypto.subtle.generateKey(algorithm, true, ['sign', 'verify']);
  const certificate = await x509.X509CertificateGenerator.createSelfSigned(
    {
      serialNumber: randomBytes(16).toString('hex').replace(/^./, '1'),
      name: options.subject,
      notBefore: options.notBefore,
      notAfter: options.notAfter,
      signingAlgorithm: algorithm,
      keys,
      extensions: [new x509.KeyUsagesExtension(x509.KeyUsageFlags.digitalSignature, true)],
    },
    webcrypto,
  );
  const pkcs8 = Buffer.from(await webcrypto.subtle.exportKey('pkcs8', keys.privateKey));
  return {
    der: Buffer.from(certificate.rawData),
    certificatePem: certificate.toString('pem') + '\n',
    privateKeyPem: toPem(pkcs8, 'PRIVATE KEY'),
  };
}

/** What Entra ID reads from a certificate; throws for anything that is not a DER X.509 certificate. */
export function certificateFacts(der: Buffer): CertificateFacts {
  const certificate = new X509Certificate(der);
  return {
    subject: certificate.subject.split('\n').join(', '),
    publicKey: createPublicKey(certificate.toString()),
    thumbprintSha1: createHash('sha1').update(der).digest('hex').toUpperCase(),
    thumbprintSha256: createHash('sha256').update(der).digest('hex').toUpperCase(),
    notBefore: new Date(certificate.validFrom),
    expiresOn: new Date(certificate.validTo),
  };
}

export function toPem(der: Buffer, label: string): string {
  const lines = der.toString('base64').match(/.{1,64}/g) ?? [];
  return `-----BEGIN ${label}-----\n${lines.join('\n')}\n-----END ${label}-----\n`;
}
