import { X509Certificate, createHash, createPrivateKey, sign, verify } from 'node:crypto';
import { beforeAll, describe, expect, it } from 'vitest';
import { DirectoryError } from '../../../emulators/entra/directory-records.js';
import { createDirectory } from '../../../emulators/entra/directory.js';
import type { Directory } from '../../../emulators/entra/directory.js';
import type { DirectoryApplication } from '../../../emulators/entra/directory-records.js';
import type { SeedFile } from '../../../emulators/stack/seed.js';
import { createTestClock, identityTestSeed, ids, vaultSecretNames } from './identity-fixtures.js';

/** The test seed, with one secret whose value is given and which expires in a day. */
function seedWithGivenSecret(expiresOn: string): SeedFile {
  const seed = identityTestSeed();
  const [tenant] = seed.tenants;
  if (!tenant) throw new Error('the test seed has a tenant');
  const applications = tenant.applications.map((application) =>
    application.clientId !== ids.noRole.clientId
      ? application
      : {
          ...application,
          secrets: [...application.secrets, { keyId: 'given', value: 'given-secret-value', expiresOn }],
        },
  );
  return { ...seed, tenants: [{ ...tenant, applications }] };
}

describe('createDirectory', () => {
  const clock = createTestClock(Date.UTC(2026, 5, 1));
  let directory: Directory;
  let daemon: DirectoryApplication;

  beforeAll(async () => {
    directory = await createDirectory(seedWithGivenSecret(new Date(clock.now() + 86_400_000).toISOString()), {
      clock: clock.now,
    });
    const found = directory.findApplication(ids.tenant, ids.daemon.clientId);
    if (!found) throw new Error('the daemon app is in the test seed');
    daemon = found;
  });

  it('finds tenants, applications and managed identities case-insensitively, and only in their tenant', () => {
    expect(directory.findTenant(ids.tenant.toUpperCase())).toEqual({ id: ids.tenant, displayName: 'Fabrikam (test)' });
    expect(directory.findApplication(ids.tenant, ids.daemon.clientId.toUpperCase())?.objectId).toBe(
      ids.daemon.objectId,
    );
    expect(directory.findApplication('00000000-0000-0000-0000-000000000001', ids.daemon.clientId)).toBeUndefined();
    expect(directory.findManagedIdentity(ids.functionIdentity.clientId)).toMatchObject({
      tenantId: ids.tenant,
      principalId: ids.functionIdentity.principalId,
    });
    expect(directory.findManagedIdentity(ids.daemon.clientId)).toBeUndefined();
  });

  it('generates high-entropy secret values shaped like the portal’s and keeps values the seed gives', () => {
    const [generated] = daemon.secrets;
    expect(generated?.value).toMatch(/^[A-Za-z0-9_-]{3}8Q~[A-Za-z0-9_-]{34}$/);
    const other = directory.findApplication(ids.tenant, ids.officer.clientId)?.secrets[0]?.value;
    expect(other).not.toBe(generated?.value);
    const noRole = directory.findApplication(ids.tenant, ids.noRole.clientId);
    expect(noRole?.checkSecret('given-secret-value')).toBe('valid');
  });

  it('creates a self-signed RSA certificate whose thumbprints and key pair match', () => {
    const [certificate] = daemon.certificates;
    if (!certificate) throw new Error('the daemon has a certificate in the test seed');
    const x509 = new X509Certificate(certificate.certificatePem);
    expect(x509.subject).toBe('CN=due-notifier');
    expect(certificate.thumbprintSha1).toBe(createHash('sha1').update(x509.raw).digest('hex').toUpperCase());
    expect(certificate.thumbprintSha256).toBe(createHash('sha256').update(x509.raw).digest('hex').toUpperCase());
    expect(x509.publicKey.asymmetricKeyDetails?.modulusLength).toBe(2048);
    const signature = sign('sha256', Buffer.from('proof'), createPrivateKey(certificate.privateKeyPem ?? ''));
    expect(verify('sha256', Buffer.from('proof'), certificate.publicKey, signature)).toBe(true);
    expect(daemon.findCertificate({ sha256: Buffer.from(certificate.thumbprintSha256, 'hex') })).toBe(certificate);
    expect(daemon.findCertificate({ sha1: Buffer.from(certificate.thumbprintSha1, 'hex') })).toBe(certificate);
    expect(daemon.findCertificate({ sha1: Buffer.alloc(20) })).toBeUndefined();
  });

  it('lists the credentials to store in the vault: secret values, and certificates as key + certificate PEM', () => {
    const credentials = directory.credentialsForVault();
    expect(credentials.map((credential) => credential.secretName).sort()).toEqual(
      [
        vaultSecretNames.daemonSecret,
        vaultSecretNames.daemonCertificate,
        vaultSecretNames.noRoleSecret,
        vaultSecretNames.officerSecret,
      ].sort(),
    );
    const secret = credentials.find((credential) => credential.secretName === vaultSecretNames.daemonSecret);
    expect(secret).toEqual({ secretName: vaultSecretNames.daemonSecret, value: daemon.secrets[0]?.value });
    const certificate = credentials.find((credential) => credential.secretName === vaultSecretNames.daemonCertificate);
    const [registered] = daemon.certificates;
    expect(certificate).toEqual({
      secretName: vaultSecretNames.daemonCertificate,
      value: `${registered?.privateKeyPem}${registered?.certificatePem}`,
      contentType: 'application/x-pem-file',
      expiresOn: registered?.expiresOn,
    });
  });

  it('rotates, expires and revokes secrets by the directory clock, remembering every value it issued', () => {
    const original = daemon.secrets[0]?.value ?? '';
    const rotated = directory.rotateSecret(ids.daemon.clientId, { expiresOn: new Date(clock.now() + 60_000) });
    expect(daemon.checkSecret(rotated.value)).toBe('valid');
    expect(daemon.checkSecret(original)).toBe('valid');

    clock.advance(60_000);
    expect(daemon.checkSecret(rotated.value)).toBe('expired');

    const second = directory.rotateSecret(ids.daemon.clientId);
    directory.expireSecret(ids.daemon.clientId, second.keyId);
    expect(daemon.checkSecret(second.value)).toBe('expired');

    directory.revokeSecret(ids.daemon.clientId, rotated.keyId);
    expect(daemon.checkSecret(rotated.value)).toBe('invalid');
    expect(daemon.checkSecret('anything else')).toBe('invalid');

    const issued = directory.issuedSecretValues();
    expect(issued).toEqual(expect.arrayContaining([original, rotated.value, second.value, 'given-secret-value']));
    expect(issued).toContain(daemon.certificates[0]?.privateKeyPem);
  });

  it('reports unknown applications and secrets with typed errors', () => {
    expect(() => directory.rotateSecret('00000000-0000-0000-0000-000000000000')).toThrow(
      expect.objectContaining({ name: 'DirectoryError', code: 'UnknownApplication' }),
    );
    expect(() => directory.revokeSecret(ids.daemon.clientId, 'no-such-key')).toThrow(
      expect.objectContaining({ code: 'UnknownSecret' }),
    );
  });

  it('names the seed field of a date it cannot read', async () => {
    const failure = createDirectory(seedWithGivenSecret('next tuesday'));
    await expect(failure).rejects.toBeInstanceOf(DirectoryError);
    await expect(failure).rejects.toMatchObject({
      code: 'InvalidSeed',
      message: expect.stringContaining('tenants[0].applications[1].secrets[1].expiresOn'),
    });
  });
});
