/**
 * Fault matrix, Key Vault rows: the vault cannot be reached, refuses the function app's identity, has no
 * such secret, or has it disabled. Each run fails with an error that names the vault and the cause
 * (and the fix where there is one), writes nothing to the queue, and tells an HTTP caller only a code.
 * Driven through the local host against the local stack, with the real SDKs.
 */
import { createServer } from 'node:net';
import { describe, expect, it } from 'vitest';
import { loadSeedFile } from '../../emulators/stack/seed-file.js';
import { DEMO_SEED_PATH } from '../../emulators/stack/stack.js';
import { failureOf, publicFailureCode, useFunctionHost } from '../support/function-host.js';
import { useLocalStack } from '../support/stack.js';

const demo = await loadSeedFile(DEMO_SEED_PATH);
const stack = useLocalStack({ seed: demo });
const host = useFunctionHost(stack);

const SECRET_NAME = demo.daemon.keyVaultSecretName;

/** A loopback port nothing listens on (taken from the OS, then released). */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  if (address === null || typeof address === 'string') throw new Error('No TCP port');
  return address.port;
}

/** Runs the timer and then the HTTP trigger; both fail with `code`, write nothing, and HTTP shows only the code. */
async function expectFailedRun(code: string, status: number): Promise<Error> {
  const timer = await host().fireTimer();
  const error = failureOf(timer);
  expect(error).toMatchObject({ code });
  expect(timer.logs.some((log) => log.level === 'error' && log.message.includes(code))).toBe(true);

  const http = await host().runByHttp();
  expect(http.response.status).toBe(status);
  expect(publicFailureCode(http)).toBe(code);

  expect(await host().drainReminders()).toEqual([]);
  return error as Error;
}

describe('fault matrix: Key Vault', () => {
  it('Key Vault refuses connections: the run fails naming the vault, nothing is written', async () => {
    const vaultUrl = `https://127.0.0.1:${await closedPort()}`;
    // The SDK retries a refused connection for seconds; a 1 s timeout keeps the test short.
    host().setSettings({ KEY_VAULT_URL: vaultUrl, HTTP_TIMEOUT_SECONDS: '1' });
    const error = await expectFailedRun('KeyVaultUnavailable', 503);
    expect(error.message).toContain(
      `Key Vault ${vaultUrl} gave no answer within 1000 ms reading secret '${SECRET_NAME}'`,
    );
    expect(error.message).toContain('(the last attempt failed: ECONNREFUSED)');
    expect(error.message).toContain('Check KEY_VAULT_URL');
  });

  it('Key Vault times out: the run fails naming the vault and the timeout, nothing is written', async () => {
    host().setSettings({ HTTP_TIMEOUT_SECONDS: '1' });
    host().restart();
    stack().faults.add({ service: 'keyvault', action: { type: 'latency', ms: 5_000 } });
    const started = performance.now();
    const error = await expectFailedRun('KeyVaultUnavailable', 503);
    expect(error.message).toContain(
      `Key Vault ${stack().urls.keyVault} gave no answer within 1000 ms reading secret '${SECRET_NAME}' in ${stack().urls.keyVault}. Check`,
    );
    // Two runs, each stopped by the 1 s timeout rather than waiting for the vault.
    expect(performance.now() - started).toBeLessThan(4_500);
  });

  it("Key Vault 403 (no RBAC grant for the app's identity): fails naming the role to grant", async () => {
    const grants = stack().keyVault.roleAssignments();
    stack().keyVault.setRoleAssignments([]);
    try {
      host().restart();
      const error = await expectFailedRun('KeyVaultAccessDenied', 502);
      expect(error.message).toContain(`Key Vault ${stack().urls.keyVault} refused reading secret '${SECRET_NAME}'`);
      expect(error.message).toContain('(403 Forbidden/ForbiddenByRbac)');
      expect(error.message).toContain(
        "Fix: grant the function app's managed identity the 'Key Vault Secrets User' role on the vault",
      );
    } finally {
      stack().keyVault.setRoleAssignments(grants);
    }
  });

  it('SecretNotFound: fails naming the missing secret and the setting to fix', async () => {
    host().setSettings({ CLIENT_SECRET_NAME: 'due-notifier-secret-renamed' });
    const error = await expectFailedRun('KeyVaultSecretNotFound', 502);
    expect(error.message).toContain(
      `Key Vault ${stack().urls.keyVault} has no secret 'due-notifier-secret-renamed' (404 SecretNotFound)`,
    );
    expect(error.message).toContain(
      "Fix: store the app's client secret in the vault under that name, or set CLIENT_SECRET_NAME",
    );
  });

  it('secret disabled: fails naming the secret and how to enable it; a new enabled version recovers', async () => {
    const current = stack().keyVault.getLatest(SECRET_NAME);
    expect(current).toBeDefined();
    stack().keyVault.disableVersion(SECRET_NAME);
    host().restart();
    const error = await expectFailedRun('KeyVaultSecretDisabled', 502);
    expect(error.message).toContain(
      `secret '${SECRET_NAME}' in ${stack().urls.keyVault} is disabled (403 Forbidden/SecretDisabled)`,
    );
    expect(error.message).toContain('Fix: enable its current version in the vault, or store a new enabled version');

    stack().keyVault.setSecret(SECRET_NAME, current?.value ?? '');
    expect((await host().fireTimer()).status).toBe('succeeded');
  });
});
