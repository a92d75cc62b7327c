/**
 * The App Service / Functions managed-identity endpoint (`IDENTITY_ENDPOINT` + `IDENTITY_HEADER`,
 * api-version 2019-08-01), as `ManagedIdentityCredential` (through MSAL's AppService source) calls it:
 * `GET {endpoint}?api-version=2019-08-01&resource=...[&client_id|object_id|principal_id|mi_res_id=...]`
 * with the `X-IDENTITY-HEADER` header; the answer carries `expires_on` in epoch seconds, as a string.
 * Without a selector it serves the app's system-assigned identity; a selector names one of its
 * user-assigned identities. A token for `api://AzureADTokenExchange` is the v2.0 token a federated
 * identity credential of an app registration accepts as client assertion.
 */
import type { Directory } from './directory.js';
import type { DirectoryManagedIdentity } from './directory-records.js';
import { GRAPH_APP_ID } from './first-party-apps.js';
import { GRAPH_RESOURCE, KEY_VAULT_RESOURCE } from './service.js';
import { correlationIdOf, entraErrorResponse, entraErrors } from './errors.js';
import type { TokenAuthority } from './tokens.js';
import type { EmulatorRequest, EmulatorResponse, ServiceDefinition } from '../stack/types.js';

export const MANAGED_IDENTITY_PATH = '/msi/token';
const API_VERSION = '2019-08-01';
const IDENTITY_HEADER_NAME = 'x-identity-header';
/** Query parameters naming a user-assigned identity; at most one may be given. */
const identitySelectors = ['client_id', 'object_id', 'principal_id', 'mi_res_id'] as const;
/** The audience of tokens for workload identity federation (public cloud). */
export const TOKEN_EXCHANGE_RESOURCE = 'api://AzureADTokenExchange';

export interface ManagedIdentityServiceOptions {
  readonly directory: Directory;
  readonly authority: TokenAuthority;
  /** The function app's system-assigned identity: served when the request names none. */
  readonly managedIdentityClientId: string;
  /** Client ids of the user-assigned identities assigned to the function app, served by selector. */
  readonly userAssignedIdentityClientIds?: readonly string[];
  /** The Entra ID emulator's origin, the authority host in the issuer of token-exchange tokens. */
  readonly authorityOrigin?: () => string;
  /** The `IDENTITY_HEADER` value the platform gave the app; requests must echo it. */
  readonly identityHeader: string;
}

export class ManagedIdentityServiceError extends Error {
  readonly code = 'UnknownManagedIdentity';
  constructor(message: string) {
    super(message);
    this.name = 'ManagedIdentityServiceError';
  }
}

export function createManagedIdentityService(options: ManagedIdentityServiceOptions): ServiceDefinition {
  const { directory, authority, identityHeader } = options;
  const systemAssigned = assignedIdentity(directory, options.managedIdentityClientId);
  const userAssigned = (options.userAssignedIdentityClientIds ?? []).map((clientId) =>
    assignedIdentity(directory, clientId),
  );
  const tenant = directory.findTenant(systemAssigned.tenantId);

  async function issueToken(request: EmulatorRequest): Promise<EmulatorResponse> {
    const presentedHeader = request.headers[IDENTITY_HEADER_NAME];
    if (typeof presentedHeader !== 'string' || presentedHeader === '') {
      return platformError(request, 400, `Missing the ${IDENTITY_HEADER_NAME.toUpperCase()} header.`);
    }
    if (presentedHeader !== identityHeader) {
      return platformError(request, 401, `The ${IDENTITY_HEADER_NAME.toUpperCase()} header is not valid.`);
    }
    const query = request.url.searchParams;
    const requestedVersion = query.get('api-version');
    if (requestedVersion !== API_VERSION) {
      return platformError(
        request,
        400,
        requestedVersion === null ? 'Missing api-version parameter.' : `Unsupported api-version '${requestedVersion}'.`,
      );
    }
    const resource = query.get('resource');
    if (!resource) return platformError(request, 400, 'Missing resource parameter.');
    const selectors = identitySelectors.filter((name) => query.has(name));
    if (selectors.length > 1) {
      return platformError(request, 400, `Only one of ${identitySelectors.join(', ')} may be specified.`);
    }
    const selector = selectors[0];
    const identity =
      selector === undefined
        ? systemAssigned
        : [systemAssigned, ...userAssigned].find((candidate) => isSelected(candidate, selector, query));
    if (identity === undefined) {
      return platformError(request, 400, 'Unable to load the proper Managed Identity.');
    }
    if (resource.replace(/\/$/, '') === TOKEN_EXCHANGE_RESOURCE) {
      const exchange = await authority.issueExchangeToken({
        tenantId: identity.tenantId,
        issuer: `${options.authorityOrigin?.() ?? 'https://login.microsoftonline.com'}/${identity.tenantId}/v2.0`,
        clientId: identity.clientId,
        principalId: identity.principalId,
        audience: TOKEN_EXCHANGE_RESOURCE,
      });
      return tokenAnswer(exchange.accessToken, exchange.expiresOn, resource, identity.clientId);
    }
    // Entra ID's v1 endpoint issues `aud` exactly as the resource was asked for (a trailing slash stays).
    if (!knownResource(resource)) {
      return entraErrorResponse(entraErrors.resourceNotFound(resource, tenant?.displayName ?? identity.tenantId), {
        correlationId: correlationIdOf(request.headers),
        now: directory.now(),
      });
    }
    const issued = await authority.issue({
      tenantId: identity.tenantId,
      appId: identity.clientId,
      objectId: identity.principalId,
      roles:
        resource.replace(/\/$/, '') === GRAPH_RESOURCE
          ? directory.rolesOf(identity.tenantId, identity.principalId, GRAPH_APP_ID)
          : [],
      audience: resource,
    });
    return tokenAnswer(issued.accessToken, issued.claims.exp, resource, identity.clientId);
  }

  function tokenAnswer(accessToken: string, expiresOn: number, resource: string, clientId: string): EmulatorResponse {
    return {
      status: 200,
      body: {
        access_token: accessToken,
        expires_on: String(expiresOn),
        resource,
        token_type: 'Bearer',
        client_id: clientId,
      },
    };
  }

  return {
    service: 'identity',
    routes: [{ name: 'identity.token', method: 'GET', path: MANAGED_IDENTITY_PATH, handle: issueToken }],
    notFound: (request) => platformError(request, 404, 'Not Found'),
    internalError: (request) => platformError(request, 500, 'An unexpected error occurred while fetching the token.'),
  };
}

function assignedIdentity(directory: Directory, clientId: string): DirectoryManagedIdentity {
  const identity = directory.findManagedIdentity(clientId);
  if (!identity) {
    throw new ManagedIdentityServiceError(
      `Managed identity ${clientId} is not in the directory: add it to a tenant's managedIdentities`,
    );
  }
  return identity;
}

function isSelected(
  identity: DirectoryManagedIdentity,
  selector: (typeof identitySelectors)[number],
  query: URLSearchParams,
): boolean {
  const value = query.get(selector)?.toLowerCase();
  switch (selector) {
    case 'client_id':
      return value === identity.clientId;
    case 'object_id':
    case 'principal_id':
      return value === identity.principalId.toLowerCase();
    case 'mi_res_id':
      return value?.endsWith(`/userassignedidentities/${identity.displayName.toLowerCase()}`) ?? false;
  }
}

function knownResource(resource: string): boolean {
  const withoutSlash = resource.replace(/\/$/, '');
  return withoutSlash === GRAPH_RESOURCE || withoutSlash === KEY_VAULT_RESOURCE;
}

/** The platform's own error shape (errors from Entra ID itself are passed through in Entra's shape). */
function platformError(request: EmulatorRequest, status: number, message: string): EmulatorResponse {
  return {
    status,
    body: { statusCode: status, message, correlationId: correlationIdOf(request.headers) },
  };
}
