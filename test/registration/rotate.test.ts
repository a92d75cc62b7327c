/**
 * `npm run register -- rotate` while the daemon runs: timer runs go on before, during and after the
 * rotation and none fails. Tokens live 120 s here, so MSAL asks Entra ID for one at every run (it
 * renews five minutes ahead), while the daemon keeps the secret it read from the vault (its cache
 * lives an hour): when the old secret is removed, Entra ID refuses it and the daemon reads the vault
 * again. Both modes: secret and certificate.
 */
import { describe, expect, it } from 'vitest';
import { openRegistration } from '../../registration/register.js';
import { createAdminGraph } from '../../registration/admin-graph.js';
import { credentialSignInActivity } from '../../registration/credential-activity.js';
import { rotate } from '../../registration/rotate.js';
import type { CredentialMode } from '../../registration/spec.js';
import { operatorSignIn } from '../../scripts/support/register-on-stack.js';
import { useFunctionHost } from '../support/function-host.js';
import { useLocalStack } from '../support/stack.js';
import { registeredAppSettings } from './registration-support.js';

const stack = useLocalStack({ emptyTenant: true, tokenLifetimeSeconds: 120 });
const host = useFunctionHost(stack);

describe.each<CredentialMode>(['secret', 'certificate'])('rotate (%s)', (mode) => {
  it('replaces the credential while timer runs go on, and no run fails', async () => {
    const registration = await openRegistration(
      { credential: mode, name: `rotation-${mode}` },
      stack().settings,
      operatorSignIn(stack()),
      { pollIntervalMs: 50 },
    );
    const { settings } = await registration.run();
    host().setSettings(registeredAppSettings(settings ?? {}));
    host().restart();
    const tokenRequestsBefore = stack().counters.get('entra.token');

    const statuses: string[] = [];
    const runUntil = async (done: () => boolean): Promise<void> => {
      do {
        // A run that fails at once would otherwise spin on microtasks and starve the rotation.
        await new Promise((resolve) => setImmediate(resolve));
        const outcome = await host().fireTimer();
        statuses.push(
          outcome.status === 'failed' ? `failed: ${String((outcome.error as Error).message)}` : outcome.status,
        );
      } while (!done());
    };
    let rotated = false;
    const runs = runUntil(() => rotated);
    const { graph, vault } = registration;
    if (!vault) throw new Error('The registration has no vault');
    const result = await rotate(registration.spec, { graph, vault, graceMs: 300, pollIntervalMs: 50 }).finally(() => {
      rotated = true;
    });
    await runs;
    await runUntil(() => statuses.length >= 8);

    expect(statuses.filter((status) => status !== 'succeeded')).toEqual([]);
    expect(result.removedKeyIds).toHaveLength(1);
    expect(result.removedKeyIds).not.toContain(result.newKeyId);
    // A token per run: the daemon kept signing in throughout, not on a token cached before the rotation.
    expect(stack().counters.get('entra.token') - tokenRequestsBefore).toBeGreaterThanOrEqual(statuses.length);
    // The registration is as asked again: the new credential is the one in the vault.
    expect((await registration.run()).plan).toEqual([]);
  });
});

describe('rotate: the wait', () => {
  it("ends when Entra ID's sign-in log shows the daemon signing in with the new key, long before the grace period", async () => {
    const registration = await openRegistration(
      { credential: 'secret', name: 'rotation-wait', secretName: 'rotation-wait' },
      stack().settings,
      operatorSignIn(stack()),
      { pollIntervalMs: 50 },
    );
    const { settings } = await registration.run();
    // The daemon re-reads the vault at every run, so it takes the new secret up as soon as it is stored.
    host().setSettings({ ...registeredAppSettings(settings ?? {}), SECRET_CACHE_TTL_SECONDS: '0' });
    host().restart();
    const { graph, vault, spec } = registration;
    if (!vault) throw new Error('The registration has no vault');
    const signInLog = createAdminGraph({
      baseUrl: spec.graphBaseUrl.replace(/\/v1\.0$/, '/beta'),
      credential: operatorSignIn(stack()),
    });
    let rotated = false;
    const statuses: string[] = [];
    const runs = (async () => {
      while (!rotated) {
        await new Promise((resolve) => setTimeout(resolve, 20));
        statuses.push((await host().fireTimer()).status);
      }
    })();
    const started = Date.now();
    const result = await rotate(spec, {
      graph,
      vault,
      graceMs: 60_000,
      pollIntervalMs: 50,
      lastUsed: credentialSignInActivity(signInLog),
    }).finally(() => {
      rotated = true;
    });
    await runs;
    expect(result.waitEnded).toBe('used');
    expect(Date.now() - started).toBeLessThan(30_000);
    expect(result.removedKeyIds).toHaveLength(1);
    expect(statuses.length).toBeGreaterThan(0);
    expect(statuses.filter((status) => status !== 'succeeded')).toEqual([]);
  });
});
