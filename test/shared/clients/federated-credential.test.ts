/**
 * The managed identity's client assertion: fetched when MSAL first asks, reused while more than five
 * minutes remain, fetched again before it expires, shared by concurrent callers; Entra ID's refusals
 * of a federated credential explained with the fix. The token source is a TokenCredential of our own
 * making (ManagedIdentityCredential against the stack is exercised in test/integration).
 */
import type { AccessToken, GetTokenOptions, TokenCredential } from '@azure/identity';
import { describe, expect, it } from 'vitest';
import { createManagedIdentityAssertionProvider } from '../../../shared/clients/federated-credential.js';

const IDENTITY = '0dd1b556-1d44-45c9-ba3e-1e5601d10546';
const MINUTE = 60_000;

function tokenSource(lifetimeMs: number, now: () => number) {
  const requests: { scope: string | string[]; options?: GetTokenOptions }[] = [];
  const credential: TokenCredential = {
    getToken(scope, options) {
      requests.push({ scope, ...(options ? { options } : {}) });
      const token: AccessToken = { token: `token-${requests.length}`, expiresOnTimestamp: now() + lifetimeMs };
      return new Promise((resolve) => setTimeout(() => resolve(token), 5));
    },
  };
  return { credential, requests };
}

function provider(credential: TokenCredential, now: () => number) {
  return createManagedIdentityAssertionProvider({
    identity: credential,
    managedIdentityClientId: IDENTITY,
    tenantId: 'd5107405-6029-4802-9ba8-b9a2eb2643ab',
    authorityHost: 'https://login.microsoftonline.com',
    timeoutMs: 5_000,
    clock: now,
  });
}

async function assertion(credentials: ReturnType<typeof provider>): Promise<string> {
  const credential = await credentials.getCredential();
  if (credential.kind !== 'assertion') throw new Error('expected an assertion');
  return credential.getAssertion();
}

describe('createManagedIdentityAssertionProvider', () => {
  it('asks the identity for api://AzureADTokenExchange, reuses the token, and renews it before it expires', async () => {
    let now = Date.parse('2026-12-01T08:00:00Z');
    const clock = () => now;
    const { credential, requests } = tokenSource(60 * MINUTE, clock);
    const credentials = provider(credential, clock);

    const [first, concurrent] = await Promise.all([assertion(credentials), assertion(credentials)]);
    expect([first, concurrent]).toEqual(['token-1', 'token-1']);
    expect(requests.map((request) => request.scope)).toEqual(['api://AzureADTokenExchange/.default']);

    now += 54 * MINUTE;
    expect(await assertion(credentials)).toBe('token-1');
    now += 2 * MINUTE;
    expect(await assertion(credentials)).toBe('token-2');
    expect(requests).toHaveLength(2);
  });

  it('turns a failing identity into one line naming the setting', async () => {
    const failing: TokenCredential = {
      getToken: () => Promise.reject(new Error('No managed identity endpoint found.\nmore detail')),
    };
    const error = await assertion(provider(failing, Date.now)).catch((caught: unknown) => caught);
    expect(error).toMatchObject({ code: 'AuthenticationFailed' });
    expect(String((error as Error).message)).toMatch(
      /^The managed identity .* \(No managed identity endpoint found\.\)/,
    );
    expect(String((error as Error).message)).toContain('MANAGED_IDENTITY_CLIENT_ID');
    expect(String((error as Error).message)).not.toContain('\n');
  });

  it('explains each federated-credential refusal in terms of the credential to fix', () => {
    const credentials = provider(tokenSource(MINUTE, Date.now).credential, Date.now);
    expect(credentials.fixFor?.('70021')).toContain('npm run register');
    expect(credentials.fixFor?.('700211')).toContain(
      "'https://login.microsoftonline.com/d5107405-6029-4802-9ba8-b9a2eb2643ab/v2.0'",
    );
    expect(credentials.fixFor?.('700213')).toContain(`principal (object) id of managed identity ${IDENTITY}`);
    expect(credentials.fixFor?.('7002138')).toContain('case included');
    expect(credentials.fixFor?.('700212')).toContain('api://AzureADTokenExchange');
    expect(credentials.fixFor?.('7000215')).toBeUndefined();
  });
});
