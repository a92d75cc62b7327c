/**
 * Reads the app's client certificate from a PEM bundle (private key plus certificate chain, the way Key
 * Vault stores a certificate with content type `application/x-pem-file`) into what MSAL needs.
 */
import { X509Certificate, createPrivateKey } from 'node:crypto';
import type { KeyObject } from 'node:crypto';

export interface ClientCertificate {
  /** PKCS#8 PEM (`-----BEGIN PRIVATE KEY-----`), the form MSAL accepts. */
  readonly privateKey: string;
  /** PEM: the certificate matching the key first, then the rest of the chain as given. */
  readonly x5c: string;
  /** SHA-256 of the DER certificate, upper-case hex without separators (what Entra ID shows). */
  readonly thumbprintSha256: string;
  readonly subject: string;
  readonly validFrom: Date;
  readonly validTo: Date;
}

export type ClientCertificateResult =
  | { readonly ok: true; readonly certificate: ClientCertificate }
  /** `reason` says what is wrong with the bundle; it never quotes the bundle. */
  | { readonly ok: false; readonly reason: string };

const PEM_BLOCK = /-----BEGIN ([A-Z0-9 ]+)-----[\s\S]+?-----END \1-----/g;
const PRIVATE_KEY_LABELS = new Set(['PRIVATE KEY', 'RSA PRIVATE KEY', 'EC PRIVATE KEY']);

export function parsePemCertificate(pem: string): ClientCertificateResult {
  const blocks = [...pem.matchAll(PEM_BLOCK)].map((match) => ({ label: match[1] ?? '', text: match[0] }));
  if (blocks.some((block) => block.label === 'ENCRYPTED PRIVATE KEY')) {
    return fail('its private key is encrypted with a password; store the key unencrypted (the vault protects it)');
  }
  const keyBlocks = blocks.filter((block) => PRIVATE_KEY_LABELS.has(block.label));
  const certificateBlocks = blocks.filter((block) => block.label === 'CERTIFICATE');
  if (keyBlocks.length !== 1 || certificateBlocks.length === 0) {
    return fail(
      `a PEM bundle needs exactly one private key and at least one certificate; found ${keyBlocks.length} private key(s) and ${certificateBlocks.length} certificate(s)`,
    );
  }
  let key: KeyObject;
  try {
    key = createPrivateKey(keyBlocks[0]?.text ?? '');
  } catch {
    return fail('its private key cannot be read');
  }
  if (key.asymmetricKeyType !== 'rsa') {
    return fail(
      `its key is ${key.asymmetricKeyType ?? 'of an unknown type'}, but client assertions are signed with RSA (PS256)`,
    );
  }
  let certificates: X509Certificate[];
  try {
    certificates = certificateBlocks.map((block) => new X509Certificate(block.text));
  } catch {
    return fail('a certificate in it cannot be read');
  }
  const leaf = certificates.find((certificate) => certificate.checkPrivateKey(key));
  if (!leaf) {
    return fail('none of its certificates matches its private key');
  }
  const chain = [leaf, ...certificates.filter((certificate) => certificate !== leaf)];
  return {
    ok: true,
    certificate: {
      privateKey: key.export({ type: 'pkcs8', format: 'pem' }).toString(),
      x5c: chain.map((certificate) => certificate.toString()).join(''),
      thumbprintSha256: leaf.fingerprint256.replaceAll(':', ''),
      subject: leaf.subject.replaceAll('\n', ', '),
      validFrom: leaf.validFromDate,
      validTo: leaf.validToDate,
    },
  };
}

function fail(reason: string): ClientCertificateResult {
  return { ok: false, reason };
}
