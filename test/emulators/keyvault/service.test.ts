import { ClientSecretCredential, DefaultAzureCredential } from '@azure/identity';
import { isRestError } from '@azure/core-rest-pipeline';
import type { RestError } from '@azure/core-rest-pipeline';
import { SecretClient } from '@azure/keyvault-secrets';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDirectory } from '../../../emulators/entra/directory.js';
import type { Directory } from '../../../emulators/entra/directory.js';
import { createEntraService } from '../../../emulators/entra/service.js';
import { KeyVaultError, createKeyVaultService } from '../../../emulators/keyvault/service.js';
import type { KeyVaultControl } from '../../../emulators/keyvault/service.js';
import { createManagedIdentityService, MANAGED_IDENTITY_PATH } from '../../../emulators/entra/managed-identity.js';
import { createTokenAuthority } from '../../../emulators/entra/tokens.js';
import type { TokenAuthority } from '../../../emulators/entra/tokens.js';
import {
  createTestClock,
  hostService,
  identityTestSeed,
  ids,
  setManagedIdentityEnvironment,
  vaultSecretNames,
} from '../entra/identity-fixtures.js';
import type { HostedService } from '../entra/identity-fixtures.js';

type Credential = ConstructorParameters<typeof SecretClient>[1];

const IDENTITY_HEADER = 'vault-test-identity-header';

describe('Key Vault emulator', () => {
  const clock = createTestClock();
  let directory: Directory;
  let authority: TokenAuthority;
  let control: KeyVaultControl;
  let services: HostedService[];
  let entra: HostedService;
  let vault: HostedService;
  /** The function app: DefaultAzureCredential through the managed-identity endpoint (Key Vault Secrets User). */
  let reader: SecretClient;
  /** An app with Key Vault Secrets Officer. */
  let officer: SecretClient;
  let restoreEnvironment: (() => void) | undefined;

  beforeAll(async () => {
    const seed = identityTestSeed();
    [directory, authority] = await Promise.all([
      createDirectory(seed, { clock: clock.now }),
      createTokenAuthority({ lifetimeSeconds: 3600, clock: clock.now }),
    ]);
    const keyVault = createKeyVaultService({ seed: seed.keyVault, verifier: authority, directory, clock: clock.now });
    control = keyVault.control;
    const identity = createManagedIdentityService({
      directory,
      authority,
      managedIdentityClientId: ids.functionIdentity.clientId,
      identityHeader: IDENTITY_HEADER,
    });
    services = await Promise.all([
      hostService(createEntraService({ directory, authority })),
      hostService(identity),
      hostService(keyVault),
    ]);
    [entra, , vault] = services as [HostedService, HostedService, HostedService];
    const identityUrl = services[1]?.url;

    restoreEnvironment = setManagedIdentityEnvironment(`${identityUrl}${MANAGED_IDENTITY_PATH}`, IDENTITY_HEADER);

    reader = secretClient(new DefaultAzureCredential());
    officer = secretClient(appCredential(ids.officer.clientId, vaultSecretNames.officerSecret));
  });

  afterAll(async () => {
    restoreEnvironment?.();
    await Promise.all(services.map((service) => service.close()));
  });

  function secretClient(credential: Credential): SecretClient {
    return new SecretClient(vault.url, credential, {
      disableChallengeResourceVerification: true,
      retryOptions: { maxRetries: 0 },
    });
  }

  /** ClientSecretCredential against the Entra ID emulator, with the app's secret as stored in the vault. */
  function appCredential(clientId: string, vaultSecretName: string): Credential {
    const secret = directory.credentialsForVault().find((credential) => credential.secretName === vaultSecretName);
    if (!secret) throw new Error(`the test seed stores ${vaultSecretName} in the vault`);
    return new ClientSecretCredential(ids.tenant, clientId, secret.value, {
      authorityHost: entra.url,
      disableInstanceDiscovery: true,
    });
  }

  function staticToken(token: string): Credential {
    return { getToken: async () => ({ token, expiresOnTimestamp: clock.now() + 3_600_000 }) };
  }

  async function restError(pending: Promise<unknown>): Promise<RestError> {
    const error = await pending.then(
      () => undefined,
      (rejection: unknown) => rejection,
    );
    if (!isRestError(error)) throw new Error(`expected a RestError, got ${String(error)}`);
    return error;
  }

  function innerCode(error: RestError): unknown {
    const details = error.details as
      { error?: { innererror?: { code?: unknown }; innerError?: { code?: unknown } } } | undefined;
    return details?.error?.innererror?.code ?? details?.error?.innerError?.code;
  }

  describe('reading with DefaultAzureCredential (managed identity, Secrets User)', () => {
    it('returns the client secret the directory stored at start', async () => {
      const expected = directory
        .credentialsForVault()
        .find((credential) => credential.secretName === vaultSecretNames.daemonSecret);
      const before = vault.counters.get('keyvault.getSecret');

      const secret = await reader.getSecret(vaultSecretNames.daemonSecret);

      expect(secret.value).toBe(expected?.value);
      expect(secret.properties.enabled).toBe(true);
      expect(secret.properties.version).toMatch(/^[0-9a-f]{32}$/);
      expect(secret.properties.id).toBe(
        `${vault.url}/secrets/${vaultSecretNames.daemonSecret}/${secret.properties.version}`,
      );
      // The challenge round trip: one anonymous request answered 401, then the authorized one.
      expect(vault.counters.get('keyvault.getSecret') - before).toBe(2);
    });

    it('returns the certificate as PEM with its private key', async () => {
      const secret = await reader.getSecret(vaultSecretNames.daemonCertificate);
      expect(secret.properties.contentType).toBe('application/x-pem-file');
      expect(secret.value).toMatch(/^-----BEGIN PRIVATE KEY-----[\s\S]+-----BEGIN CERTIFICATE-----/);
    });

    it('returns a secret by version, with the seed attributes', async () => {
      const latest = await reader.getSecret('greeting');
      const byVersion = await reader.getSecret('greeting', { version: latest.properties.version ?? '' });
      expect(byVersion).toMatchObject({
        value: 'hello',
        properties: { contentType: 'text/plain', tags: { purpose: 'test' } },
      });
    });

    it('still returns an expired secret, with its expiry (exp is informational for secrets)', async () => {
      const expiresOn = new Date(Math.floor(clock.now() / 1000) * 1000 - 86_400_000);
      control.setSecret('old-password', 'still-readable', { expiresOn });
      const secret = await reader.getSecret('old-password');
      expect(secret.value).toBe('still-readable');
      expect(secret.properties.expiresOn).toEqual(expiresOn);
    });

    it('answers 404 SecretNotFound for a missing secret', async () => {
      const error = await restError(reader.getSecret('does-not-exist'));
      expect(error).toMatchObject({ statusCode: 404, code: 'SecretNotFound' });
    });

    it('answers 403 Forbidden/SecretDisabled for a disabled secret until it is enabled again', async () => {
      control.setSecret('switchable', 'on');
      control.disableVersion('switchable');
      const error = await restError(reader.getSecret('switchable'));
      expect(error).toMatchObject({ statusCode: 403, code: 'Forbidden' });
      expect(innerCode(error)).toBe('SecretDisabled');

      const version = control.getLatest('switchable')?.version ?? '';
      const updated = await officer.updateSecretProperties('switchable', version, { enabled: true });
      expect(updated.enabled).toBe(true);
      expect((await reader.getSecret('switchable')).value).toBe('on');
    });

    it('answers 403 ForbiddenByRbac when the identity writes with a read-only role', async () => {
      const error = await restError(reader.setSecret('not-allowed', 'x'));
      expect(error).toMatchObject({ statusCode: 403, code: 'Forbidden' });
      expect(innerCode(error)).toBe('ForbiddenByRbac');
      expect(error.message).toContain(`oid=${ids.functionIdentity.principalId}`);
      expect(error.message).toContain("Action: 'Microsoft.KeyVault/vaults/secrets/setSecret/action'");
    });
  });

  describe('writing with Secrets Officer (ClientSecretCredential through the Entra ID emulator)', () => {
    it('creates a new version on set, keeps the old one, and lists versions page by page', async () => {
      const first = await officer.setSecret('rotating', 'value-1', { contentType: 'text/plain' });
      const second = await officer.setSecret('rotating', 'value-2');
      expect(second.properties.version).not.toBe(first.properties.version);

      expect((await reader.getSecret('rotating')).value).toBe('value-2');
      expect((await reader.getSecret('rotating', { version: first.properties.version ?? '' })).value).toBe('value-1');

      const pages: string[][] = [];
      for await (const page of reader.listPropertiesOfSecretVersions('rotating').byPage({ maxPageSize: 1 })) {
        pages.push(page.map((properties) => properties.version ?? ''));
      }
      expect(pages).toHaveLength(2);
      expect(pages.flat().sort()).toEqual([first.properties.version, second.properties.version].sort());
    });

    it('lists the secrets of the vault', async () => {
      const names: string[] = [];
      for await (const properties of reader.listPropertiesOfSecrets()) names.push(properties.name);
      expect(names).toEqual(
        expect.arrayContaining(['greeting', vaultSecretNames.daemonSecret, vaultSecretNames.daemonCertificate]),
      );
    });
  });

  describe('authentication and authorization', () => {
    it('answers 403 ForbiddenByRbac to a principal without a role assignment', async () => {
      const stranger = secretClient(appCredential(ids.noRole.clientId, vaultSecretNames.noRoleSecret));
      const error = await restError(stranger.getSecret('greeting'));
      expect(error).toMatchObject({ statusCode: 403, code: 'Forbidden' });
      expect(innerCode(error)).toBe('ForbiddenByRbac');
    });

    it('answers 401 Unauthorized to tokens from another issuer key, for another audience, or expired', async () => {
      const stranger = await createTokenAuthority({ lifetimeSeconds: 3600 });
      const vaultSubject = {
        tenantId: ids.tenant,
        appId: ids.functionIdentity.clientId,
        objectId: ids.functionIdentity.principalId,
        roles: [],
      };

      const foreign = await stranger.issue({ ...vaultSubject, audience: 'https://vault.azure.net' });
      const foreignError = await restError(secretClient(staticToken(foreign.accessToken)).getSecret('greeting'));
      expect(foreignError).toMatchObject({ statusCode: 401, code: 'Unauthorized' });
      expect(foreignError.message).toContain('AKV10046');

      const graph = await authority.issue({ ...vaultSubject, audience: 'https://graph.microsoft.com' });
      const audienceError = await restError(secretClient(staticToken(graph.accessToken)).getSecret('greeting'));
      expect(audienceError).toMatchObject({ statusCode: 401, code: 'Unauthorized' });
      expect(audienceError.message).toContain('AKV10022: Invalid audience');

      // Key Vault accepts its resource URI only without the trailing slash (an MI token for `https://vault.azure.net/` fails).
      const slashed = await authority.issue({ ...vaultSubject, audience: 'https://vault.azure.net/' });
      const slashError = await restError(secretClient(staticToken(slashed.accessToken)).getSecret('greeting'));
      expect(slashError.message).toContain('found: https://vault.azure.net/.');

      clock.advance(-2 * 3_600_000);
      const old = await authority.issue({ ...vaultSubject, audience: 'https://vault.azure.net' });
      clock.advance(2 * 3_600_000);
      const expiredError = await restError(secretClient(staticToken(old.accessToken)).getSecret('greeting'));
      expect(expiredError).toMatchObject({ statusCode: 401, code: 'Unauthorized' });
      expect(expiredError.message).toContain('TokenExpired');
    });

    it('challenges an anonymous request as Key Vault does', async () => {
      const response = await fetch(`${vault.url}/secrets/greeting/?api-version=7.5`);
      expect(response.status).toBe(401);
      expect(response.headers.get('www-authenticate')).toBe(
        `Bearer authorization="https://login.microsoftonline.com/${ids.tenant}", resource="https://vault.azure.net"`,
      );
      expect(await response.json()).toEqual({
        error: { code: 'Unauthorized', message: 'AKV10000: Request is missing a Bearer or PoP token.' },
      });
    });
  });

  describe('bad requests', () => {
    async function officerToken(): Promise<string> {
      const credential = appCredential(ids.officer.clientId, vaultSecretNames.officerSecret);
      return (await credential.getToken('https://vault.azure.net/.default'))?.token ?? '';
    }

    it('rejects a missing or unknown api-version, an invalid name, bad JSON and bad paging with 400 BadParameter', async () => {
      const authorization = `Bearer ${await officerToken()}`;
      const call = async (path: string, init: RequestInit = {}) => {
        const response = await fetch(`${vault.url}${path}`, {
          ...init,
          headers: { authorization, 'content-type': 'application/json' },
        });
        return {
          status: response.status,
          body: (await response.json()) as { error?: { code?: string; message?: string } },
        };
      };

      expect(await call('/secrets/greeting')).toMatchObject({ status: 400, body: { error: { code: 'BadParameter' } } });
      const unknownVersion = await call('/secrets/greeting?api-version=1999-01-01');
      expect(unknownVersion).toMatchObject({ status: 400, body: { error: { code: 'BadParameter' } } });
      expect(unknownVersion.body.error?.message).toContain('The specified version (1999-01-01) is not recognized.');
      expect(await call('/secrets/bad_name?api-version=7.5')).toMatchObject({
        status: 400,
        body: { error: { code: 'BadParameter' } },
      });
      expect(await call('/secrets/greeting?api-version=7.5', { method: 'PUT', body: '{"value":' })).toMatchObject({
        status: 400,
        body: { error: { code: 'BadParameter' } },
      });
      expect(await call('/secrets/greeting?api-version=7.5', { method: 'PUT', body: '{"value":42}' })).toMatchObject({
        status: 400,
      });
      expect(await call('/secrets?api-version=7.5&maxresults=26')).toMatchObject({ status: 400 });
      expect(await call('/secrets?api-version=7.5&$skiptoken=garbage')).toMatchObject({ status: 400 });
    });
  });

  describe('control', () => {
    it('stores versions directly and refuses to disable what does not exist', () => {
      const { version } = control.setSecret('from-control', 'v', { contentType: 'text/plain' });
      expect(control.getLatest('FROM-CONTROL')).toMatchObject({
        name: 'from-control',
        version,
        value: 'v',
        enabled: true,
      });
      expect(() => control.disableVersion('from-control', 'f'.repeat(32))).toThrow(KeyVaultError);
      expect(() => control.disableVersion('never-stored')).toThrow(KeyVaultError);
    });
  });
});
