/**
 * The registration's options: the function app's settings are the defaults, and bad values are one line
 * naming the flag (or setting) to fix.
 */
import { describe, expect, it } from 'vitest';
import { parseDuration, specFromOptions } from '../../registration/options.js';

const TENANT = '11111111-1111-4111-8111-111111111111';
const MI = '22222222-2222-4222-8222-222222222222';

describe('specFromOptions', () => {
  it('takes its defaults from the settings the daemon reads', () => {
    const spec = specFromOptions(
      {},
      {
        ENTRA_TENANT_ID: TENANT,
        KEY_VAULT_URL: 'https://vault.example/',
        CLIENT_SECRET_NAME: 'app-secret',
        OBLIGATIONS_SITE_ID: 'host,a,b',
        ENTRA_AUTHORITY_HOST: 'https://localhost:4443',
      },
    );
    expect(spec).toMatchObject({
      tenantId: TENANT,
      uniqueName: 'due-notifier',
      signInAudience: 'AzureADMyOrg',
      sitesPermission: 'Sites.Read.All',
      credential: 'secret',
      keyVaultUrl: 'https://vault.example',
      secretName: 'app-secret',
      siteId: 'host,a,b',
      secretLifetimeDays: 180,
      authorityHost: 'https://localhost:4443',
      graphBaseUrl: 'https://graph.microsoft.com/v1.0',
    });
  });

  it('lets the flags win and describes the managed-identity mode without a vault', () => {
    const spec = specFromOptions(
      {
        credential: 'managed-identity',
        tenant: TENANT,
        managedIdentityClientId: MI,
        multiTenant: true,
        sitesSelected: true,
        site: 's,1,2',
      },
      { KEY_VAULT_URL: 'https://vault.example' },
    );
    expect(spec).toMatchObject({
      credential: 'managed-identity',
      managedIdentity: { clientId: MI },
      signInAudience: 'AzureADMultipleOrgs',
      sitesPermission: 'Sites.Selected',
    });
    expect(spec.keyVaultUrl).toBeUndefined();
  });

  it.each([
    [{ credential: 'password' }, /--credential must be one of secret, certificate, managed-identity/],
    [{ tenant: 'contoso.com' }, /--tenant \(or ENTRA_TENANT_ID\) must be the directory \(tenant\) id, a GUID/],
    [{ tenant: TENANT }, /pass --key-vault-url/],
    [
      { tenant: TENANT, keyVaultUrl: 'https://v', sitesSelected: true },
      /--sites-selected grants read access to one site: pass --site/,
    ],
    [
      { tenant: TENANT, keyVaultUrl: 'https://v', secretDays: '1000' },
      /--secret-days must be a whole number from 31 to 730/,
    ],
    [{ tenant: TENANT, credential: 'managed-identity' }, /--managed-identity-client-id/],
    [{ tenant: TENANT, keyVaultUrl: 'https://v', name: 'due notifier' }, /--name must be/],
  ])('refuses %j in one line naming the fix', (options, message) => {
    expect(() => specFromOptions(options, {})).toThrow(message);
  });
});

describe('parseDuration', () => {
  it('reads seconds, minutes and hours', () => {
    expect([
      parseDuration('0', '--grace'),
      parseDuration('30s', '--grace'),
      parseDuration('10m', '--grace'),
      parseDuration('1h', '--grace'),
    ]).toEqual([0, 30_000, 600_000, 3_600_000]);
    expect(() => parseDuration('soon', '--grace')).toThrow(/--grace must be a duration such as 30s, 10m or 1h/);
  });
});
