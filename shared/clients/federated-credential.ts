/**
 * The app registration's client assertion from the function app's user-assigned managed identity
 * (workload identity federation, no secret anywhere): a token of that identity for
 * `api://AzureADTokenExchange`, which the app registration's federated identity credential trusts (issuer
 * `{authority}/{tenant}/v2.0`, subject the identity's principal id). MSAL asks for the assertion at each
 * token request; the identity's token is reused while more than five minutes of it remain and fetched
 * anew before it expires, never kept past that. Entra ID's refusals of it (AADSTS70021, 700211, 700212,
 * 700213 …) are explained in terms of the federated credential and the settings.
 */
import type { AccessToken, TokenCredential } from '@azure/identity';
import { DueNotifierError } from '../base/errors.js';
import { createSingleFlight } from '../base/single-flight.js';
import type { ClientCredential, ClientCredentialProvider } from './client-credential.js';

/** The audience of token exchange in the public cloud (US Government and China have their own). */
export const TOKEN_EXCHANGE_AUDIENCE = 'api://AzureADTokenExchange';
const TOKEN_EXCHANGE_SCOPE = `${TOKEN_EXCHANGE_AUDIENCE}/.default`;
/** A token with less left than this is not handed to MSAL: Entra ID must still find it valid. */
const REFRESH_MARGIN_MS = 5 * 60_000;

export interface ManagedIdentityAssertionOptions {
  /** The user-assigned identity (`ManagedIdentityCredential` with its client id). */
  readonly identity: TokenCredential;
  readonly managedIdentityClientId: string;
  readonly tenantId: string;
  /** Origin of the authority host: the federated credential's issuer is `{authorityHost}/{tenantId}/v2.0`. */
  readonly authorityHost: string;
  /** Budget for one token request to the managed-identity endpoint. */
  readonly timeoutMs: number;
  readonly clock?: () => number;
}

export function createManagedIdentityAssertionProvider(
  options: ManagedIdentityAssertionOptions,
): ClientCredentialProvider {
  const { identity, managedIdentityClientId: clientId, tenantId, timeoutMs } = options;
  const clock = options.clock ?? Date.now;
  const issuer = `${options.authorityHost}/${tenantId}/v2.0`;
  const flight = createSingleFlight<AccessToken>();
  let current: AccessToken | undefined;

  async function assertion(): Promise<string> {
    if (current && current.expiresOnTimestamp - clock() > REFRESH_MARGIN_MS) {
      return current.token;
    }
    current = await flight.run((abortSignal) => fetchToken(abortSignal));
    return current.token;
  }

  async function fetchToken(abortSignal: AbortSignal): Promise<AccessToken> {
    const signal = AbortSignal.any([abortSignal, AbortSignal.timeout(timeoutMs)]);
    let token: AccessToken | null;
    try {
      token = await identity.getToken(TOKEN_EXCHANGE_SCOPE, { abortSignal: signal });
    } catch (error) {
      throw noToken(error instanceof Error ? (error.message.split('\n')[0] ?? error.name) : 'unknown error', error);
    }
    if (!token) throw noToken('no token in the answer');
    return token;
  }

  function noToken(reason: string, cause?: unknown): DueNotifierError {
    return new DueNotifierError(
      'AuthenticationFailed',
      `The managed identity ${clientId} gave no token for ${TOKEN_EXCHANGE_AUDIENCE} (${reason}). Fix: assign the user-assigned identity to the function app and set MANAGED_IDENTITY_CLIENT_ID to its client id.`,
      { cause },
    );
  }

  const credential: ClientCredential = {
    kind: 'assertion',
    getAssertion: assertion,
    // One version for the life of the setting: nothing to re-read when Entra ID refuses it.
    version: `managed-identity:${clientId}`,
  };
  const federatedCredential = `a federated identity credential with issuer '${issuer}', subject = the principal (object) id of managed identity ${clientId} and audience '${TOKEN_EXCHANGE_AUDIENCE}'`;

  return {
    getCredential: () => Promise.resolve(credential),
    describe: () => `federated credential of managed identity ${clientId}`,
    fixFor(errorNo) {
      switch (errorNo) {
        case '70021':
          return `The app registration has no federated identity credential. Fix: run npm run register with the managed-identity credential, or add ${federatedCredential}.`;
        case '700211':
          return `No federated identity credential of the app registration has the issuer '${issuer}' (compared exactly). Fix: set its issuer to that value (ENTRA_AUTHORITY_HOST/ENTRA_TENANT_ID/v2.0).`;
        case '700213':
        case '7002138':
          return `No federated identity credential of the app registration has this managed identity as subject (compared exactly, case included). Fix: set its subject to the principal (object) id of managed identity ${clientId}, not its client id, or set MANAGED_IDENTITY_CLIENT_ID to the identity it names.`;
        case '700212':
          return `The federated identity credential's audience does not match. Fix: set its audiences to ['${TOKEN_EXCHANGE_AUDIENCE}'].`;
        default:
          return undefined;
      }
    },
  };
}
