/**
 * The daemon's credential modes against a tenant registered by hand through the Graph emulator (the
 * stack starts empty), invoked through the registered timer handler as the Functions host does:
 * secretless (CLIENT_CREDENTIAL=managed-identity, a federated identity credential trusting the
 * function app's user-assigned identity) gets its token with no Key Vault request; a wrong subject, a
 * secret removed through Graph and a registration without admin consent each fail the run with one line
 * that says what to fix.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { failureOf, runSummaryOf, useFunctionHost } from '../support/function-host.js';
import { graphServicePrincipal, operatorGraphOk, registerDaemonByHand } from '../support/operator-graph.js';
import type { ManualRegistration } from '../support/operator-graph.js';
import { useLocalStack } from '../support/stack.js';

const stack = useLocalStack({ emptyTenant: true });
const host = useFunctionHost(stack);

let registration: ManualRegistration;
let ficPath: string;

function userAssignedIdentity() {
  const [identity] = stack().userAssignedIdentities;
  if (!identity) throw new Error('The seed assigns no user-assigned identity to the function app');
  return identity;
}

function keyVaultRequests(): number {
  return Object.entries(stack().counters.snapshot())
    .filter(([endpoint]) => endpoint.startsWith('keyvault.'))
    .reduce((total, [, count]) => total + count, 0);
}

function useManagedIdentityMode(): void {
  host().setSettings({
    ENTRA_CLIENT_ID: registration.appId,
    CLIENT_CREDENTIAL: 'managed-identity',
    MANAGED_IDENTITY_CLIENT_ID: userAssignedIdentity().clientId,
    CLIENT_SECRET_NAME: undefined,
    CLIENT_CERTIFICATE_NAME: undefined,
    KEY_VAULT_URL: undefined,
  });
  host().restart();
}

function failureMessage(outcome: Awaited<ReturnType<ReturnType<typeof host>['fireTimer']>>): string {
  const error = failureOf(outcome) as { message: string };
  expect(error.message).not.toContain('\n');
  return error.message;
}

beforeAll(async () => {
  registration = await registerDaemonByHand(stack(), 'due-notifier');
  ficPath = `/applications/${registration.objectId}/federatedIdentityCredentials`;
  await operatorGraphOk(stack(), 'POST', ficPath, {
    name: 'function-app',
    issuer: `${stack().urls.entra}/${stack().seed.daemon.tenantId}/v2.0`,
    subject: userAssignedIdentity().principalId,
    audiences: ['api://AzureADTokenExchange'],
  });
});

describe('credential modes of a registered daemon', () => {
  it('managed-identity: a federated credential gets the token, the run succeeds, no Key Vault request', async () => {
    useManagedIdentityMode();
    const outcome = await host().fireTimer();
    expect(outcome.status).toBe('succeeded');
    expect(runSummaryOf(outcome.logs).reminders).toBeGreaterThan(0);
    expect(keyVaultRequests()).toBe(0);
    expect(stack().counters.get('identity.token')).toBeGreaterThan(0);
    expect(stack().counters.get('entra.token')).toBeGreaterThan(0);
  });

  it('managed-identity: a federated credential naming the client id as subject fails with AADSTS700213 and the fix', async () => {
    await operatorGraphOk(stack(), 'PATCH', `${ficPath}/function-app`, { subject: userAssignedIdentity().clientId });
    try {
      useManagedIdentityMode();
      const message = failureMessage(await host().fireTimer());
      expect(message).toContain('AADSTS700213');
      expect(message).toContain(`principal (object) id of managed identity ${userAssignedIdentity().clientId}`);
      expect(keyVaultRequests()).toBe(0);
    } finally {
      await operatorGraphOk(stack(), 'PATCH', `${ficPath}/function-app`, {
        subject: userAssignedIdentity().principalId,
      });
    }
  });

  it('secret: a secret removed through Graph fails the run with AADSTS7000215 and the fix', async () => {
    const password = await operatorGraphOk(stack(), 'POST', `/applications/${registration.objectId}/addPassword`, {
      passwordCredential: { displayName: 'test' },
    });
    const secretName = stack().seed.daemon.keyVaultSecretName;
    stack().keyVault.setSecret(secretName, String(password.secretText));
    host().setSettings({ ENTRA_CLIENT_ID: registration.appId, CLIENT_SECRET_NAME: secretName });
    host().restart();
    expect((await host().fireTimer()).status).toBe('succeeded');

    await operatorGraphOk(stack(), 'POST', `/applications/${registration.objectId}/removePassword`, {
      keyId: password.keyId,
    });
    host().restart();
    const message = failureMessage(await host().fireTimer());
    expect(message).toContain('AADSTS7000215');
    expect(message).toContain(
      `store a current client secret of the app registration as a new version of the secret '${secretName}'`,
    );
  });

  it('without admin consent the run fails naming the missing permission and npm run register', async () => {
    const graph = await graphServicePrincipal(stack());
    for (const assignmentId of registration.assignmentIds) {
      await operatorGraphOk(stack(), 'DELETE', `/servicePrincipals/${graph.id}/appRoleAssignedTo/${assignmentId}`);
    }
    useManagedIdentityMode();
    const outcome = await host().fireTimer();
    expect(failureOf(outcome)).toMatchObject({ code: 'GraphAccessDenied' });
    const message = failureMessage(outcome);
    expect(message).toContain('Sites.Read.All');
    expect(message).toContain('npm run register');
  });
});
