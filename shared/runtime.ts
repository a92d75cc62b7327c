/**
 * The daemon's long-lived clients, kept at module level so they outlive invocations: one Key Vault
 * client (and its cached credential), one MSAL confidential client (and its token cache) and one
 * Graph client per configuration. A warm Functions instance then runs a sweep without a Key Vault
 * or token request.
 *
 * Settings are read when a function runs, not when the module loads: a missing setting must not stop
 * the host from indexing the functions; it fails each invocation with a ConfigError that names it.
 * A changed setting (the host restarts the app on changes, tests switch stacks) builds new clients.
 * The managed identity that reads the vault is not a setting of ours: DefaultAzureCredential finds it
 * in the process environment (IDENTITY_ENDPOINT, AZURE_CLIENT_ID, ...) when the runtime is built.
 */
import { loadConfig } from './config/config.js';
import type { AppConfig } from './config/config.js';
import { createGraphTokenProvider, graphScopeFor } from './clients/auth.js';
import type { GraphTokenProvider } from './clients/auth.js';
import { createGraphClient } from './clients/graph.js';
import type { GraphClient } from './clients/graph.js';
import { createKeyVaultCredentialProvider } from './clients/key-vault-credentials.js';
import type { ClientCredentialProvider } from './clients/key-vault-credentials.js';
import type { Logger } from './base/logger.js';
import { createRequestMetrics } from './http/metrics.js';
import type { RequestMetrics } from './http/metrics.js';
import { createThrottlePauses } from './http/throttle-pauses.js';
import type { ThrottlePauses } from './http/throttle-pauses.js';

export type Environment = Readonly<Record<string, string | undefined>>;

export interface DaemonRuntime {
  readonly config: AppConfig;
  readonly credentials: ClientCredentialProvider;
  readonly tokens: GraphTokenProvider;
  readonly graph: GraphClient;
  /** Counts every request these clients make, for the lifetime of the runtime. */
  readonly metrics: RequestMetrics;
  /** One throttle pause per origin, shared by the Graph reads and the mailer. */
  readonly throttle: ThrottlePauses;
}

export interface DaemonRuntimeOptions {
  /**
   * Where the long-lived clients log (credential expiry warnings, retries). They outlive any one
   * invocation, so this is not an invocation's context; default: the console.
   */
  readonly logger?: Logger;
}

let cached: { readonly key: string; readonly runtime: DaemonRuntime } | undefined;

/**
 * The runtime for the current settings, built on first use and reused while the validated settings
 * stay the same. Throws ConfigError for a missing or invalid setting.
 */
export function getDaemonRuntime(env: Environment = process.env, options: DaemonRuntimeOptions = {}): DaemonRuntime {
  const config = loadConfig(env);
  const key = JSON.stringify(config);
  if (cached?.key !== key) {
    cached = { key, runtime: createDaemonRuntime(config, options.logger ?? console) };
  }
  return cached.runtime;
}

/** Forgets the cached clients (tests; a new configuration is picked up anyway). */
export function resetDaemonRuntime(): void {
  cached = undefined;
}

export function createDaemonRuntime(config: AppConfig, logger: Logger): DaemonRuntime {
  const metrics = createRequestMetrics();
  const credentials = createKeyVaultCredentialProvider({
    vaultUrl: config.keyVaultUrl,
    source: config.credential,
    cacheTtlMs: config.secretCacheTtlMs,
    timeoutMs: config.httpTimeoutMs,
    metrics,
    logger,
  });
  const tokens = createGraphTokenProvider({
    tenantId: config.tenantId,
    clientId: config.clientId,
    authorityHost: config.authorityHost,
    scope: graphScopeFor(config.graphBaseUrl),
    credentials,
    timeoutMs: config.httpTimeoutMs,
    metrics,
    logger,
  });
  // The due-date ranges read at once, and sendMail, pause together when Graph throttles the app.
  const throttle = createThrottlePauses();
  const graph = createGraphClient({
    baseUrl: config.graphBaseUrl,
    tokens,
    timeoutMs: config.httpTimeoutMs,
    metrics,
    logger,
    throttle,
  });
  return { config, credentials, tokens, graph, metrics, throttle };
}
