/**
 * Request bodies of the directory endpoints, read as Graph reads them: a property the type does not
 * declare, a value of the wrong type or outside its allowed values is refused with 400
 * `Request_BadRequest` naming the property, before anything changes.
 */
import type { RequiredResourceAccess } from '../entra/directory-records.js';
import { GraphRequestError } from './responses.js';

type Json = Record<string, unknown>;

const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
export const SIGN_IN_AUDIENCES: ReadonlySet<string> = new Set([
  'AzureADMyOrg',
  'AzureADMultipleOrgs',
  'AzureADandPersonalMicrosoftAccount',
  'PersonalMicrosoftAccount',
]);
/** Properties of `application` the emulator stores, and those it accepts without storing (no effect here). */
const storedApplicationProperties = new Set([
  'displayName',
  'description',
  'uniqueName',
  'signInAudience',
  'identifierUris',
  'requiredResourceAccess',
  'keyCredentials',
]);
const acceptedApplicationProperties = new Set([
  'web',
  'spa',
  'publicClient',
  'api',
  'info',
  'tags',
  'notes',
  'appRoles',
]);
const MAX_FEDERATED_NAME_LENGTH = 120;

export function invalidValue(property: string, resource: string): GraphRequestError {
  return new GraphRequestError(
    400,
    'Request_BadRequest',
    `Invalid value specified for property '${property}' of resource '${resource}'.`,
  );
}

export function badRequest(message: string): GraphRequestError {
  return new GraphRequestError(400, 'Request_BadRequest', message);
}

/** The JSON object of a request body; an empty body is `{}` where Graph allows one. */
export function readJsonObject(body: Buffer, options: { readonly emptyAllowed?: boolean } = {}): Json {
  const text = body.toString('utf8').trim();
  if (text === '' && options.emptyAllowed === true) return {};
  try {
    const parsed: unknown = JSON.parse(text);
    if (isObject(parsed)) return parsed;
  } catch {
    // answered below
  }
  throw new GraphRequestError(
    400,
    'BadRequest',
    'Unable to read JSON request payload. Please ensure Content-Type header is set and payload is of valid JSON format.',
  );
}

export interface ApplicationChanges {
  readonly displayName?: string;
  readonly description?: string | null;
  readonly uniqueName?: string | null;
  readonly signInAudience?: string;
  readonly identifierUris?: string[];
  readonly requiredResourceAccess?: RequiredResourceAccess[];
  /** Validated later against the stored key credentials (see directory-routes.ts). */
  readonly keyCredentials?: readonly Json[];
}

export function applicationChanges(json: Json): ApplicationChanges {
  for (const property of Object.keys(json)) {
    if (property.startsWith('@odata.')) continue;
    if (property === 'passwordCredentials') {
      throw badRequest("Property 'passwordCredentials' cannot be set here: use addPassword and removePassword.");
    }
    if (!storedApplicationProperties.has(property) && !acceptedApplicationProperties.has(property)) {
      throw badRequest(`Property '${property}' does not exist as a declared property or extension property.`);
    }
  }
  const changes: { -readonly [K in keyof ApplicationChanges]: ApplicationChanges[K] } = {};
  if ('displayName' in json) changes.displayName = nonEmptyText(json.displayName, 'displayName', 256);
  if ('description' in json) changes.description = optionalText(json.description, 'description', 1024);
  if ('uniqueName' in json) changes.uniqueName = optionalText(json.uniqueName, 'uniqueName', 128);
  if ('signInAudience' in json) {
    if (typeof json.signInAudience !== 'string' || !SIGN_IN_AUDIENCES.has(json.signInAudience)) {
      throw invalidValue('signInAudience', 'Application');
    }
    changes.signInAudience = json.signInAudience;
  }
  if ('identifierUris' in json) changes.identifierUris = stringArray(json.identifierUris, 'identifierUris');
  if ('requiredResourceAccess' in json)
    changes.requiredResourceAccess = requiredResourceAccess(json.requiredResourceAccess);
  if ('keyCredentials' in json) {
    if (!Array.isArray(json.keyCredentials) || !json.keyCredentials.every(isObject)) {
      throw invalidValue('keyCredentials', 'Application');
    }
    changes.keyCredentials = json.keyCredentials;
  }
  for (const property of ['web', 'spa', 'publicClient', 'api', 'info']) {
    if (property in json && json[property] !== null && !isObject(json[property]))
      throw invalidValue(property, 'Application');
  }
  return changes;
}

function requiredResourceAccess(value: unknown): RequiredResourceAccess[] {
  if (!Array.isArray(value)) throw invalidValue('requiredResourceAccess', 'Application');
  return value.map((entry: unknown) => {
    if (!isObject(entry) || typeof entry.resourceAppId !== 'string' || !GUID.test(entry.resourceAppId)) {
      throw invalidValue('resourceAppId', 'RequiredResourceAccess');
    }
    if (!Array.isArray(entry.resourceAccess)) throw invalidValue('resourceAccess', 'RequiredResourceAccess');
    return {
      resourceAppId: entry.resourceAppId.toLowerCase(),
      resourceAccess: entry.resourceAccess.map((access: unknown) => {
        if (!isObject(access) || typeof access.id !== 'string' || !GUID.test(access.id)) {
          throw invalidValue('id', 'ResourceAccess');
        }
        if (access.type !== 'Role' && access.type !== 'Scope') throw invalidValue('type', 'ResourceAccess');
        return { id: access.id.toLowerCase(), type: access.type };
      }),
    };
  });
}

export interface PasswordCredentialInput {
  readonly displayName?: string;
  readonly startsOn?: Date;
  readonly expiresOn?: Date;
}

/** addPassword: `{ passwordCredential: { displayName?, startDateTime?, endDateTime? } }`. */
export function passwordCredentialInput(json: Json): PasswordCredentialInput {
  const credential = json.passwordCredential ?? {};
  if (!isObject(credential)) throw invalidValue('passwordCredential', 'PasswordCredential');
  const displayName = credential.displayName;
  if (displayName !== undefined && displayName !== null && typeof displayName !== 'string') {
    throw invalidValue('displayName', 'PasswordCredential');
  }
  const startsOn = optionalDate(credential.startDateTime, 'startDateTime', 'PasswordCredential');
  const expiresOn = optionalDate(credential.endDateTime, 'endDateTime', 'PasswordCredential');
  if (startsOn && expiresOn && expiresOn.getTime() <= startsOn.getTime()) {
    throw invalidValue('endDateTime', 'PasswordCredential');
  }
  return {
    ...(typeof displayName === 'string' ? { displayName } : {}),
    ...(startsOn ? { startsOn } : {}),
    ...(expiresOn ? { expiresOn } : {}),
  };
}

/** removePassword: `{ keyId }`. */
export function keyIdInput(json: Json): string {
  if (typeof json.keyId !== 'string' || !GUID.test(json.keyId)) throw invalidValue('keyId', 'PasswordCredential');
  return json.keyId.toLowerCase();
}

export interface KeyCredentialInput {
  readonly keyId?: string;
  readonly key?: Buffer;
  readonly displayName?: string;
  readonly customKeyIdentifier?: string;
  readonly startsOn?: Date;
  readonly expiresOn?: Date;
}

export function keyCredentialInput(json: Json): KeyCredentialInput {
  if (json.type !== undefined && json.type !== 'AsymmetricX509Cert') throw invalidValue('type', 'KeyCredential');
  if (json.usage !== undefined && json.usage !== 'Verify') throw invalidValue('usage', 'KeyCredential');
  if (json.keyId !== undefined && (typeof json.keyId !== 'string' || !GUID.test(json.keyId))) {
    throw invalidValue('keyId', 'KeyCredential');
  }
  let key: Buffer | undefined;
  if (json.key !== undefined && json.key !== null) {
    if (typeof json.key !== 'string' || !/^[A-Za-z0-9+/]+={0,2}$/.test(json.key))
      throw invalidValue('key', 'KeyCredential');
    key = Buffer.from(json.key, 'base64');
  }
  const optionalString = (name: 'displayName' | 'customKeyIdentifier'): string | undefined => {
    const value = json[name];
    if (value === undefined || value === null) return undefined;
    if (typeof value !== 'string') throw invalidValue(name, 'KeyCredential');
    return value;
  };
  const displayName = optionalString('displayName');
  const customKeyIdentifier = optionalString('customKeyIdentifier');
  const startsOn = optionalDate(json.startDateTime, 'startDateTime', 'KeyCredential');
  const expiresOn = optionalDate(json.endDateTime, 'endDateTime', 'KeyCredential');
  return {
    ...(typeof json.keyId === 'string' ? { keyId: json.keyId.toLowerCase() } : {}),
    ...(key ? { key } : {}),
    ...(displayName === undefined ? {} : { displayName }),
    ...(customKeyIdentifier === undefined ? {} : { customKeyIdentifier }),
    ...(startsOn ? { startsOn } : {}),
    ...(expiresOn ? { expiresOn } : {}),
  };
}

export interface FederatedCredentialInput {
  readonly name?: string;
  readonly issuer?: string;
  readonly subject?: string;
  readonly audiences?: string[];
  readonly description?: string | null;
}

/** A federated identity credential; all of name, issuer, subject and audiences when `creating`. */
export function federatedCredentialInput(json: Json, creating: boolean): FederatedCredentialInput {
  const resource = 'FederatedIdentityCredential';
  for (const property of Object.keys(json)) {
    if (
      !['name', 'issuer', 'subject', 'audiences', 'description', 'id'].includes(property) &&
      !property.startsWith('@')
    ) {
      throw badRequest(`Property '${property}' does not exist as a declared property or extension property.`);
    }
  }
  const input: { -readonly [K in keyof FederatedCredentialInput]: FederatedCredentialInput[K] } = {};
  if (creating || 'name' in json) {
    const name = json.name;
    if (
      typeof name !== 'string' ||
      name.length < 3 ||
      name.length > MAX_FEDERATED_NAME_LENGTH ||
      !/^[A-Za-z0-9][A-Za-z0-9_.-]*$/.test(name)
    ) {
      throw invalidValue('name', resource);
    }
    input.name = name;
  }
  if (creating || 'issuer' in json) {
    if (typeof json.issuer !== 'string' || !isUrl(json.issuer)) throw invalidValue('issuer', resource);
    input.issuer = json.issuer;
  }
  if (creating || 'subject' in json) {
    if (typeof json.subject !== 'string' || json.subject === '' || json.subject.length > 600) {
      throw invalidValue('subject', resource);
    }
    input.subject = json.subject;
  }
  if (creating || 'audiences' in json) {
    const audiences = json.audiences;
    // Graph takes exactly one audience.
    if (
      !Array.isArray(audiences) ||
      audiences.length !== 1 ||
      typeof audiences[0] !== 'string' ||
      audiences[0] === ''
    ) {
      throw invalidValue('audiences', resource);
    }
    input.audiences = [audiences[0]];
  }
  if ('description' in json) input.description = optionalText(json.description, 'description', 600);
  return input;
}

export interface AppRoleAssignmentInput {
  readonly principalId: string;
  readonly resourceId: string;
  readonly appRoleId: string;
}

export function appRoleAssignmentInput(json: Json): AppRoleAssignmentInput {
  const guid = (property: 'principalId' | 'resourceId' | 'appRoleId'): string => {
    const value = json[property];
    if (typeof value !== 'string' || !GUID.test(value)) throw invalidValue(property, 'AppRoleAssignment');
    return value.toLowerCase();
  };
  return { principalId: guid('principalId'), resourceId: guid('resourceId'), appRoleId: guid('appRoleId') };
}

export function isObject(value: unknown): value is Json {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function nonEmptyText(value: unknown, property: string, maxLength: number): string {
  if (typeof value !== 'string' || value.trim() === '' || value.length > maxLength) {
    throw invalidValue(property, 'Application');
  }
  return value;
}

function optionalText(value: unknown, property: string, maxLength: number): string | null {
  if (value === null) return null;
  if (typeof value !== 'string' || value.length > maxLength) throw invalidValue(property, 'Application');
  return value;
}

function stringArray(value: unknown, property: string): string[] {
  if (!Array.isArray(value) || !value.every((item) => typeof item === 'string' && item !== '')) {
    throw invalidValue(property, 'Application');
  }
  return [...(value as string[])];
}

function optionalDate(value: unknown, property: string, resource: string): Date | undefined {
  if (value === undefined || value === null) return undefined;
  const date = typeof value === 'string' ? new Date(value) : new Date(Number.NaN);
  if (Number.isNaN(date.getTime())) throw invalidValue(property, resource);
  return date;
}

function isUrl(value: string): boolean {
  try {
    const url = new URL(value);
    return url.protocol === 'https:' || url.protocol === 'http:';
  } catch {
    return false;
  }
}
