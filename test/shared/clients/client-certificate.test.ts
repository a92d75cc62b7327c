import { X509Certificate, createPrivateKey } from 'node:crypto';
import { beforeAll, describe, expect, it } from 'vitest';
import { parsePemCertificate } from '../../../shared/clients/client-certificate.js';
import { createTestCertificate } from '../../support/rsa-certificates.js';
import type { TestCertificate } from '../../support/rsa-certificates.js';

let app: TestCertificate;
let other: TestCertificate;

beforeAll(async () => {
  [app, other] = await Promise.all([
    createTestCertificate({ subject: 'due-notifier' }),
    createTestCertificate({ subject: 'issuer' }),
  ]);
});

function reasonOf(pem: string): string {
  const result = parsePemCertificate(pem);
  if (result.ok) {
    throw new Error('expected the bundle to be refused');
  }
  expect(result.reason).not.toContain('BEGIN');
  return result.reason;
}

describe('parsePemCertificate', () => {
  it('reads Key Vault’s PEM layout: key, thumbprint, certificate, validity', () => {
    const result = parsePemCertificate(app.privateKeyPem + app.certificatePem);
    if (!result.ok) {
      throw new Error(result.reason);
    }
    const { certificate } = result;
    expect(certificate.thumbprintSha256).toBe(app.thumbprintSha256);
    expect(certificate.thumbprintSha256).toMatch(/^[0-9A-F]{64}$/);
    expect(certificate.privateKey).toMatch(/^-----BEGIN PRIVATE KEY-----/);
    expect(new X509Certificate(certificate.x5c).fingerprint256.replaceAll(':', '')).toBe(app.thumbprintSha256);
    expect(certificate.subject).toBe('CN=due-notifier');
    expect(certificate.validTo.getTime()).toBeGreaterThan(Date.now());
  });

  it('puts the certificate matching the key first, whatever the order, and keeps the chain', () => {
    const result = parsePemCertificate(other.certificatePem + app.certificatePem + '\n' + app.privateKeyPem);
    if (!result.ok) {
      throw new Error(result.reason);
    }
    const blocks = result.certificate.x5c.match(/-----BEGIN CERTIFICATE-----/g);
    expect(blocks).toHaveLength(2);
    expect(new X509Certificate(result.certificate.x5c).fingerprint256.replaceAll(':', '')).toBe(app.thumbprintSha256);
  });

  it('accepts a PKCS#1 (RSA PRIVATE KEY) key and hands MSAL PKCS#8', () => {
    const pkcs1 = createPrivateKey(app.privateKeyPem).export({ type: 'pkcs1', format: 'pem' }).toString();
    const result = parsePemCertificate(pkcs1 + app.certificatePem);
    expect(result.ok && result.certificate.privateKey.startsWith('-----BEGIN PRIVATE KEY-----')).toBe(true);
  });

  it('refuses an encrypted key, naming the problem', () => {
    const encrypted = createPrivateKey(app.privateKeyPem)
      .export({ type: 'pkcs8', format: 'pem', cipher: 'aes-256-cbc', passphrase: 'pw' })
      .toString();
    expect(reasonOf(encrypted + app.certificatePem)).toContain('encrypted');
  });

  it('refuses a key that no certificate matches', () => {
    expect(reasonOf(other.privateKeyPem + app.certificatePem)).toContain('matches');
  });

  it('refuses a bundle without key or certificate, or with two keys', () => {
    expect(reasonOf(app.certificatePem)).toContain('found 0 private key(s) and 1 certificate(s)');
    expect(reasonOf(app.privateKeyPem)).toContain('found 1 private key(s) and 0 certificate(s)');
    expect(reasonOf(app.privateKeyPem + other.privateKeyPem + app.certificatePem)).toContain('exactly one private key');
    expect(reasonOf('not a pem at all')).toContain('found 0 private key(s)');
  });

  it('refuses a damaged key', () => {
    const damaged = app.privateKeyPem.replace(/\n[A-Za-z0-9+/]{64}\n/, '\nAAAA\n');
    expect(reasonOf(damaged + app.certificatePem)).toContain('cannot be read');
  });

  it('refuses an EC key: client assertions are signed with RSA', async () => {
    const ec = await createTestCertificate({ keyType: 'ec' });
    expect(reasonOf(ec.privateKeyPem + ec.certificatePem)).toContain('RSA');
  });
});
