/**
 * A vault where the function app's managed identity has no role. Its own file (process): the managed
 * identity's tokens are cached process-wide by MSAL, and a token of another stack would not verify here.
 */
import { DefaultAzureCredential } from '@azure/identity';
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import type { SeedFile } from '../../../emulators/stack/seed.js';
import { DEMO_SEED_PATH } from '../../../emulators/stack/stack.js';
import { createKeyVaultCredentialProvider } from '../../../shared/clients/key-vault-credentials.js';
import { useLocalStack } from '../../support/stack.js';
import { useStackIdentity } from '../../support/stack-tokens.js';
import { failure } from '../../support/rejection.js';

const demoSeed = JSON.parse(readFileSync(DEMO_SEED_PATH, 'utf8')) as SeedFile;
const stack = useLocalStack({
  azurite: false,
  seed: { ...demoSeed, keyVault: { ...demoSeed.keyVault, roleAssignments: [] } },
});

useStackIdentity(stack);

describe('createKeyVaultCredentialProvider: no role assignment on the vault', () => {
  it('fails with KeyVaultAccessDenied, saying which role to grant the managed identity', async () => {
    const credentials = createKeyVaultCredentialProvider({
      vaultUrl: stack().urls.keyVault,
      source: { kind: 'secret', secretName: 'due-notifier-client-secret' },
      tokenCredential: new DefaultAzureCredential(),
      cacheTtlMs: 60_000,
      timeoutMs: 5_000,
      maxRetries: 0,
    });
    const { code, message } = await failure(credentials.getCredential());
    expect(code).toBe('KeyVaultAccessDenied');
    expect(message).toContain('ForbiddenByRbac');
    expect(message).toContain("'Key Vault Secrets User'");
    expect(message).toContain("function app's managed identity");
    expect(message).not.toContain(stack().keyVault.getLatest('due-notifier-client-secret')?.value ?? 'unreachable');
  });
});
