/**
 * Entra ID's error responses (`AADSTS…`), shaped and worded as the real token service sends them, so
 * clients see the same `ServerError` fields (`errorCode`, `errorNo`, `status`) locally as in Azure.
 * Texts are the real ones where they could be found in public error reports.
 */
import { randomUUID } from 'node:crypto';
import type { IncomingHttpHeaders } from 'node:http';
import type { EmulatorResponse } from '../stack/types.js';

export interface EntraErrorSpec {
  readonly status: number;
  /** OAuth error: `invalid_client`, `invalid_request`, ... */
  readonly error: string;
  /** The AADSTS number. */
  readonly code: number;
  readonly message: string;
}

const GUID_PATTERN = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const CERTIFICATE_DOCS =
  'Review the documentation at https://learn.microsoft.com/entra/identity-platform/certificate-credentials .';

/** The claims of a federated assertion that Entra ID quotes in its errors. */
export interface AssertionClaims {
  readonly issuer: string;
  readonly subject: string;
  readonly audience: string;
}

const WORKLOAD_IDENTITY_DOCS = 'https://learn.microsoft.com/entra/workload-id/workload-identity-federation';

export const entraErrors = {
  tenantNotFound: (tenant: string): EntraErrorSpec => ({
    status: 400,
    error: 'invalid_tenant',
    code: 90002,
    message: `Tenant '${tenant}' not found. Check to make sure you have the correct tenant ID and are signing into the correct cloud. Check with your subscription administrator, this may happen if there are no active subscriptions for the tenant.`,
  }),
  missingParameter: (name: string): EntraErrorSpec => ({
    status: 400,
    error: 'invalid_request',
    code: 900144,
    message: `The request body must contain the following parameter: '${name}'.`,
  }),
  unsupportedGrantType: (grantType: string): EntraErrorSpec => ({
    status: 400,
    error: 'unsupported_grant_type',
    code: 70003,
    message: `The app requested an unsupported grant type '${grantType}'.`,
  }),
  methodNotAllowed: (method: string): EntraErrorSpec => ({
    status: 400,
    error: 'invalid_request',
    code: 900561,
    message: `The endpoint only accepts POST, OPTIONS requests. Received a ${method} request.`,
  }),
  applicationNotFound: (clientId: string, tenantName: string): EntraErrorSpec => ({
    status: 400,
    error: 'unauthorized_client',
    code: 700016,
    message: `Application with identifier '${clientId}' was not found in the directory '${tenantName}'. This can happen if the application has not been installed by the administrator of the tenant or consented to by any user in the tenant. You may have sent your authentication request to the wrong tenant.`,
  }),
  missingServicePrincipal: (clientId: string, tenantId: string): EntraErrorSpec => ({
    status: 400,
    error: 'invalid_client',
    code: 7000229,
    message: `The client application ${clientId} is missing service principal in the tenant ${tenantId}. See instructions here: https://go.microsoft.com/fwlink/?linkid=2225119`,
  }),
  noFederatedCredentials: (assertion: AssertionClaims): EntraErrorSpec => ({
    status: 401,
    error: 'invalid_client',
    code: 70021,
    message: `No matching federated identity record found for presented assertion. Assertion Issuer: '${assertion.issuer}'. Assertion Subject: '${assertion.subject}'. Assertion Audience: '${assertion.audience}'. ${WORKLOAD_IDENTITY_DOCS}`,
  }),
  federatedIssuerMismatch: (issuer: string): EntraErrorSpec => ({
    status: 401,
    error: 'invalid_client',
    code: 700211,
    message: `No matching federated identity record found for presented assertion issuer '${issuer}'. Please check your federated identity credential Subject, Audience and Issuer against the presented assertion. ${WORKLOAD_IDENTITY_DOCS}`,
  }),
  federatedAudienceMismatch: (audience: string): EntraErrorSpec => ({
    status: 401,
    error: 'invalid_client',
    code: 700212,
    message: `No matching federated identity record found for presented assertion audience '${audience}'. Please check your federated identity credential Subject, Audience and Issuer against the presented assertion. ${WORKLOAD_IDENTITY_DOCS}`,
  }),
  federatedSubjectMismatch: (subject: string): EntraErrorSpec => ({
    status: 401,
    error: 'invalid_client',
    code: 700213,
    message: `No matching federated identity record found for presented assertion subject '${subject}'. Check your federated identity credential Subject, Audience and Issuer against the presented assertion. ${WORKLOAD_IDENTITY_DOCS}`,
  }),
  federatedSubjectCaseMismatch: (subject: string): EntraErrorSpec => ({
    status: 401,
    error: 'invalid_client',
    code: 7002138,
    message: `No matching federated identity record found for presented assertion subject '${subject}'. The subject matches with case-insensitive comparison, but not with case-sensitive comparison. Check your federated identity credential Subject, Audience and Issuer against the presented assertion. ${WORKLOAD_IDENTITY_DOCS}`,
  }),
  missingClientCredential: (): EntraErrorSpec => ({
    status: 401,
    error: 'invalid_client',
    code: 7000218,
    message: "The request body must contain the following parameter: 'client_assertion' or 'client_secret'.",
  }),
  invalidClientSecret: (clientId: string): EntraErrorSpec => ({
    status: 401,
    error: 'invalid_client',
    code: 7000215,
    message: `Invalid client secret provided. Ensure the secret being sent in the request is the client secret value, not the client secret ID, for a secret added to app '${clientId}'.`,
  }),
  expiredClientSecret: (clientId: string): EntraErrorSpec => ({
    status: 401,
    error: 'invalid_client',
    code: 7000222,
    message: `The provided client secret keys for app '${clientId}' are expired. Visit the Azure portal to create new keys for your app: https://aka.ms/NewClientSecret, or consider using certificate credentials for added security: https://aka.ms/certCreds.`,
  }),
  malformedAssertion: (detail: string): EntraErrorSpec => ({
    status: 401,
    error: 'invalid_client',
    code: 50027,
    message: `Invalid JWT token. ${detail}`,
  }),
  assertionKeyNotFound: (thumbprint: string, clientId: string): EntraErrorSpec => ({
    status: 401,
    error: 'invalid_client',
    code: 700027,
    message: `The certificate with identifier used to sign the client assertion is not registered on application. [Reason - The key was not found., Thumbprint of key used by client: '${thumbprint}', Please visit the Azure Portal, Graph Explorer or directly use MS Graph to see configured keys for app Id '${clientId}'. Review the documentation at https://docs.microsoft.com/en-us/graph/deployments to determine the corresponding service endpoint and https://docs.microsoft.com/en-us/graph/api/application-get?view=graph-rest-1.0&tabs=http to build a query request URL, such as 'https://graph.microsoft.com/beta/applications/${clientId}']`,
  }),
  assertionSignatureInvalid: (thumbprint: string, key: { notBefore: Date; expiresOn: Date }): EntraErrorSpec => ({
    status: 401,
    error: 'invalid_client',
    code: 700027,
    message: `Client assertion failed signature validation. [Reason - The provided signature value did not match the expected signature value., Thumbprint of key used by client: '${thumbprint}', Found key 'Start=${keyDate(key.notBefore)}, End=${keyDate(key.expiresOn)}']`,
  }),
  assertionKeyExpired: (thumbprint: string, key: { notBefore: Date; expiresOn: Date }): EntraErrorSpec => ({
    status: 401,
    error: 'invalid_client',
    code: 700027,
    message: `Client assertion failed signature validation. [Reason - The key used is expired., Thumbprint of key used by client: '${thumbprint}', Found key 'Start=${keyDate(key.notBefore)}, End=${keyDate(key.expiresOn)}']`,
  }),
  assertionClientMismatch: (): EntraErrorSpec => ({
    status: 401,
    error: 'invalid_client',
    code: 700021,
    message: `Client assertion application identifier doesn't match 'client_id' parameter. ${CERTIFICATE_DOCS}`,
  }),
  assertionAudienceMismatch: (): EntraErrorSpec => ({
    status: 401,
    error: 'invalid_client',
    code: 50012,
    message: 'Client assertion audience claim does not match Realm issuer.',
  }),
  assertionOutsideValidity: (now: Date, validFrom: Date, expiresAt: Date): EntraErrorSpec => ({
    status: 401,
    error: 'invalid_client',
    code: 700024,
    message: `Client assertion is not within its valid time range. Current time: ${preciseInstant(now)}, assertion valid from ${preciseInstant(validFrom)}, expiry time of assertion ${preciseInstant(expiresAt)}. ${CERTIFICATE_DOCS}`,
  }),
  scopeWithoutDefault: (scope: string): EntraErrorSpec => ({
    status: 400,
    error: 'invalid_scope',
    code: 1002012,
    message: `The provided value for scope ${scope} is not valid. Client credential flows must have a scope value with /.default suffixed to the resource identifier (application ID URI).`,
  }),
  scopeWithSeveralResources: (scope: string): EntraErrorSpec => ({
    status: 400,
    error: 'invalid_scope',
    code: 28000,
    message: `Provided value for the input parameter scope is not valid because it contains more than one resource. Scope ${scope} is not valid.`,
  }),
  resourceNotFound: (resource: string, tenantName: string): EntraErrorSpec => ({
    status: 400,
    error: 'invalid_resource',
    code: 500011,
    message: `The resource principal named ${resource} was not found in the tenant named ${tenantName}. This can happen if the application has not been installed by the administrator of the tenant or consented to by any user in the tenant. You might have sent your authentication request to the wrong tenant.`,
  }),
  serverError: (): EntraErrorSpec => ({
    status: 500,
    error: 'server_error',
    code: 50000,
    message: 'There was an error issuing a token or an issue with our sign-in service. To resolve, retry the request.',
  }),
} as const;

/** The correlation id Entra ID reports: the client's `client-request-id` when it sent a GUID. */
export function correlationIdOf(headers: IncomingHttpHeaders): string {
  const sent = headers['client-request-id'];
  return typeof sent === 'string' && GUID_PATTERN.test(sent) ? sent.toLowerCase() : randomUUID();
}

/** Response headers Entra ID sends on token endpoint answers, errors included. */
export function entraHeaders(correlationId: string, traceId: string): Record<string, string> {
  return {
    'cache-control': 'no-store, no-cache',
    pragma: 'no-cache',
    'client-request-id': correlationId,
    'x-ms-request-id': traceId,
  };
}

export function entraErrorResponse(
  spec: EntraErrorSpec,
  context: { correlationId: string; now: number },
): EmulatorResponse {
  const traceId = randomUUID();
  const timestamp = errorTimestamp(new Date(context.now));
  return {
    status: spec.status,
    headers: entraHeaders(context.correlationId, traceId),
    body: {
      error: spec.error,
      error_description: `AADSTS${spec.code}: ${spec.message}\r\nTrace ID: ${traceId}\r\nCorrelation ID: ${context.correlationId}\r\nTimestamp: ${timestamp}`,
      error_codes: [spec.code],
      timestamp,
      trace_id: traceId,
      correlation_id: context.correlationId,
      error_uri: `https://login.microsoftonline.com/error?code=${spec.code}`,
    },
  };
}

/** `2023-05-06 06:03:00Z` */
function errorTimestamp(date: Date): string {
  return `${date.toISOString().slice(0, 19).replace('T', ' ')}Z`;
}

/** `2024-10-02T22:05:03.6755165Z` (seven fractional digits, as .NET prints them). */
function preciseInstant(date: Date): string {
  return date.toISOString().replace(/\.(\d{3})Z$/, '.$10000Z');
}

/** `02/07/2021 17:00:39`, the key validity format of AADSTS700027. */
function keyDate(date: Date): string {
  const iso = date.toISOString();
  return `${iso.slice(5, 7)}/${iso.slice(8, 10)}/${iso.slice(0, 4)} ${iso.slice(11, 19)}`;
}
