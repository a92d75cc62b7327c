/**
 * The Entra ID emulator: per-tenant OpenID metadata, signing keys, and the v2.0 token endpoint for the
 * client credentials grant with a client secret or a certificate assertion. Endpoint URLs in the metadata
 * are derived from the request's origin, which is what MSAL validates the `issuer` against.
 */
import { randomUUID } from 'node:crypto';
import { CLIENT_ASSERTION_TYPE, verifyClientAssertion } from './client-assertion.js';
import { isFederatedAssertion, verifyFederatedAssertion } from './federated-assertion.js';
import type { Directory } from './directory.js';
import type { DirectoryApplication, DirectoryTenant, SignInRecord } from './directory-records.js';
import { correlationIdOf, entraErrorResponse, entraErrors, entraHeaders } from './errors.js';
import type { EntraErrorSpec } from './errors.js';
import type { TokenAuthority } from './tokens.js';
import type { EmulatorRequest, EmulatorResponse, ServiceDefinition } from '../stack/types.js';

export const GRAPH_RESOURCE = 'https://graph.microsoft.com';
export const KEY_VAULT_RESOURCE = 'https://vault.azure.net';
/** Resources whose service principals exist in every emulated tenant; only Graph has app roles to grant. */
const knownResources: ReadonlySet<string> = new Set([GRAPH_RESOURCE, KEY_VAULT_RESOURCE]);
const DEFAULT_SCOPE_SUFFIX = '/.default';

export interface EntraServiceOptions {
  readonly directory: Directory;
  readonly authority: TokenAuthority;
}

export interface EntraControl {
  /** Every client assertion presented to the token endpoint (accepted or not), oldest first, for leak checks. */
  presentedClientAssertions(): string[];
}

/** Which credential a client authenticated with, for the sign-in log. */
type UsedCredential = Pick<SignInRecord, 'clientCredentialType' | 'credentialKeyId' | 'credentialThumbprint'>;

type Outcome<T> = { readonly ok: true; readonly value: T } | { readonly ok: false; readonly failure: EntraErrorSpec };

export function createEntraService(options: EntraServiceOptions): ServiceDefinition & { control: EntraControl } {
  const { directory, authority } = options;
  const presentedAssertions: string[] = [];

  /** Runs a handler for a known tenant; an unknown tenant gets AADSTS90002 on every endpoint. */
  const forTenant =
    (handle: (request: EmulatorRequest, tenant: DirectoryTenant) => EmulatorResponse | Promise<EmulatorResponse>) =>
    (request: EmulatorRequest): EmulatorResponse | Promise<EmulatorResponse> => {
      const tenantSegment = request.params.tenant ?? '';
      const tenant = directory.findTenant(tenantSegment);
      return tenant ? handle(request, tenant) : errorResponse(request, entraErrors.tenantNotFound(tenantSegment));
    };

  const errorResponse = (request: EmulatorRequest, spec: EntraErrorSpec): EmulatorResponse =>
    entraErrorResponse(spec, { correlationId: correlationIdOf(request.headers), now: directory.now() });

  async function issueToken(request: EmulatorRequest, tenant: DirectoryTenant): Promise<EmulatorResponse> {
    const form = formParameters(request);
    const basic = basicCredentials(request.headers.authorization);
    const grantType = form.get('grant_type');
    if (!grantType) return errorResponse(request, entraErrors.missingParameter('grant_type'));
    if (grantType !== 'client_credentials') return errorResponse(request, entraErrors.unsupportedGrantType(grantType));
    const clientId = form.get('client_id') ?? basic?.clientId;
    if (!clientId) return errorResponse(request, entraErrors.missingParameter('client_id'));
    const scope = form.get('scope');
    if (!scope) return errorResponse(request, entraErrors.missingParameter('scope'));

    const application = directory.findApplication(tenant.id, clientId);
    if (!application) return errorResponse(request, entraErrors.applicationNotFound(clientId, tenant.displayName));
    const authenticated = await authenticateClient(request, form, basic, application);
    if (!authenticated.ok) return errorResponse(request, authenticated.failure);
    if (!application.hasServicePrincipal) {
      return errorResponse(request, entraErrors.missingServicePrincipal(application.clientId, tenant.id));
    }
    const resource = resourceOf(scope, tenant);
    if (!resource.ok) return errorResponse(request, resource.failure);

    const issued = await authority.issue({
      tenantId: tenant.id,
      appId: application.clientId,
      objectId: application.objectId,
      roles: resource.value === GRAPH_RESOURCE ? application.appRoles : [],
      audience: resource.value,
    });
    directory.recordSignIn(tenant.id, {
      appId: application.clientId,
      appDisplayName: application.displayName,
      servicePrincipalId: application.objectId,
      resource: resource.value,
      ...authenticated.value,
    });
    return {
      status: 200,
      headers: entraHeaders(correlationIdOf(request.headers), randomUUID()),
      body: {
        token_type: 'Bearer',
        expires_in: issued.expiresIn,
        ext_expires_in: issued.expiresIn,
        access_token: issued.accessToken,
      },
    };
  }

  async function authenticateClient(
    request: EmulatorRequest,
    form: URLSearchParams,
    basic: BasicCredentials | undefined,
    application: DirectoryApplication,
  ): Promise<Outcome<UsedCredential>> {
    const assertion = form.get('client_assertion');
    if (assertion !== null) {
      presentedAssertions.push(assertion);
      if (form.get('client_assertion_type') !== CLIENT_ASSERTION_TYPE) {
        return { ok: false, failure: entraErrors.missingParameter('client_assertion_type') };
      }
      if (isFederatedAssertion(assertion, application.clientId)) {
        return verifyFederatedAssertion(assertion, {
          application,
          authority,
          // Managed identities' exchange tokens carry the tenant's v2.0 issuer at this authority host.
          isOwnIssuer: (issuer) => isOwnIssuer(issuer, request.url.origin),
          now: directory.now(),
        }).then((verdict) =>
          verdict.ok
            ? {
                ok: true,
                value: { clientCredentialType: 'federatedIdentityCredential', credentialKeyId: verdict.credentialId },
              }
            : verdict,
        );
      }
      const verdict = await verifyClientAssertion(assertion, {
        application,
        clientId: application.clientId,
        tokenEndpoint: `${request.url.origin}${request.url.pathname}`,
        now: directory.now(),
      });
      return verdict.ok
        ? {
            ok: true,
            value: {
              clientCredentialType: 'certificate',
              credentialKeyId: verdict.certificate.keyId,
              credentialThumbprint: verdict.certificate.thumbprintSha1,
            },
          }
        : verdict;
    }
    const secret = form.get('client_secret') ?? basic?.clientSecret;
    if (secret === undefined) return { ok: false, failure: entraErrors.missingClientCredential() };
    switch (application.checkSecret(secret)) {
      case 'valid':
        return {
          ok: true,
          value: { clientCredentialType: 'clientSecret', credentialKeyId: application.secretKeyId(secret) ?? '' },
        };
      case 'expired':
        return { ok: false, failure: entraErrors.expiredClientSecret(application.clientId) };
      case 'invalid':
        return { ok: false, failure: entraErrors.invalidClientSecret(application.clientId) };
    }
  }

  /** `{this authority host}/{a tenant of the directory}/v2.0`. */
  function isOwnIssuer(issuer: string, origin: string): boolean {
    const prefix = `${origin}/`;
    const suffix = '/v2.0';
    if (!issuer.startsWith(prefix) || !issuer.endsWith(suffix)) return false;
    return directory.findTenant(issuer.slice(prefix.length, -suffix.length)) !== undefined;
  }

  return {
    service: 'entra',
    routes: [
      {
        name: 'entra.openidConfiguration',
        method: 'GET',
        path: '/:tenant/v2.0/.well-known/openid-configuration',
        handle: forTenant((request, tenant) => ({
          status: 200,
          headers: { 'cache-control': 'max-age=86400, private' },
          body: openIdConfiguration(request.url.origin, tenant.id),
        })),
      },
      {
        name: 'entra.keys',
        method: 'GET',
        path: '/:tenant/discovery/v2.0/keys',
        handle: forTenant(() => ({
          status: 200,
          headers: { 'cache-control': 'max-age=86400, private' },
          body: authority.jwks(),
        })),
      },
      {
        name: 'entra.token',
        method: 'POST',
        path: '/:tenant/oauth2/v2.0/token',
        handle: forTenant(issueToken),
      },
    ],
    notFound(request) {
      if (request.url.pathname.toLowerCase().replace(/\/$/, '').endsWith('/oauth2/v2.0/token')) {
        return errorResponse(request, entraErrors.methodNotAllowed(request.method));
      }
      return { status: 404, headers: { 'content-type': 'text/plain; charset=utf-8' }, body: 'Not Found' };
    },
    internalError: (request) => errorResponse(request, entraErrors.serverError()),
    control: { presentedClientAssertions: () => [...presentedAssertions] },
  };
}

/** The v2.0 discovery document; MSAL needs issuer, authorization_endpoint, token_endpoint and jwks_uri. */
function openIdConfiguration(origin: string, tenantId: string): Record<string, unknown> {
  const base = `${origin}/${tenantId}`;
  return {
    token_endpoint: `${base}/oauth2/v2.0/token`,
    token_endpoint_auth_methods_supported: ['client_secret_post', 'private_key_jwt', 'client_secret_basic'],
    jwks_uri: `${base}/discovery/v2.0/keys`,
    response_modes_supported: ['query', 'fragment', 'form_post'],
    subject_types_supported: ['pairwise'],
    id_token_signing_alg_values_supported: ['RS256'],
    response_types_supported: ['code', 'id_token', 'code id_token', 'id_token token'],
    scopes_supported: ['openid', 'profile', 'email', 'offline_access'],
    issuer: `${base}/v2.0`,
    request_uri_parameter_supported: false,
    userinfo_endpoint: 'https://graph.microsoft.com/oidc/userinfo',
    authorization_endpoint: `${base}/oauth2/v2.0/authorize`,
    device_authorization_endpoint: `${base}/oauth2/v2.0/devicecode`,
    http_logout_supported: true,
    frontchannel_logout_supported: true,
    end_session_endpoint: `${base}/oauth2/v2.0/logout`,
    claims_supported: [
      'sub',
      'iss',
      'cloud_instance_name',
      'aud',
      'exp',
      'iat',
      'auth_time',
      'acr',
      'nonce',
      'tid',
      'ver',
    ],
    tenant_region_scope: 'EU',
    cloud_instance_name: 'microsoftonline.com',
    cloud_graph_host_name: 'graph.windows.net',
    msgraph_host: 'graph.microsoft.com',
  };
}

/** Client credentials must ask for exactly one `{resource}/.default`. */
function resourceOf(scope: string, tenant: DirectoryTenant): Outcome<string> {
  const scopes = scope.split(' ').filter((value) => value !== '');
  const withoutDefault = scopes.find((value) => !value.endsWith(DEFAULT_SCOPE_SUFFIX));
  if (withoutDefault !== undefined) return { ok: false, failure: entraErrors.scopeWithoutDefault(withoutDefault) };
  const resources = new Set(scopes.map((value) => value.slice(0, -DEFAULT_SCOPE_SUFFIX.length)));
  const [resource] = resources;
  if (resources.size !== 1 || resource === undefined) {
    return { ok: false, failure: entraErrors.scopeWithSeveralResources(scope) };
  }
  if (!knownResources.has(resource)) {
    return { ok: false, failure: entraErrors.resourceNotFound(resource, tenant.displayName) };
  }
  return { ok: true, value: resource };
}

/** The form body; any other content type carries no parameters (Entra ID then reports the first missing one). */
function formParameters(request: EmulatorRequest): URLSearchParams {
  const contentType = request.headers['content-type'] ?? '';
  return contentType.toLowerCase().startsWith('application/x-www-form-urlencoded')
    ? new URLSearchParams(request.body.toString('utf8'))
    : new URLSearchParams();
}

interface BasicCredentials {
  readonly clientId: string;
  readonly clientSecret: string;
}

/** `client_secret_basic`: both parts are form-encoded before base64 (RFC 6749, section 2.3.1). */
function basicCredentials(authorization: string | undefined): BasicCredentials | undefined {
  const match = /^Basic\s+([A-Za-z0-9+/=]+)\s*$/i.exec(authorization ?? '');
  if (!match?.[1]) return undefined;
  const decoded = Buffer.from(match[1], 'base64').toString('utf8');
  const separator = decoded.indexOf(':');
  if (separator < 0) return undefined;
  try {
    const formDecode = (value: string): string => decodeURIComponent(value.replace(/\+/g, ' '));
    return {
      clientId: formDecode(decoded.slice(0, separator)),
      clientSecret: formDecode(decoded.slice(separator + 1)),
    };
  } catch {
    return undefined;
  }
}
