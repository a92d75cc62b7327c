/**
 * RSA key pairs and certificates made at test time (nothing generated is committed), in the PEM forms
 * Key Vault stores a certificate in.
 */
import { createHash, webcrypto } from 'node:crypto';
// @peculiar/x509 resolves its algorithms through tsyringe, which needs the Reflect metadata polyfill loaded first.
import 'reflect-metadata';
import * as x509 from '@peculiar/x509';

const rsa = {
  name: 'RSASSA-PKCS1-v1_5',
  hash: 'SHA-256',
  publicExponent: new Uint8Array([1, 0, 1]),
  modulusLength: 2048,
} as const;
const ecdsa = { name: 'ECDSA', namedCurve: 'P-256', hash: 'SHA-256' } as const;

export interface TestCertificate {
  /** PKCS#8 PEM. */
  readonly privateKeyPem: string;
  readonly certificatePem: string;
  /** SHA-256 of the DER certificate, upper-case hex. */
  readonly thumbprintSha256: string;
}

export async function createTestCertificate(
  options: { subject?: string; notBefore?: Date; notAfter?: Date; keyType?: 'rsa' | 'ec' } = {},
): Promise<TestCertificate> {
  const algorithm = options.keyType === 'ec' ? ecdsa : rsa;
  const keys = await webcrypto.subtle.generateKey(algorithm, true, ['sign', 'verify']);
  const notBefore = options.notBefore ?? new Date(Date.now() - 60_000);
  const certificate = await x509.X509CertificateGenerator.createSelfSigned({
    serialNumber: '01',
    name: `CN=${options.subject ?? 'due-notifier test'}`,
    notBefore,
    notAfter: options.notAfter ?? new Date(notBefore.getTime() + 30 * 86_400_000),
    keys,
    signingAlgorithm: algorithm,
  });
  const pkcs8 = Buffer.from(await webcrypto.subtle.exportKey('pkcs8', keys.privateKey));
  return {
    privateKeyPem: toPem('PRIVATE KEY', pkcs8),
    certificatePem: certificate.toString('pem') + '\n',
    thumbprintSha256: createHash('sha256').update(Buffer.from(certificate.rawData)).digest('hex').toUpperCase(),
  };
}

function toPem(label: string, der: Buffer): string {
  const lines = der.toString('base64').match(/.{1,64}/g) ?? [];
  return `-----BEGIN ${label}-----\n${lines.join('\n')}\n-----END ${label}-----\n`;
}
