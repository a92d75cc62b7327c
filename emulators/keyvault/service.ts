/**
 * The Key Vault emulator (secrets API, and the certificates a self-signed policy creates) with Key Vault's
 * challenge authentication, token checks, RBAC (Key Vault Secrets User / Officer, Certificates Officer,
 * Administrator) and error shapes. Expired or not-yet-valid secrets are still
 * returned: on Key Vault `exp`/`nbf` are informational for secrets, only `enabled: false` blocks a read.
 */
import { randomUUID } from 'node:crypto';
import { decodeJwt } from 'jose';
import type { Directory } from '../entra/directory.js';
import { KEY_VAULT_RESOURCE } from '../entra/service.js';
import { createCertificateStore } from './certificates.js';
import type { CertificateAnswer } from './certificates.js';
import { createSecretStore } from './store.js';
import type { SecretAttributesInput, StoredSecretVersion } from './store.js';
import type { KeyVaultRole, KeyVaultSeed } from '../stack/seed.js';
import { accessTokenIssuer } from '../entra/tokens.js';
import type {
  AccessTokenClaims,
  EmulatorRequest,
  EmulatorResponse,
  ServiceDefinition,
  TokenVerifier,
} from '../stack/types.js';

/** Key Vault's first-party application id, also accepted as token audience. */
export const KEY_VAULT_APPLICATION_ID = 'cfa8b339-82a2-471a-a3c9-0fc0be7a4093';
const supportedApiVersions: ReadonlySet<string> = new Set([
  '2015-06-01',
  '2016-10-01',
  '7.0',
  '7.1',
  '7.2',
  '7.3',
  '7.4',
  '7.5',
  '7.6-preview.2',
  '7.6',
  '2025-07-01',
  '2026-04-01',
]);
const LATEST_API_VERSION = '2026-04-01';
const SECRET_NAME_PATTERN = /^[0-9a-zA-Z-]{1,127}$/;
const MAX_PAGE_SIZE = 25;
const RECOVERABLE_DAYS = 90;

type Operation = 'get' | 'list' | 'set' | 'update' | 'createCertificate' | 'getCertificate';

/** RBAC data actions of the secrets operations and the built-in roles that grant them. */
const dataActions: Readonly<Record<Operation, string>> = {
  get: 'Microsoft.KeyVault/vaults/secrets/getSecret/action',
  list: 'Microsoft.KeyVault/vaults/secrets/readMetadata/action',
  set: 'Microsoft.KeyVault/vaults/secrets/setSecret/action',
  update: 'Microsoft.KeyVault/vaults/secrets/update/action',
  createCertificate: 'Microsoft.KeyVault/vaults/certificates/create/action',
  getCertificate: 'Microsoft.KeyVault/vaults/certificates/read',
};
const roleOperations: Readonly<Record<KeyVaultRole, ReadonlySet<Operation>>> = {
  'Key Vault Secrets User': new Set(['get', 'list']),
  'Key Vault Secrets Officer': new Set(['get', 'list', 'set', 'update']),
  'Key Vault Certificates Officer': new Set(['createCertificate', 'getCertificate']),
  'Key Vault Administrator': new Set(['get', 'list', 'set', 'update', 'createCertificate', 'getCertificate']),
};

export interface KeyVaultControl {
  /** Stores a new version directly (no HTTP, no authorization): what an operator does in the portal. */
  setSecret(name: string, value: string, options?: SecretAttributesInput): { version: string };
  /** Disables a version (the current one when `version` is absent). */
  disableVersion(name: string, version?: string): void;
  getLatest(name: string): StoredSecretVersion | undefined;
  /** Replaces the vault's role assignments (RBAC): what an administrator does in Access control (IAM). */
  setRoleAssignments(assignments: KeyVaultSeed['roleAssignments']): void;
  roleAssignments(): KeyVaultSeed['roleAssignments'];
}

export interface KeyVaultServiceOptions {
  readonly seed: KeyVaultSeed;
  readonly verifier: TokenVerifier;
  /** Its vault credentials (`credentialsForVault`) are stored at start, after the seed's secrets. */
  readonly directory: Directory;
  /** Milliseconds since the epoch; defaults to `Date.now`. */
  readonly clock?: () => number;
}

export type KeyVaultErrorCode = 'SecretNotFound' | 'InvalidSeed';

export class KeyVaultError extends Error {
  readonly code: KeyVaultErrorCode;
  constructor(code: KeyVaultErrorCode, message: string) {
    super(message);
    this.name = 'KeyVaultError';
    this.code = code;
  }
}

export function createKeyVaultService(
  options: KeyVaultServiceOptions,
): ServiceDefinition & { control: KeyVaultControl } {
  const { seed, verifier } = options;
  const store = createSecretStore(options.clock ?? Date.now);
  const certificates = createCertificateStore(store, options.clock ?? Date.now);
  const tenantId = seed.tenantId.toLowerCase();
  let roleAssignments = [...seed.roleAssignments];
  const challenge = `Bearer authorization="https://login.microsoftonline.com/${tenantId}", resource="${KEY_VAULT_RESOURCE}"`;

  seed.secrets.forEach((secret, index) => {
    store.set(secret.name, secret.value, {
      ...(secret.contentType === undefined ? {} : { contentType: secret.contentType }),
      ...(secret.enabled === undefined ? {} : { enabled: secret.enabled }),
      ...(secret.expiresOn === undefined
        ? {}
        : { expiresOn: seedDate(secret.expiresOn, `keyVault.secrets[${index}].expiresOn`) }),
      ...(secret.notBefore === undefined
        ? {}
        : { notBefore: seedDate(secret.notBefore, `keyVault.secrets[${index}].notBefore`) }),
      ...(secret.tags === undefined ? {} : { tags: secret.tags }),
    });
  });
  for (const credential of options.directory.credentialsForVault()) {
    store.set(credential.secretName, credential.value, {
      ...(credential.contentType === undefined ? {} : { contentType: credential.contentType }),
      ...(credential.expiresOn === undefined ? {} : { expiresOn: credential.expiresOn }),
    });
  }

  /** Checks api-version, the bearer token and the caller's role; the handler runs only if all pass. */
  const authorized =
    (operation: Operation, handle: (request: EmulatorRequest) => EmulatorResponse | Promise<EmulatorResponse>) =>
    async (request: EmulatorRequest): Promise<EmulatorResponse> => {
      const apiVersion = request.url.searchParams.get('api-version');
      if (apiVersion === null) return vaultError(400, 'BadParameter', 'Missing required query parameter: api-version.');
      if (!supportedApiVersions.has(apiVersion)) {
        return vaultError(
          400,
          'BadParameter',
          `The specified version (${apiVersion}) is not recognized. Consider using the latest supported version (${LATEST_API_VERSION}).`,
        );
      }
      const caller = await authenticate(request);
      if (!caller.ok) return caller.response;
      if (!isGranted(caller.claims.oid, operation)) return forbiddenByRbac(request, caller.claims, operation);
      const name = request.params.name;
      if (name !== undefined && !SECRET_NAME_PATTERN.test(name)) {
        return vaultError(400, 'BadParameter', `The request URI contains an invalid name: ${name}`);
      }
      return handle(request);
    };

  async function authenticate(
    request: EmulatorRequest,
  ): Promise<{ ok: true; claims: AccessTokenClaims } | { ok: false; response: EmulatorResponse }> {
    const match = /^Bearer\s+(\S+)\s*$/i.exec(request.headers.authorization ?? '');
    const token = match?.[1];
    if (!token) return unauthorized('AKV10000: Request is missing a Bearer or PoP token.');
    const verified = await verifier.verify(token, [KEY_VAULT_RESOURCE, KEY_VAULT_APPLICATION_ID]);
    if (!verified.ok) {
      switch (verified.reason) {
        case 'audience':
          return unauthorized(
            `AKV10022: Invalid audience. Expected ${KEY_VAULT_RESOURCE} or ${KEY_VAULT_APPLICATION_ID}, found: ${unverifiedClaim(token, 'aud')}.`,
          );
        case 'issuer':
          return unauthorized(invalidIssuer(unverifiedClaim(token, 'iss')));
        case 'expired':
          return unauthorized("[TokenExpired] Error validating token: 'S2S12086'.");
        case 'not_yet_valid':
          return unauthorized('[TokenNotYetValid] Error validating token: the token is not valid yet (nbf).');
        case 'signature':
          return unauthorized(
            `AKV10046: Unable to resolve the key used for signature validation. EncodedJwtHeader: '${token.split('.')[0] ?? ''}'.`,
          );
        case 'malformed':
          return unauthorized('AKV10000: Request is missing a Bearer or PoP token.');
      }
    }
    if (verified.claims.tid.toLowerCase() !== tenantId) return unauthorized(invalidIssuer(verified.claims.iss));
    return { ok: true, claims: verified.claims };
  }

  function unauthorized(message: string): { ok: false; response: EmulatorResponse } {
    const response = vaultError(401, 'Unauthorized', message);
    return { ok: false, response: { ...response, headers: { ...response.headers, 'www-authenticate': challenge } } };
  }

  function invalidIssuer(found: string): string {
    return `AKV10032: Invalid issuer. Expected one of ${accessTokenIssuer(tenantId)}, found: ${found}.`;
  }

  function isGranted(principalId: string, operation: Operation): boolean {
    return roleAssignments.some(
      (assignment) =>
        assignment.principalId.toLowerCase() === principalId.toLowerCase() &&
        roleOperations[assignment.role].has(operation),
    );
  }

  function forbiddenByRbac(
    request: EmulatorRequest,
    claims: AccessTokenClaims,
    operation: Operation,
  ): EmulatorResponse {
    const resource = `/subscriptions/00000000-0000-0000-0000-000000000000/resourcegroups/local/providers/microsoft.keyvault/vaults/${seed.name.toLowerCase()}${
      request.params.name === undefined
        ? ''
        : `/${operation.endsWith('Certificate') ? 'certificates' : 'secrets'}/${request.params.name}`
    }`;
    const message = [
      'Caller is not authorized to perform action on resource.',
      'If role assignments, deny assignments or role definitions were changed recently, please observe propagation time.',
      `Caller: appid=${claims.appid};oid=${claims.oid};iss=${claims.iss}`,
      `Action: '${dataActions[operation]}'`,
      `Resource: '${resource}'`,
      'Assignment: (not found)',
      'DenyAssignmentId: null',
      'DecisionReason: null ',
      `Vault: ${seed.name};location=local`,
      '',
    ].join('\r\n');
    return vaultError(403, 'Forbidden', message, 'ForbiddenByRbac');
  }

  function getSecret(request: EmulatorRequest): EmulatorResponse {
    const { name = '', version } = request.params;
    const secret = store.get(name, version);
    if (!secret) return secretNotFound(version === undefined ? name : `${name}/${version}`);
    if (!secret.enabled)
      return vaultError(403, 'Forbidden', 'Operation get is not allowed on a disabled secret.', 'SecretDisabled');
    return ok(bundle(request, secret, true));
  }

  function setSecret(request: EmulatorRequest): EmulatorResponse {
    const parsed = parseSecretBody(request.body, true);
    if (!parsed.ok) return vaultError(400, 'BadParameter', parsed.message);
    const secret = store.set(request.params.name ?? '', parsed.value ?? '', parsed.attributes);
    return ok(bundle(request, secret, true));
  }

  function updateSecret(request: EmulatorRequest): EmulatorResponse {
    const { name = '', version } = request.params;
    const parsed = parseSecretBody(request.body, false);
    if (!parsed.ok) return vaultError(400, 'BadParameter', parsed.message);
    const secret = store.update(name, version, parsed.attributes);
    if (!secret) return secretNotFound(version === undefined ? name : `${name}/${version}`);
    return ok(bundle(request, secret, false));
  }

  function listVersions(request: EmulatorRequest): EmulatorResponse {
    const name = request.params.name ?? '';
    const versions = store.versions(name);
    if (!versions) return secretNotFound(name);
    return page(
      request,
      versions.map((secret) => item(request, secret, true)),
    );
  }

  function listSecrets(request: EmulatorRequest): EmulatorResponse {
    return page(
      request,
      store.latestOfAll().map((secret) => item(request, secret, false)),
    );
  }

  const control: KeyVaultControl = {
    setSecret: (name, value, attributes) => ({ version: store.set(name, value, attributes).version }),
    disableVersion(name, version) {
      if (!store.update(name, version, { enabled: false })) {
        throw new KeyVaultError(
          'SecretNotFound',
          `No secret ${version === undefined ? name : `${name}/${version}`} in the vault`,
        );
      }
    },
    getLatest: (name) => store.get(name),
    setRoleAssignments(assignments) {
      roleAssignments = [...assignments];
    },
    roleAssignments: () => [...roleAssignments],
  };

  return {
    service: 'keyvault',
    // `versions` precedes `:version`: the first matching route wins.
    routes: [
      {
        name: 'keyvault.createCertificate',
        method: 'POST',
        path: '/certificates/:name/create',
        handle: authorized('createCertificate', async (request) =>
          certificateResponse(await certificates.create(request, request.body)),
        ),
      },
      {
        name: 'keyvault.getPendingCertificate',
        method: 'GET',
        path: '/certificates/:name/pending',
        handle: authorized('getCertificate', (request) => certificateResponse(certificates.pending(request))),
      },
      {
        name: 'keyvault.getCertificate',
        method: 'GET',
        path: '/certificates/:name',
        handle: authorized('getCertificate', (request) => certificateResponse(certificates.get(request))),
      },
      {
        name: 'keyvault.getCertificateVersion',
        method: 'GET',
        path: '/certificates/:name/:version',
        handle: authorized('getCertificate', (request) => certificateResponse(certificates.get(request))),
      },
      { name: 'keyvault.listSecrets', method: 'GET', path: '/secrets', handle: authorized('list', listSecrets) },
      {
        name: 'keyvault.listVersions',
        method: 'GET',
        path: '/secrets/:name/versions',
        handle: authorized('list', listVersions),
      },
      { name: 'keyvault.getSecret', method: 'GET', path: '/secrets/:name', handle: authorized('get', getSecret) },
      {
        name: 'keyvault.getSecretVersion',
        method: 'GET',
        path: '/secrets/:name/:version',
        handle: authorized('get', getSecret),
      },
      { name: 'keyvault.setSecret', method: 'PUT', path: '/secrets/:name', handle: authorized('set', setSecret) },
      {
        name: 'keyvault.updateSecret',
        method: 'PATCH',
        path: '/secrets/:name',
        handle: authorized('update', updateSecret),
      },
      {
        name: 'keyvault.updateSecretVersion',
        method: 'PATCH',
        path: '/secrets/:name/:version',
        handle: authorized('update', updateSecret),
      },
    ],
    notFound: (request) =>
      vaultError(404, 'NotFound', `The requested resource ${request.method} ${request.url.pathname} was not found.`),
    internalError: () => vaultError(500, 'InternalServerError', 'An unexpected error occurred in the vault.'),
    control,
  };
}

function certificateResponse(answer: CertificateAnswer): EmulatorResponse {
  if (!answer.ok) return vaultError(answer.status, answer.code, answer.message);
  return { status: answer.status, headers: { ...vaultHeaders(), ...answer.headers }, body: answer.body };
}

function secretNotFound(nameOrId: string): EmulatorResponse {
  return vaultError(
    404,
    'SecretNotFound',
    `A secret with (name/id) ${nameOrId} was not found in this key vault. If you recently deleted this secret you may be able to recover it using the correct recovery command. For help resolving this issue, please see https://go.microsoft.com/fwlink/?linkid=2125182`,
  );
}

function vaultError(status: number, code: string, message: string, innerCode?: string): EmulatorResponse {
  return {
    status,
    headers: vaultHeaders(),
    body: { error: { code, message, ...(innerCode === undefined ? {} : { innererror: { code: innerCode } }) } },
  };
}

function ok(body: Record<string, unknown>): EmulatorResponse {
  return { status: 200, headers: vaultHeaders(), body };
}

function vaultHeaders(): Record<string, string> {
  return { 'cache-control': 'no-cache', 'x-ms-request-id': randomUUID(), 'x-ms-keyvault-service-version': '1.9.0.0' };
}

function attributesOf(secret: StoredSecretVersion): Record<string, unknown> {
  return {
    enabled: secret.enabled,
    ...(secret.notBefore === undefined ? {} : { nbf: epochSeconds(secret.notBefore) }),
    ...(secret.expiresOn === undefined ? {} : { exp: epochSeconds(secret.expiresOn) }),
    created: epochSeconds(secret.createdOn),
    updated: epochSeconds(secret.updatedOn),
    recoveryLevel: 'Recoverable+Purgeable',
    recoverableDays: RECOVERABLE_DAYS,
  };
}

/** A SecretBundle; `update` answers without the value, as Key Vault does. */
function bundle(request: EmulatorRequest, secret: StoredSecretVersion, withValue: boolean): Record<string, unknown> {
  return {
    ...(withValue ? { value: secret.value } : {}),
    ...(secret.contentType === undefined ? {} : { contentType: secret.contentType }),
    id: `${request.url.origin}/secrets/${secret.name}/${secret.version}`,
    ...(secret.keyId === undefined ? {} : { kid: secret.keyId, managed: true }),
    attributes: attributesOf(secret),
    ...(secret.tags === undefined ? {} : { tags: secret.tags }),
  };
}

/** A SecretItem: versioned ids in version listings, bare ids in the secret listing. */
function item(request: EmulatorRequest, secret: StoredSecretVersion, versioned: boolean): Record<string, unknown> {
  return {
    id: `${request.url.origin}/secrets/${secret.name}${versioned ? `/${secret.version}` : ''}`,
    attributes: attributesOf(secret),
    ...(secret.contentType === undefined ? {} : { contentType: secret.contentType }),
    ...(secret.tags === undefined ? {} : { tags: secret.tags }),
  };
}

/** One page of at most `maxresults` (≤ 25) items; `nextLink` carries an opaque `$skiptoken`, null on the last page. */
function page(request: EmulatorRequest, items: readonly Record<string, unknown>[]): EmulatorResponse {
  const query = request.url.searchParams;
  const maxResultsText = query.get('maxresults');
  const pageSize = maxResultsText === null ? MAX_PAGE_SIZE : Number(maxResultsText);
  if (!Number.isInteger(pageSize) || pageSize < 1 || pageSize > MAX_PAGE_SIZE) {
    return vaultError(
      400,
      'BadParameter',
      `Invalid maxresults value: ${maxResultsText ?? ''}. It must be between 1 and ${MAX_PAGE_SIZE}.`,
    );
  }
  const skipToken = query.get('$skiptoken');
  const offset = skipToken === null ? 0 : offsetOf(skipToken);
  if (offset === undefined) return vaultError(400, 'BadParameter', 'The $skiptoken parameter is not valid.');
  const end = offset + pageSize;
  let nextLink: string | null = null;
  if (end < items.length) {
    const next = new URL(request.url.origin + request.url.pathname);
    next.searchParams.set('api-version', query.get('api-version') ?? LATEST_API_VERSION);
    next.searchParams.set('$skiptoken', Buffer.from(JSON.stringify({ offset: end })).toString('base64url'));
    next.searchParams.set('maxresults', String(pageSize));
    nextLink = next.toString();
  }
  return ok({ value: items.slice(offset, end), nextLink });
}

function offsetOf(skipToken: string): number | undefined {
  try {
    const parsed: unknown = JSON.parse(Buffer.from(skipToken, 'base64url').toString('utf8'));
    if (typeof parsed !== 'object' || parsed === null || !('offset' in parsed)) return undefined;
    const { offset } = parsed;
    return typeof offset === 'number' && Number.isInteger(offset) && offset >= 0 ? offset : undefined;
  } catch {
    return undefined;
  }
}

type ParsedSecretBody =
  | { readonly ok: true; readonly value?: string; readonly attributes: SecretAttributesInput }
  | { readonly ok: false; readonly message: string };

/** The body of set (`value` required) or update: `{ value?, contentType?, attributes?: { enabled?, nbf?, exp? }, tags? }`. */
function parseSecretBody(body: Buffer, requireValue: boolean): ParsedSecretBody {
  let parsed: unknown;
  try {
    parsed = JSON.parse(body.toString('utf8'));
  } catch {
    return { ok: false, message: 'The request body is not valid JSON.' };
  }
  if (!isRecord(parsed)) return { ok: false, message: 'The request body must be a JSON object.' };
  const { value, contentType, attributes = {}, tags } = parsed;
  if (requireValue && typeof value !== 'string')
    return { ok: false, message: "Property 'value' is required and must be a string." };
  if (contentType !== undefined && typeof contentType !== 'string')
    return { ok: false, message: "Property 'contentType' has invalid value." };
  if (!isRecord(attributes)) return { ok: false, message: "Property 'attributes' has invalid value." };
  const { enabled, nbf, exp } = attributes;
  if (enabled !== undefined && typeof enabled !== 'boolean')
    return { ok: false, message: "Property 'attributes.enabled' has invalid value." };
  for (const [field, seconds] of [
    ['nbf', nbf],
    ['exp', exp],
  ] as const) {
    if (seconds !== undefined && (typeof seconds !== 'number' || !Number.isFinite(seconds))) {
      return { ok: false, message: `Property 'attributes.${field}' has invalid value.` };
    }
  }
  if (tags !== undefined && !isStringRecord(tags)) {
    return { ok: false, message: "Property 'tags' has invalid value." };
  }
  return {
    ok: true,
    ...(typeof value === 'string' ? { value } : {}),
    attributes: {
      ...(typeof contentType === 'string' ? { contentType } : {}),
      ...(typeof enabled === 'boolean' ? { enabled } : {}),
      ...(typeof nbf === 'number' ? { notBefore: new Date(nbf * 1000) } : {}),
      ...(typeof exp === 'number' ? { expiresOn: new Date(exp * 1000) } : {}),
      ...(isStringRecord(tags) ? { tags } : {}),
    },
  };
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function isStringRecord(value: unknown): value is Record<string, string> {
  return isRecord(value) && Object.values(value).every((item) => typeof item === 'string');
}

/** A claim read without verification, only to word an error message. */
function unverifiedClaim(token: string, claim: 'aud' | 'iss'): string {
  try {
    const value = decodeJwt(token)[claim];
    return Array.isArray(value) ? value.join(', ') : String(value ?? '');
  } catch {
    return '';
  }
}

function seedDate(value: string, field: string): Date {
  const date = new Date(value);
  if (Number.isNaN(date.getTime()))
    throw new KeyVaultError('InvalidSeed', `${field}: '${value}' is not an ISO date-time`);
  return date;
}

function epochSeconds(date: Date): number {
  return Math.floor(date.getTime() / 1000);
}
