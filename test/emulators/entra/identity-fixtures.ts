/**
 * Shared by the Entra ID, managed-identity and Key Vault emulator tests: a small directory seed, a
 * controllable clock, and a helper that hosts one service on a loopback port (HTTPS with the local CA).
 */
import { createRequestCounters } from '../../../emulators/stack/counters.js';
import type { CountingRequestCounters } from '../../../emulators/stack/counters.js';
import { createFaultController } from '../../../emulators/stack/faults.js';
import type { SeedFile } from '../../../emulators/stack/seed.js';
import { startEmulatorServer } from '../../../emulators/stack/server.js';
import { ensureLocalCa } from '../../../emulators/stack/tls.js';
import type { ServiceDefinition } from '../../../emulators/stack/types.js';

export const ids = {
  tenant: '7a0c3c8e-4d2b-4a55-9a61-0b8e1f5f2c11',
  daemon: { clientId: '3f2a9d1e-6b7c-4e8f-9a0b-1c2d3e4f5a6b', objectId: '0b1c2d3e-4f5a-4b6c-8d7e-9f0a1b2c3d4e' },
  daemonSecretKeyId: 'c0ffee00-0000-4000-8000-000000000001',
  daemonCertificateKeyId: 'c0ffee00-0000-4000-8000-000000000002',
  noRole: { clientId: '5d6e7f80-9a1b-4c2d-8e3f-405162738495', objectId: '6e7f8091-a2b3-4c4d-9e5f-60718293a4b5' },
  officer: { clientId: '8192a3b4-c5d6-4e7f-8091-a2b3c4d5e6f7', objectId: '92a3b4c5-d6e7-4f80-91a2-b3c4d5e6f708' },
  functionIdentity: {
    clientId: 'a1b2c3d4-e5f6-4a7b-8c9d-0e1f2a3b4c5d',
    principalId: 'b2c3d4e5-f6a7-4b8c-9d0e-1f2a3b4c5d6e',
  },
  otherIdentity: {
    clientId: 'c3d4e5f6-a7b8-4c9d-8e0f-1a2b3c4d5e6f',
    principalId: 'd4e5f6a7-b8c9-4d0e-9f1a-2b3c4d5e6f70',
  },
} as const;

export const vaultSecretNames = {
  daemonSecret: 'daemon-client-secret',
  daemonCertificate: 'daemon-client-certificate',
  officerSecret: 'officer-client-secret',
  noRoleSecret: 'no-role-client-secret',
} as const;

export const daemonRoles = ['Sites.Read.All', 'Mail.Send'] as const;

export function identityTestSeed(): SeedFile {
  return {
    tenants: [
      {
        id: ids.tenant,
        displayName: 'Fabrikam (test)',
        applications: [
          {
            ...ids.daemon,
            displayName: 'due-notifier',
            appRoles: [...daemonRoles],
            secrets: [{ keyId: ids.daemonSecretKeyId, keyVaultSecretName: vaultSecretNames.daemonSecret }],
            certificates: [
              {
                keyId: ids.daemonCertificateKeyId,
                subject: 'CN=due-notifier',
                keyVaultSecretName: vaultSecretNames.daemonCertificate,
              },
            ],
          },
          {
            ...ids.noRole,
            displayName: 'no permissions',
            appRoles: [],
            secrets: [
              { keyId: 'c0ffee00-0000-4000-8000-000000000003', keyVaultSecretName: vaultSecretNames.noRoleSecret },
            ],
            certificates: [],
          },
          {
            ...ids.officer,
            displayName: 'vault operator',
            appRoles: [],
            secrets: [
              { keyId: 'c0ffee00-0000-4000-8000-000000000004', keyVaultSecretName: vaultSecretNames.officerSecret },
            ],
            certificates: [],
          },
        ],
        managedIdentities: [
          { ...ids.functionIdentity, displayName: 'func-due-notifier' },
          { ...ids.otherIdentity, displayName: 'id-other' },
        ],
      },
    ],
    keyVault: {
      name: 'test-kv',
      tenantId: ids.tenant,
      roleAssignments: [
        { principalId: ids.functionIdentity.principalId, role: 'Key Vault Secrets User' },
        { principalId: ids.officer.objectId, role: 'Key Vault Secrets Officer' },
      ],
      secrets: [{ name: 'greeting', value: 'hello', contentType: 'text/plain', tags: { purpose: 'test' } }],
    },
    graph: { sites: [], users: [] },
    functionApp: { tenantId: ids.tenant, managedIdentityClientId: ids.functionIdentity.clientId },
    daemon: {
      tenantId: ids.tenant,
      clientId: ids.daemon.clientId,
      credential: 'secret',
      keyVaultSecretName: vaultSecretNames.daemonSecret,
      siteId: 'contoso.sharepoint.com,1,2',
      listId: 'list',
    },
  };
}

/** A clock tests can move; starts at the real time. */
export interface TestClock {
  readonly now: () => number;
  advance(milliseconds: number): void;
}

export function createTestClock(start: number = Date.now()): TestClock {
  let current = start;
  return {
    now: () => current,
    advance(milliseconds) {
      current += milliseconds;
    },
  };
}

export interface HostedService {
  /** Origin, e.g. `https://127.0.0.1:53211`. */
  readonly url: string;
  /** `host:port`, as MSAL's `knownAuthorities` wants it. */
  readonly authorityHost: string;
  readonly counters: CountingRequestCounters;
  close(): Promise<void>;
}

export async function hostService(
  definition: ServiceDefinition,
  options: { tls?: boolean } = {},
): Promise<HostedService> {
  const counters = createRequestCounters();
  const tls = options.tls === false ? undefined : await (await ensureLocalCa()).issueServerCertificate(['127.0.0.1']);
  const server = await startEmulatorServer({
    definition,
    counters,
    faults: createFaultController(),
    ...(tls ? { tls } : {}),
  });
  return { url: server.url, authorityHost: new URL(server.url).host, counters, close: () => server.close() };
}

/** Variables that would make DefaultAzureCredential pick another credential, or that it reads for managed identity. */
const CREDENTIAL_ENVIRONMENT = [
  'IDENTITY_ENDPOINT',
  'IDENTITY_HEADER',
  'AZURE_CLIENT_ID',
  'AZURE_TENANT_ID',
  'AZURE_CLIENT_SECRET',
  'AZURE_CLIENT_CERTIFICATE_PATH',
  'AZURE_FEDERATED_TOKEN_FILE',
  'AZURE_TOKEN_CREDENTIALS',
  'MSI_ENDPOINT',
  'MSI_SECRET',
  'IDENTITY_SERVER_THUMBPRINT',
  'IMDS_ENDPOINT',
] as const;

/**
 * Leaves DefaultAzureCredential one way to a token: the App Service managed-identity endpoint at
 * `endpoint`. Returns what puts the environment back as it was.
 */
export function setManagedIdentityEnvironment(endpoint: string, identityHeader: string): () => void {
  const saved = new Map<string, string | undefined>();
  for (const name of CREDENTIAL_ENVIRONMENT) {
    saved.set(name, process.env[name]);
    delete process.env[name];
  }
  process.env.IDENTITY_ENDPOINT = endpoint;
  process.env.IDENTITY_HEADER = identityHeader;
  return () => {
    for (const [name, value] of saved) {
      if (value === undefined) delete process.env[name];
      else process.env[name] = value;
    }
  };
}
