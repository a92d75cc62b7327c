/** CLIENT_CREDENTIAL, MANAGED_IDENTITY_CLIENT_ID and what each credential mode requires of the other settings. */
import { describe, expect, it } from 'vitest';
import { problemWith, testConfig } from '../../support/settings.js';

const IDENTITY = '0dd1b556-1d44-45c9-ba3e-1e5601d10546';
const SECRETLESS = {
  CLIENT_CREDENTIAL: 'managed-identity',
  MANAGED_IDENTITY_CLIENT_ID: IDENTITY,
  CLIENT_SECRET_NAME: undefined,
  KEY_VAULT_URL: undefined,
};

describe('credential settings', () => {
  it('infers the credential from the Key Vault secret name when CLIENT_CREDENTIAL is absent, as before', () => {
    expect(testConfig()).toMatchObject({ credential: { kind: 'secret' }, keyVaultUrl: expect.any(String) });
    expect(testConfig({ CLIENT_SECRET_NAME: undefined, CLIENT_CERTIFICATE_NAME: 'cert' }).credential).toEqual({
      kind: 'certificate',
      secretName: 'cert',
    });
  });

  it('managed-identity needs neither KEY_VAULT_URL nor a secret name, but the identity', () => {
    const config = testConfig(SECRETLESS);
    expect(config.credential).toEqual({ kind: 'managed-identity' });
    expect(config.managedIdentityClientId).toBe(IDENTITY);
    expect(config.keyVaultUrl).toBeUndefined();
    expect(testConfig({ ...SECRETLESS, CLIENT_CREDENTIAL: 'Managed-Identity' }).credential.kind).toBe(
      'managed-identity',
    );
    const missing = problemWith({ ...SECRETLESS, MANAGED_IDENTITY_CLIENT_ID: undefined }, 'MANAGED_IDENTITY_CLIENT_ID');
    expect(missing).toContain('user-assigned managed identity');
    problemWith({ ...SECRETLESS, MANAGED_IDENTITY_CLIENT_ID: 'id-due-notifier' }, 'MANAGED_IDENTITY_CLIENT_ID');
    expect(problemWith({ ...SECRETLESS, CLIENT_SECRET_NAME: 'kept' }, 'CLIENT_SECRET_NAME')).toContain(
      'reads no Key Vault secret',
    );
  });

  it('secret and certificate need KEY_VAULT_URL and their own secret name only', () => {
    expect(testConfig({ CLIENT_CREDENTIAL: 'secret' }).credential).toEqual({
      kind: 'secret',
      secretName: 'due-notifier-client-secret',
    });
    problemWith({ CLIENT_CREDENTIAL: 'secret', KEY_VAULT_URL: undefined }, 'KEY_VAULT_URL');
    problemWith({ CLIENT_CREDENTIAL: 'certificate' }, 'CLIENT_SECRET_NAME');
    problemWith({ CLIENT_CREDENTIAL: 'certificate', CLIENT_SECRET_NAME: undefined }, 'CLIENT_CERTIFICATE_NAME');
    expect(problemWith({ CLIENT_CREDENTIAL: 'password' }, 'CLIENT_CREDENTIAL')).toContain('managed-identity');
  });

  it('a set MANAGED_IDENTITY_CLIENT_ID is kept in the vault modes: the identity that reads the vault', () => {
    expect(testConfig({ MANAGED_IDENTITY_CLIENT_ID: IDENTITY })).toMatchObject({
      credential: { kind: 'secret' },
      managedIdentityClientId: IDENTITY,
    });
  });
});
