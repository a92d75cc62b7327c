/**
 * The local Azure stack: Entra ID (token endpoint), the managed-identity endpoint, Key Vault and Graph,
 * each on its own loopback server, plus Azurite; seeded from one seed file (or that seed's tenant without
 * the daemon's registration: `emptyTenant`); with the app settings a local run of due-notifier needs and
 * the operator's sign-in for registering the daemon.
 */
import { randomBytes } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startAzurite } from './azurite.js';
import type { AzuriteInstance } from './azurite.js';
import { createRequestCounters } from './counters.js';
import { createDirectory } from '../entra/directory.js';
import type { Directory } from '../entra/directory.js';
import { createEntraService } from '../entra/service.js';
import type { EntraControl } from '../entra/service.js';
import { createFaultController } from './faults.js';
import type { DecidingFaultController } from './faults.js';
import { createGraphService } from '../graph/service.js';
import type { GraphControl, MailboxModelOptions } from '../graph/service.js';
import { createKeyVaultService } from '../keyvault/service.js';
import type { KeyVaultControl } from '../keyvault/service.js';
import { createManagedIdentityService, MANAGED_IDENTITY_PATH } from '../entra/managed-identity.js';
import { withEmptyTenant } from './empty-tenant.js';
import { loadSeedFile } from './seed-file.js';
import type { SeedFile } from './seed.js';
import { startEmulatorServer } from './server.js';
import type { EmulatorServer } from './server.js';
import { ensureLocalCa } from './tls.js';
import { createTokenAuthority } from '../entra/tokens.js';
import type { TokenAuthority } from '../entra/tokens.js';
import type { FaultRule, RequestCounters, ServiceDefinition } from './types.js';

export const DEMO_SEED_PATH = fileURLToPath(new URL('../data/demo-seed.json', import.meta.url));
export const DEFAULT_DATA_DIRECTORY = fileURLToPath(new URL('../../.local', import.meta.url));
/** The settings template: the stack fills in what it knows and keeps the rest as the sample has it. */
export const SETTINGS_SAMPLE_PATH = fileURLToPath(new URL('../../local.settings.sample.json', import.meta.url));
const DEFAULT_TOKEN_LIFETIME_SECONDS = 3600;

export interface LocalStackOptions {
  /** A validated seed, or the path of a seed file; default the demo data set. */
  readonly seed?: SeedFile | string;
  /** Git-ignored folder for the CA (`ca/`) and a persistent Azurite workspace (`azurite/`); default `<repo>/.local`. */
  readonly dataDir?: string;
  /** Start Azurite (default true), in memory unless a location is given. */
  readonly azurite?: boolean | { readonly inMemory?: boolean; readonly location?: string };
  /** Overrides the seed's `tokenLifetimeSeconds` (default 3600). */
  readonly tokenLifetimeSeconds?: number;
  /** Fault rules active from the first request on. */
  readonly faults?: readonly FaultRule[];
  /** Seed of the generator behind fault probabilities and jitter. */
  readonly faultSeed?: number;
  /** Milliseconds since the epoch, for tokens, secret expiry, vault attributes and Graph; default `Date.now`. */
  readonly clock?: () => number;
  /**
   * The sender mailboxes' sending limits (default Exchange Online's: 4 concurrent requests, 30 messages a
   * minute, 10,000 requests per 10 minutes, 10,000 recipients a day), per mailbox, and `timeScale` to run
   * the mailboxes' clock faster (see emulators/graph/mailboxes.ts).
   */
  readonly mailboxes?: MailboxModelOptions;
  /**
   * Start without the daemon's app registration: no application, service principal, consent, site grant
   * or vault credential for `seed.daemon.clientId` (what `npm run register` creates). Default false.
   */
  readonly emptyTenant?: boolean;
}

/** A client-credentials sign-in (`ClientSecretCredential`) of an operator app of the emulated tenant. */
export interface OperatorSignIn {
  readonly clientId: string;
  readonly clientSecret: string;
}

/**
 * How the operator signs in to register the daemon: `new ClientSecretCredential(tenantId, clientId,
 * clientSecret, { authorityHost, disableInstanceDiscovery: true })` from @azure/identity. `admin` holds
 * Application.ReadWrite.All, AppRoleAssignment.ReadWrite.All and Sites.FullControl.All (Microsoft Graph)
 * and Key Vault Secrets Officer and Certificates Officer; `nonAdmin` holds none of them.
 */
export interface OperatorAccess {
  readonly tenantId: string;
  readonly authorityHost: string;
  readonly admin: OperatorSignIn;
  readonly nonAdmin?: OperatorSignIn;
}

/** A user-assigned identity of the function app (for the daemon's secretless mode). */
export interface UserAssignedIdentity {
  readonly clientId: string;
  /** The principal (object) id: the subject of its federated identity credential. */
  readonly principalId: string;
  readonly displayName: string;
}

export interface LocalStackUrls {
  /** Authority host (origin) of the Entra ID emulator. */
  readonly entra: string;
  /** Full `IDENTITY_ENDPOINT` URL of the managed-identity endpoint (plain http, as on App Service). */
  readonly identity: string;
  /** Vault URL (origin). */
  readonly keyVault: string;
  /** Graph origin; the API is under `/v1.0`. */
  readonly graph: string;
}

export interface LocalStack {
  /** App settings for a local run: exactly the keys of `local.settings.sample.json` `Values`. */
  readonly settings: Readonly<Record<string, string>>;
  readonly urls: LocalStackUrls;
  readonly caCertPath: string;
  readonly seed: SeedFile;
  /** Endpoint names for fault rules and counters: every route, plus `${service}.unmatched`. */
  readonly endpoints: readonly string[];
  readonly faults: DecidingFaultController;
  readonly counters: RequestCounters;
  /** Rotate, expire or revoke client secrets while the stack runs. */
  readonly directory: Directory;
  readonly authority: TokenAuthority;
  /** What the Entra ID emulator saw, e.g. the client assertions presented to it. */
  readonly entra: EntraControl;
  readonly keyVault: KeyVaultControl;
  readonly graph: GraphControl;
  /** The operator's sign-in, when the seed names operator apps. */
  readonly operator?: OperatorAccess;
  /** The function app's user-assigned identities (served by `client_id` at the managed-identity endpoint). */
  readonly userAssignedIdentities: readonly UserAssignedIdentity[];
  readonly azurite?: AzuriteInstance;
  /** How long the start took: the emulators (Node only) and Azurite (a child process), in milliseconds. */
  readonly startup: { readonly emulatorsMs: number; readonly azuriteMs?: number };
  /** Stops every server and Azurite; safe to call more than once. */
  stop(): Promise<void>;
}

export class LocalStackError extends Error {
  readonly code = 'LocalStackError';
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'LocalStackError';
  }
}

export async function startLocalStack(options: LocalStackOptions = {}): Promise<LocalStack> {
  const started = performance.now();
  const fullSeed = typeof options.seed === 'object' ? options.seed : await loadSeedFile(options.seed ?? DEMO_SEED_PATH);
  const seed = options.emptyTenant === true ? withEmptyTenant(fullSeed) : fullSeed;
  const dataDir = options.dataDir ?? DEFAULT_DATA_DIRECTORY;
  const azuriteOptions = options.azurite ?? true;
  const clock = options.clock ?? Date.now;

  // Azurite is the slowest part (a child process): it starts while the emulators are built.
  const azuriteStarting = azuriteOptions
    ? timed(() =>
        startAzurite({
          inMemory:
            typeof azuriteOptions === 'object'
              ? (azuriteOptions.inMemory ?? azuriteOptions.location === undefined)
              : true,
          location:
            (typeof azuriteOptions === 'object' ? azuriteOptions.location : undefined) ?? join(dataDir, 'azurite'),
        }),
      )
    : undefined;
  // Its failure is handled where it is awaited; until then it must not count as an unhandled rejection.
  azuriteStarting?.catch(() => undefined);
  const servers: EmulatorServer[] = [];
  try {
    const [template, ca, authority, directory] = await Promise.all([
      readSettingsTemplate(),
      ensureLocalCa(join(dataDir, 'ca')),
      createTokenAuthority({
        lifetimeSeconds: options.tokenLifetimeSeconds ?? seed.tokenLifetimeSeconds ?? DEFAULT_TOKEN_LIFETIME_SECONDS,
        clock,
      }),
      createDirectory(seed, { clock }),
    ]);
    const identityHeader = randomBytes(24).toString('base64url');
    const entraService = createEntraService({ directory, authority });
    // Known once the Entra ID server listens: the issuer of the managed identities' exchange tokens.
    let entraOrigin = '';
    const identityService = createManagedIdentityService({
      directory,
      authority,
      managedIdentityClientId: seed.functionApp.managedIdentityClientId,
      userAssignedIdentityClientIds: seed.functionApp.userAssignedIdentityClientIds ?? [],
      authorityOrigin: () => entraOrigin,
      identityHeader,
    });
    const keyVaultService = createKeyVaultService({ seed: seed.keyVault, verifier: authority, directory, clock });
    const graphService = createGraphService({
      seed: seed.graph,
      verifier: authority,
      clock,
      now: new Date(clock()),
      ...(options.mailboxes ? { mailboxes: options.mailboxes } : {}),
      directory,
    });
    const endpoints = endpointNames([entraService, identityService, keyVaultService, graphService]);

    const faults = createFaultController(options.faultSeed === undefined ? {} : { seed: options.faultSeed });
    for (const rule of options.faults ?? []) {
      // A misspelt endpoint would silently never match.
      if (rule.endpoint !== undefined && !endpoints.includes(rule.endpoint)) {
        throw new LocalStackError(`No endpoint is named "${rule.endpoint}" (endpoints: ${endpoints.join(', ')})`);
      }
      faults.add(rule);
    }
    const counters = createRequestCounters();
    const tls = await ca.issueServerCertificate(['localhost', '127.0.0.1', '::1']);
    const start = async (definition: ServiceDefinition, secure: boolean): Promise<EmulatorServer> => {
      const server = await startEmulatorServer({ definition, faults, counters, ...(secure ? { tls } : {}) });
      servers.push(server);
      return server;
    };
    const [entra, identity, keyVault, graph] = await Promise.all([
      start(entraService, true),
      start(identityService, false),
      start(keyVaultService, true),
      start(graphService, true),
    ]);
    entraOrigin = entra.url;
    const emulatorsMs = performance.now() - started;

    const azuriteStart = azuriteStarting ? await azuriteStarting : undefined;
    const azurite = azuriteStart?.value;
    const urls: LocalStackUrls = {
      entra: entra.url,
      identity: `${identity.url}${MANAGED_IDENTITY_PATH}`,
      keyVault: keyVault.url,
      graph: graph.url,
    };
    let stopping: Promise<void> | undefined;
    return {
      settings: buildSettings(template, { seed, urls, caCertPath: ca.caCertPath, identityHeader, azurite }),
      urls,
      caCertPath: ca.caCertPath,
      seed,
      endpoints,
      faults,
      counters,
      directory,
      authority,
      entra: entraService.control,
      keyVault: keyVaultService.control,
      graph: graphService.control,
      ...operatorAccess(seed, directory, entra.url),
      userAssignedIdentities: userAssignedIdentities(seed, directory),
      ...(azurite ? { azurite } : {}),
      startup: { emulatorsMs, ...(azuriteStart ? { azuriteMs: azuriteStart.ms } : {}) },
      stop() {
        stopping ??= stopAll(servers, azurite);
        return stopping;
      },
    };
  } catch (error) {
    const azurite = await azuriteStarting?.then(
      (result) => result.value,
      () => undefined,
    );
    await stopAll(servers, azurite);
    throw error;
  }
}

function operatorAccess(seed: SeedFile, directory: Directory, authorityHost: string): { operator?: OperatorAccess } {
  if (!seed.operator) return {};
  const tenantId = seed.daemon.tenantId.toLowerCase();
  const signIn = (clientId: string): OperatorSignIn => {
    const secret = directory.findApplication(tenantId, clientId)?.secrets[0]?.value;
    if (secret === undefined) {
      throw new LocalStackError(`The operator app ${clientId} needs a client secret in the seed (tenant ${tenantId})`);
    }
    return { clientId: clientId.toLowerCase(), clientSecret: secret };
  };
  const { adminClientId, nonAdminClientId } = seed.operator;
  return {
    operator: {
      tenantId,
      authorityHost,
      admin: signIn(adminClientId),
      ...(nonAdminClientId === undefined ? {} : { nonAdmin: signIn(nonAdminClientId) }),
    },
  };
}

function userAssignedIdentities(seed: SeedFile, directory: Directory): UserAssignedIdentity[] {
  return (seed.functionApp.userAssignedIdentityClientIds ?? []).flatMap((clientId) => {
    const identity = directory.findManagedIdentity(clientId);
    return identity
      ? [{ clientId: identity.clientId, principalId: identity.principalId, displayName: identity.displayName }]
      : [];
  });
}

function endpointNames(definitions: readonly ServiceDefinition[]): string[] {
  return definitions.flatMap((definition) => [
    ...definition.routes.map((route) => route.name),
    `${definition.service}.unmatched`,
  ]);
}

async function stopAll(servers: readonly EmulatorServer[], azurite: AzuriteInstance | undefined): Promise<void> {
  const results = await Promise.allSettled([...servers.map((server) => server.close()), azurite?.stop()]);
  const failure = results.find((result) => result.status === 'rejected');
  if (failure) throw new LocalStackError('The local stack did not stop cleanly', { cause: failure.reason });
}

async function timed<T>(run: () => Promise<T>): Promise<{ value: T; ms: number }> {
  const started = performance.now();
  const value = await run();
  return { value, ms: performance.now() - started };
}

async function readSettingsTemplate(): Promise<Readonly<Record<string, string>>> {
  try {
    const sample = JSON.parse(await readFile(SETTINGS_SAMPLE_PATH, 'utf8')) as { Values?: Record<string, unknown> };
    return Object.fromEntries(Object.entries(sample.Values ?? {}).map(([key, value]) => [key, String(value)]));
  } catch (error) {
    throw new LocalStackError(`Cannot read the settings template ${SETTINGS_SAMPLE_PATH}`, { cause: error });
  }
}

interface SettingsInput {
  readonly seed: SeedFile;
  readonly urls: LocalStackUrls;
  readonly caCertPath: string;
  readonly identityHeader: string;
  readonly azurite: AzuriteInstance | undefined;
}

/**
 * The sample's settings, in the sample's order, with everything the stack decides filled in (ports, ids,
 * names, the CA). A certificate credential takes `CLIENT_CERTIFICATE_NAME` in place of `CLIENT_SECRET_NAME`.
 */
function buildSettings(template: Readonly<Record<string, string>>, input: SettingsInput): Record<string, string> {
  const { seed, urls } = input;
  const site = seed.graph.sites.find((candidate) => candidate.id === seed.daemon.siteId);
  const credentialKey = seed.daemon.credential === 'secret' ? 'CLIENT_SECRET_NAME' : 'CLIENT_CERTIFICATE_NAME';
  const credentialKeys: ReadonlySet<string> = new Set(['CLIENT_SECRET_NAME', 'CLIENT_CERTIFICATE_NAME']);
  // An empty tenant has no registration yet: ENTRA_CLIENT_ID stays the sample's placeholder until `register`.
  const registered = seed.tenants.some((tenant) =>
    tenant.applications.some((app) => app.clientId.toLowerCase() === seed.daemon.clientId.toLowerCase()),
  );
  const filled: Record<string, string> = {
    ENTRA_TENANT_ID: seed.daemon.tenantId,
    ...(registered ? { ENTRA_CLIENT_ID: seed.daemon.clientId } : {}),
    ENTRA_AUTHORITY_HOST: urls.entra,
    KEY_VAULT_URL: urls.keyVault,
    [credentialKey]: seed.daemon.keyVaultSecretName,
    GRAPH_BASE_URL: `${urls.graph}/v1.0`,
    OBLIGATIONS_SITE_ID: seed.daemon.siteId,
    OBLIGATIONS_LIST_ID: seed.daemon.listId,
    ...(site ? { REMINDER_TIME_ZONE: site.timeZone } : {}),
    ...(input.azurite ? { AzureWebJobsStorage: input.azurite.connectionString } : {}),
    IDENTITY_ENDPOINT: urls.identity,
    IDENTITY_HEADER: input.identityHeader,
    NODE_EXTRA_CA_CERTS: input.caCertPath,
  };
  const settings: Record<string, string> = {};
  for (const [key, value] of Object.entries(template)) {
    const settingKey = credentialKeys.has(key) ? credentialKey : key;
    settings[settingKey] = filled[settingKey] ?? value;
  }
  return { ...settings, ...filled };
}
