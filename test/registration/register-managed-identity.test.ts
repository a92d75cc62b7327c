/**
 * `npm run register --credential managed-identity` from an empty tenant: a federated identity credential
 * that trusts the function app's user-assigned identity (issuer, subject = its principal id, audience
 * exactly), no secret and no certificate anywhere. Neither the registration nor the daemon's runs send a
 * request to Key Vault; a second run writes nothing; there is nothing to rotate.
 */
import { describe, expect, it } from 'vitest';
import { openRegistration } from '../../registration/register.js';
import { rotate } from '../../registration/rotate.js';
import { createAdminVault } from '../../registration/admin-vault.js';
import { operatorSignIn } from '../../scripts/support/register-on-stack.js';
import { useFunctionHost } from '../support/function-host.js';
import { useLocalStack } from '../support/stack.js';
import { registeredAppSettings, writeRequests } from './registration-support.js';

const stack = useLocalStack({ emptyTenant: true });
const host = useFunctionHost(stack);

function keyVaultRequests(): number {
  return Object.entries(stack().counters.snapshot())
    .filter(([endpoint]) => endpoint.startsWith('keyvault.'))
    .reduce((sum, [, count]) => sum + count, 0);
}

describe('register --credential managed-identity on an empty tenant', () => {
  it('trusts the user-assigned identity; the daemon runs without a single Key Vault request; a rerun writes nothing', async () => {
    const [identity] = stack().userAssignedIdentities;
    if (!identity) throw new Error('The seed has no user-assigned identity');
    const registration = await openRegistration(
      { credential: 'managed-identity', managedIdentityClientId: identity.clientId },
      stack().settings,
      operatorSignIn(stack()),
    );
    expect(registration.vault).toBeUndefined();
    const first = await registration.run();
    expect(first.plan.at(-1)).toBe(
      `add federated credential 'due-notifier-managed-identity': the managed identity ${identity.clientId} (principal ${identity.principalId}) signs in as the app`,
    );
    expect(first.settings).toMatchObject({
      CLIENT_CREDENTIAL: 'managed-identity',
      MANAGED_IDENTITY_CLIENT_ID: identity.clientId,
    });
    expect(first.settings).not.toHaveProperty('KEY_VAULT_URL');
    expect(stack().counters.get('graph.addPassword')).toBe(0);

    const [app] = await registration.graph.list("/applications?$filter=uniqueName eq 'due-notifier'");
    const [credential] = await registration.graph.list(
      `/applications/${(app as { id: string }).id}/federatedIdentityCredentials`,
    );
    expect(credential).toMatchObject({
      name: 'due-notifier-managed-identity',
      issuer: `${stack().urls.entra}/${stack().settings.ENTRA_TENANT_ID}/v2.0`,
      subject: identity.principalId,
      audiences: ['api://AzureADTokenExchange'],
    });

    host().setSettings(registeredAppSettings(first.settings));
    host().restart();
    expect((await host().fireTimer()).status).toBe('succeeded');
    const delivery = await host().deliverQueued();
    expect(delivery.outcomes.length).toBeGreaterThan(0);
    expect(delivery.outcomes.every((outcome) => outcome.status === 'succeeded')).toBe(true);
    // Registration and runs alike: no request reached the vault.
    expect(keyVaultRequests()).toBe(0);
    expect(stack().counters.get('identity.token')).toBeGreaterThan(0);

    const before = writeRequests(stack());
    expect(await registration.run()).toMatchObject({ plan: [], writes: 0 });
    expect(writeRequests(stack())).toBe(before);
  });

  it('has nothing to rotate, and says so', async () => {
    const [identity] = stack().userAssignedIdentities;
    const registration = await openRegistration(
      { credential: 'managed-identity', managedIdentityClientId: identity?.clientId },
      stack().settings,
      operatorSignIn(stack()),
    );
    const vault = createAdminVault({ url: stack().settings.KEY_VAULT_URL ?? '', credential: operatorSignIn(stack()) });
    await expect(rotate(registration.spec, { graph: registration.graph, vault, graceMs: 0 })).rejects.toThrow(
      /^The managed-identity mode has no secret or certificate to rotate/,
    );
  });

  it('names the fix when the identity is not in the tenant', async () => {
    await expect(
      openRegistration(
        { credential: 'managed-identity', managedIdentityClientId: '99999999-9999-4999-8999-999999999999' },
        stack().settings,
        operatorSignIn(stack()),
      ),
    ).rejects.toThrow(
      /^No managed identity with client id 99999999-9999-4999-8999-999999999999 in tenant .+: check --managed-identity-client-id/,
    );
  });
});
