/**
 * Fault matrix, Entra ID rows: the client secret rotated in Key Vault and the old one revoked, the
 * secret expired (AADSTS7000222), and the token endpoint failing with 500/503 for a while. Driven
 * through the local host against the local stack: MSAL against the Entra ID emulator, the secret read
 * from the Key Vault emulator with the managed identity.
 */
import { describe, expect, it, vi } from 'vitest';
import { failureOf, publicFailureCode, runSummaryOf, useFunctionHost } from '../support/function-host.js';
import { useLocalStack } from '../support/stack.js';

const stack = useLocalStack();
const host = useFunctionHost(stack);

/**
 * MSAL serves a token from its cache until 5 minutes before it expires: tokens of 4 minutes are asked
 * for again on every run, as a warm instance does once its cached token has run out.
 */
const UNCACHEABLE_TOKEN_SECONDS = 240;

function daemonSecrets() {
  const { tenantId, clientId } = stack().seed.daemon;
  const application = stack().directory.findApplication(tenantId, clientId);
  if (!application) throw new Error('The seed has no daemon application');
  return application.secrets;
}

/** A new client secret in the app registration, stored as the vault secret's new version (the operator's rotation). */
function rotateSecret(): { keyId: string } {
  const { clientId, keyVaultSecretName } = stack().seed.daemon;
  const secret = stack().directory.rotateSecret(clientId);
  stack().keyVault.setSecret(keyVaultSecretName, secret.value);
  return { keyId: secret.keyId };
}

async function reminderIdsOfARun(): Promise<string[]> {
  const outcome = await host().fireTimer();
  expect(outcome.status).toBe('succeeded');
  return (await host().drainReminders()).map((reminder) => reminder.id);
}

describe('fault matrix: Entra ID', () => {
  it('secret rotated in Key Vault and the old one revoked: the next run recovers by itself', async () => {
    const { clientId, keyVaultSecretName } = stack().seed.daemon;
    host().restart();
    stack().authority.lifetimeSeconds = UNCACHEABLE_TOKEN_SECONDS;
    const warn = vi.spyOn(console, 'warn');
    try {
      // A warm instance: the secret and a token cached.
      const before = await reminderIdsOfARun();
      expect(before.length).toBeGreaterThan(0);

      const previous = daemonSecrets().map((secret) => secret.keyId);
      const rotated = rotateSecret();
      for (const keyId of previous) stack().directory.revokeSecret(clientId, keyId);
      stack().counters.reset();

      const outcome = await host().fireTimer();
      expect(outcome.status).toBe('succeeded');
      // The cached secret was refused (AADSTS7000215), the vault read again once, and the token request repeated.
      expect(stack().counters.get('entra.token')).toBe(2);
      expect(stack().counters.get('keyvault.getSecret')).toBe(1);
      expect(runSummaryOf(outcome.logs).requests).toMatchObject({ token: 2, keyVault: 1 });
      expect(warn).toHaveBeenCalledWith(
        expect.stringMatching(
          new RegExp(
            `^Entra ID rejected version \\S+ of the secret '${keyVaultSecretName}' .*\\(AADSTS7000215\\); retrying once with version \\S+, just read from the vault\\.$`,
          ),
        ),
      );
      expect((await host().drainReminders()).map((reminder) => reminder.id)).toEqual(before);
      expect(daemonSecrets().map((secret) => secret.keyId)).toEqual([rotated.keyId]);
    } finally {
      warn.mockRestore();
      stack().authority.lifetimeSeconds = stack().seed.tokenLifetimeSeconds ?? 3600;
    }
  });

  it('secret expired (AADSTS7000222): the run fails loudly with the fix, and writes nothing', async () => {
    const { clientId, keyVaultSecretName } = stack().seed.daemon;
    for (const secret of daemonSecrets()) stack().directory.expireSecret(clientId, secret.keyId);
    host().restart();

    const timer = await host().fireTimer();
    const error = failureOf(timer) as Error;
    expect(error).toMatchObject({ code: 'AuthenticationFailed' });
    expect(error.message).toContain('(AADSTS7000222, invalid_client, HTTP 401;');
    expect(error.message).toContain(
      `The client secret has expired. Fix: create a new client secret in the app registration (Certificates & secrets) and store it as a new version of the secret '${keyVaultSecretName}' in ${stack().urls.keyVault}.`,
    );
    // Loud: an error line in the invocation log with the code and the fix.
    expect(timer.logs).toContainEqual(
      expect.objectContaining({
        level: 'error',
        message: expect.stringContaining('AuthenticationFailed: Entra ID refused a Graph token'),
      }),
    );
    // The vault was read (challenge and read), then read once more in case it held a newer version;
    // it did not, so the run stopped.
    expect(stack().counters.get('keyvault.getSecret')).toBe(3);
    expect(stack().counters.get('entra.token')).toBe(1);

    const http = await host().runByHttp();
    expect(http.response.status).toBe(502);
    expect(publicFailureCode(http)).toBe('AuthenticationFailed');
    expect(await host().drainReminders()).toEqual([]);

    rotateSecret();
    expect(await reminderIdsOfARun()).not.toEqual([]);
  });

  it('Entra ID answers 500, then 503 with Retry-After, then OK: the run recovers', async () => {
    host().restart();
    stack().faults.add({
      endpoint: 'entra.token',
      action: { type: 'status', status: 500, retryAfter: '0.1' },
      count: 1,
    });
    stack().faults.add({
      endpoint: 'entra.token',
      action: { type: 'status', status: 503, retryAfter: '0.25' },
      count: 1,
    });
    const started = performance.now();
    const outcome = await host().fireTimer();
    expect(outcome.status).toBe('succeeded');
    expect(stack().counters.get('entra.token')).toBe(3);
    expect(runSummaryOf(outcome.logs).requests.token).toBe(3);
    // Retry-After honoured: 0.1 s, then 0.25 s.
    expect(performance.now() - started).toBeGreaterThanOrEqual(350);
    expect(await host().drainReminders()).not.toEqual([]);
  });
});
