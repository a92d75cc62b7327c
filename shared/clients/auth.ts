/**
 * App-only Microsoft Graph tokens from Entra ID with MSAL's `ConfidentialClientApplication` (client
 * credentials), the app's secret or certificate coming from Key Vault, or its client assertion from the
 * managed identity (federated-credential.ts).
 *
 * One application object per credential version is kept, so MSAL's in-memory token cache serves every
 * call until shortly before the token expires; when Key Vault hands out a new version, the next
 * application takes the cache over. Concurrent callers share one token request (MSAL does not
 * de-duplicate). When Entra ID rejects the credential as wrong or expired (rotation), the credential is
 * read again from Key Vault, bypassing its cache, and the request is retried once.
 */
import { randomUUID } from 'node:crypto';
import {
  AuthError,
  ClientAuthErrorCodes,
  ConfidentialClientApplication,
  LogLevel,
  ServerError,
} from '@azure/msal-node';
import type { Configuration } from '@azure/msal-node';
import { DueNotifierError } from '../base/errors.js';
import type { RetryPolicy, Sleep } from '../http/retry.js';
import type { ClientCredential, ClientCredentialProvider } from './client-credential.js';
import type { Logger } from '../base/logger.js';
import { inSpan } from '../base/telemetry.js';
import type { RequestMetrics } from '../http/metrics.js';
import { EntraRequestError, createMsalNetworkClient } from './msal-network-client.js';
import { createSingleFlight } from '../base/single-flight.js';

export interface GetAccessTokenOptions {
  readonly abortSignal?: AbortSignal;
  /** Ask Entra ID for a new token even if a cached one is still valid (Graph refused the cached one). */
  readonly forceRefresh?: boolean;
}

export interface GraphTokenProvider {
  getAccessToken(options?: GetAccessTokenOptions): Promise<string>;
}

export interface GraphTokenProviderOptions {
  readonly tenantId: string;
  readonly clientId: string;
  /** e.g. `https://login.microsoftonline.com`; a national cloud's host; the local stack's. */
  readonly authorityHost: string;
  readonly credentials: ClientCredentialProvider;
  /** Per HTTP request to Entra ID. */
  readonly timeoutMs: number;
  /** Token endpoint requests (POSTs, retries included) are recorded as `token`. */
  readonly metrics?: RequestMetrics;
  readonly logger?: Logger;
  /** Default {@link GRAPH_SCOPE}; a national cloud's Graph has its own (e.g. `https://graph.microsoft.us/.default`). */
  readonly scope?: string;
  readonly retry?: Partial<RetryPolicy>;
  readonly sleep?: Sleep;
}

export const GRAPH_SCOPE = 'https://graph.microsoft.com/.default';

/** Graph endpoints of the national clouds: a token for one is requested for that cloud's resource. */
const NATIONAL_CLOUD_GRAPH_HOSTS: ReadonlySet<string> = new Set([
  'graph.microsoft.us',
  'dod-graph.microsoft.us',
  'microsoftgraph.chinacloudapi.cn',
]);

/**
 * The scope of a Graph token for GRAPH_BASE_URL: its own resource in a national cloud, otherwise the
 * global Graph resource (which is also what a proxy or the local stack's Graph emulator expects).
 */
export function graphScopeFor(graphBaseUrl: string): string {
  const { hostname } = new URL(graphBaseUrl);
  return NATIONAL_CLOUD_GRAPH_HOSTS.has(hostname) ? `https://${hostname}/.default` : GRAPH_SCOPE;
}

/** Hosts MSAL validates through instance discovery; any other authority host must be declared known. */
const MICROSOFT_AUTHORITY_HOSTS = new Set([
  'login.microsoftonline.com',
  'login.microsoftonline.us',
  'login.chinacloudapi.cn',
  'login.partner.microsoftonline.cn',
]);

const MISSING_CLIENT_INFO_WARNING = 'No client info in response';

/** AADSTS codes meaning "this secret or certificate is not (or no longer) valid for the app". */
const REJECTED_CREDENTIAL_CODES = new Set(['7000215', '7000222', '700027']);

export function createGraphTokenProvider(options: GraphTokenProviderOptions): GraphTokenProvider {
  const { tenantId, clientId, credentials, logger, scope = GRAPH_SCOPE } = options;
  const authorityUrl = new URL(options.authorityHost);
  const authority = `${authorityUrl.origin}/${tenantId}`;
  const knownAuthorities = MICROSOFT_AUTHORITY_HOSTS.has(authorityUrl.hostname) ? [] : [authorityUrl.host];
  /** Abort signals of the acquisitions in progress, for the network client, by MSAL correlation id. */
  const signals = new Map<string, AbortSignal>();
  const networkClient = createMsalNetworkClient({
    timeoutMs: options.timeoutMs,
    metrics: options.metrics,
    logger,
    retry: options.retry,
    sleep: options.sleep,
    signalFor: (correlationId) => (correlationId === undefined ? undefined : signals.get(correlationId)),
  });
  const cachedFlight = createSingleFlight<string>();
  const freshFlight = createSingleFlight<string>();
  let current: { readonly version: string; readonly app: ConfidentialClientApplication } | undefined;

  return {
    getAccessToken({ abortSignal, forceRefresh = false } = {}) {
      const flight = forceRefresh ? freshFlight : cachedFlight;
      return flight.run((signal) => acquire(forceRefresh, signal), abortSignal);
    },
  };

  function acquire(skipCache: boolean, abortSignal: AbortSignal): Promise<string> {
    return inSpan('entra.token', { 'due_notifier.force_refresh': skipCache }, () =>
      acquireToken(skipCache, abortSignal),
    );
  }

  async function acquireToken(skipCache: boolean, abortSignal: AbortSignal): Promise<string> {
    const credential = await credentials.getCredential({ abortSignal });
    try {
      return await acquireWith(credential, skipCache, abortSignal);
    } catch (error) {
      abortSignal.throwIfAborted();
      if (!isRejectedCredential(error)) {
        throw toDueNotifierError(error);
      }
      const fresh = await credentials.getCredential({ forceRefresh: true, abortSignal });
      if (fresh.version === credential.version) {
        // The vault holds nothing newer: the same value would be refused again.
        throw toDueNotifierError(error);
      }
      logger?.warn(
        `Entra ID rejected version ${credential.version} of the ${credentials.describe()} (AADSTS${error.errorNo}); retrying once with version ${fresh.version}, just read from the vault.`,
      );
      try {
        return await acquireWith(fresh, skipCache, abortSignal);
      } catch (retryError) {
        abortSignal.throwIfAborted();
        throw toDueNotifierError(retryError);
      }
    }
  }

  async function acquireWith(
    credential: ClientCredential,
    skipCache: boolean,
    abortSignal: AbortSignal,
  ): Promise<string> {
    const app = applicationFor(credential);
    const correlationId = randomUUID();
    signals.set(correlationId, abortSignal);
    try {
      const result = await app.acquireTokenByClientCredential({ scopes: [scope], correlationId, skipCache });
      if (!result?.accessToken) {
        throw new DueNotifierError(
          'AuthenticationFailed',
          `Entra ID returned no access token for app ${clientId} in tenant ${tenantId} (correlation id ${correlationId}).`,
        );
      }
      return result.accessToken;
    } finally {
      signals.delete(correlationId);
    }
  }

  /** The application for this credential version, built on first use; the token cache moves over. */
  function applicationFor(credential: ClientCredential): ConfidentialClientApplication {
    if (current?.version === credential.version) {
      return current.app;
    }
    const app = new ConfidentialClientApplication(msalConfiguration(credential));
    if (current) {
      app.getTokenCache().deserialize(current.app.getTokenCache().serialize());
    }
    current = { version: credential.version, app };
    return app;
  }

  function msalConfiguration(credential: ClientCredential): Configuration {
    const secretOrCertificate =
      credential.kind === 'secret'
        ? { clientSecret: credential.clientSecret }
        : credential.kind === 'assertion'
          ? { clientAssertion: () => credential.getAssertion() }
          : {
              clientCertificate: {
                thumbprintSha256: credential.thumbprintSha256,
                privateKey: credential.privateKey,
                x5c: credential.x5c,
              },
            };
    return {
      auth: { clientId, authority, knownAuthorities, ...secretOrCertificate },
      system: {
        networkClient,
        loggerOptions: {
          piiLoggingEnabled: false,
          logLevel: LogLevel.Warning,
          loggerCallback: (level, message, containsPii) => {
            // App-only token responses never carry client_info (it describes a signed-in user), so
            // MSAL's warning about its absence is noise on every cold token for a daemon.
            if (containsPii || message.includes(MISSING_CLIENT_INFO_WARNING)) {
              return;
            }
            if (level === LogLevel.Error) {
              logger?.error(`MSAL: ${message}`);
            } else {
              logger?.warn(`MSAL: ${message}`);
            }
          },
        },
      },
    };
  }

  function toDueNotifierError(error: unknown): Error {
    if (error instanceof DueNotifierError) {
      return error;
    }
    if (error instanceof EntraRequestError) {
      return error.failure;
    }
    if (error instanceof AuthError && error.errorCode === ClientAuthErrorCodes.endpointResolutionError) {
      const metadataFailure = networkClient.lastMetadataFailure();
      if (metadataFailure) {
        return toDueNotifierError(metadataFailure);
      }
    }
    const app = `app ${clientId} in tenant ${tenantId}`;
    if (error instanceof ServerError) {
      const code = error.errorNo ? `AADSTS${error.errorNo}` : 'no AADSTS code';
      const status = error.status === undefined ? '' : `, HTTP ${error.status}`;
      return new DueNotifierError(
        'AuthenticationFailed',
        `Entra ID refused a Graph token for ${app} (${code}, ${error.errorCode || 'no error code'}${status}; correlation id ${error.correlationId}). ${fixFor(error.errorNo === undefined ? undefined : String(error.errorNo))}`,
        { cause: error },
      );
    }
    if (error instanceof AuthError) {
      const unreachable = /network|endpoint|timeout|discovery/i.test(error.errorCode);
      return new DueNotifierError(
        unreachable ? 'EntraUnavailable' : 'AuthenticationFailed',
        `MSAL could not get a Graph token for ${app} from ${authority} (${error.errorCode}: ${error.errorMessage || 'no details'}). Check ENTRA_AUTHORITY_HOST, ENTRA_TENANT_ID and ENTRA_CLIENT_ID.`,
        { cause: error },
      );
    }
    return new DueNotifierError('AuthenticationFailed', `Getting a Graph token for ${app} failed.`, { cause: error });
  }

  function fixFor(errorNo: string | undefined): string {
    const source = credentials.describe();
    const known = credentials.fixFor?.(errorNo);
    if (known !== undefined) return known;
    switch (errorNo) {
      case '7000222':
        return `The client secret has expired. Fix: create a new client secret in the app registration (Certificates & secrets) and store it as a new version of the ${source}.`;
      case '7000215':
        return `The vault holds a value that is not a current client secret of the app. Fix: store a current client secret of the app registration as a new version of the ${source}.`;
      case '700027':
        return `Entra ID did not accept the certificate's assertion. Fix: upload the certificate held in the ${source} to the app registration (Certificates & secrets), or store the registered certificate there; check it has not expired.`;
      case '7000229':
        return `The app registration has no service principal (enterprise application) in tenant '${tenantId}'. Fix: run npm run register, or create it (POST /servicePrincipals { appId }) and grant admin consent.`;
      case '700016':
        return `No such application in the tenant. Fix: check ENTRA_CLIENT_ID ('${clientId}') and ENTRA_TENANT_ID ('${tenantId}').`;
      case '90002':
        return `No such tenant. Fix: check ENTRA_TENANT_ID ('${tenantId}') and, for a national cloud, ENTRA_AUTHORITY_HOST.`;
      case '1002012':
        return `The scope '${scope}' is invalid. Fix: request the Graph resource followed by /.default.`;
      default:
        return 'Look the AADSTS code up in the Entra ID error reference.';
    }
  }
}

function isRejectedCredential(error: unknown): error is ServerError & { errorNo: string } {
  return (
    error instanceof ServerError && error.errorNo !== undefined && REJECTED_CREDENTIAL_CODES.has(String(error.errorNo))
  );
}
