/**
 * The local Azure stack: Entra ID (token endpoint), the managed-identity endpoint, Key Vault and Graph,
 * each on its own loopback server, plus Azurite; seeded from one seed file; with the app settings a
 * local run of due-notifier needs.
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
import { loadSeedFile } from './seed.js';
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
  const seed = typeof options.seed === 'object' ? options.seed : await loadSeedFile(options.seed ?? DEMO_SEED_PATH);
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
    const identityService = createManagedIdentityService({
      directory,
      authority,
      managedIdentityClientId: seed.functionApp.managedIdentityClientId,
      identityHeader,
    });
    const keyVaultService = createKeyVaultService({ seed: seed.keyVault, verifier: authority, directory, clock });
    const graphService = createGraphService({
      seed: seed.graph,
      verifier: authority,
      clock,
      now: new Date(clock()),
      ...(options.mailboxes ? { mailboxes: options.mailboxes } : {}),
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
  const filled: Record<string, string> = {
    ENTRA_TENANT_ID: seed.daemon.tenantId,
    ENTRA_CLIENT_ID: seed.daemon.clientId,
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
