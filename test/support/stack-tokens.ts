/**
 * Graph tokens from the local stack the way the daemon gets them: the app's secret read from the Key
 * Vault emulator through DefaultAzureCredential (the stack's managed-identity endpoint), then MSAL
 * against the Entra ID emulator.
 *
 *   const stack = useLocalStack({ azurite: false });
 *   useStackIdentity(stack);
 *   it('...', async () => { const { tokens } = stackTokens(stack()); ... });
 */
import { DefaultAzureCredential } from '@azure/identity';
import { afterAll, beforeAll } from 'vitest';
import type { LocalStack } from '../../emulators/stack/stack.js';
import { createGraphTokenProvider } from '../../shared/clients/auth.js';
import type { GraphTokenProvider } from '../../shared/clients/auth.js';
import { createKeyVaultCredentialProvider } from '../../shared/clients/key-vault-credentials.js';
import { createRequestMetrics } from '../../shared/http/metrics.js';
import type { RequestMetrics } from '../../shared/http/metrics.js';

const IDENTITY_VARIABLES = ['IDENTITY_ENDPOINT', 'IDENTITY_HEADER'] as const;

/** Points DefaultAzureCredential at the stack's managed-identity endpoint while the file's tests run. */
export function useStackIdentity(stack: () => LocalStack): void {
  const saved = Object.fromEntries(IDENTITY_VARIABLES.map((name) => [name, process.env[name]]));
  beforeAll(() => {
    for (const name of IDENTITY_VARIABLES) process.env[name] = stack().settings[name];
  });
  afterAll(() => {
    for (const name of IDENTITY_VARIABLES) {
      const value = saved[name];
      if (value === undefined) delete process.env[name];
      else process.env[name] = value;
    }
  });
}

/** An app of the seed: the daemon by default. */
export interface StackApp {
  readonly clientId: string;
  readonly secretName: string;
}

export function stackTokens(
  stack: LocalStack,
  app?: StackApp,
): { readonly tokens: GraphTokenProvider; readonly metrics: RequestMetrics } {
  const { clientId, secretName } = app ?? {
    clientId: stack.seed.daemon.clientId,
    secretName: stack.seed.daemon.keyVaultSecretName,
  };
  const metrics = createRequestMetrics();
  const credentials = createKeyVaultCredentialProvider({
    vaultUrl: stack.urls.keyVault,
    source: { kind: 'secret', secretName },
    tokenCredential: new DefaultAzureCredential(),
    cacheTtlMs: 3_600_000,
    timeoutMs: 5_000,
    metrics,
  });
  const tokens = createGraphTokenProvider({
    tenantId: stack.seed.daemon.tenantId,
    clientId,
    authorityHost: stack.urls.entra,
    credentials,
    timeoutMs: 5_000,
    metrics,
  });
  return { tokens, metrics };
}

/** The seed's app without any application permission. */
export const APP_WITHOUT_PERMISSIONS: StackApp = {
  clientId: 'bcd6e504-3c6e-403e-9335-6b48543e9291',
  secretName: 'reporting-dashboard-client-secret',
};
