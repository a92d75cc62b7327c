/**
 * Microsoft Graph's directory endpoints (`/v1.0`), on the directory the Entra ID emulator issues tokens
 * from: `applications` (create, read, `$filter`, update, upsert by `uniqueName`, delete; `addPassword`,
 * `removePassword`, `keyCredentials`, `federatedIdentityCredentials`), `servicePrincipals` (create by appId,
 * read, `$filter`; `appRoleAssignedTo` and `appRoleAssignments`). Objects belong to the caller's tenant
 * (the token's `tid`). Permissions are checked as Graph does for app-only tokens (403
 * `Authorization_RequestDenied`); a missing object is 404 `Request_ResourceNotFound`.
 */
import { randomUUID } from 'node:crypto';
import type { ApplicationRecord, Directory, DirectoryCertificate, ServicePrincipalRecord } from '../entra/directory.js';
import { DirectoryError } from '../entra/directory.js';
import type { AccessTokenClaims, EmulatorRequest, EmulatorResponse, Route } from '../stack/types.js';
import { authorizeDirectory, directoryPermissions } from './auth.js';
import type { ApplicationChanges } from './directory-bodies.js';
import {
  appRoleAssignmentInput,
  applicationChanges,
  badRequest,
  federatedCredentialInput,
  invalidValue,
  keyCredentialInput,
  keyIdInput,
  passwordCredentialInput,
  readJsonObject,
} from './directory-bodies.js';
import { directoryFilter } from './directory-filter.js';
import {
  appRoleAssignmentJson,
  applicationJson,
  collection,
  entity,
  federatedCredentialJson,
  passwordCredentialJson,
  selected,
  servicePrincipalJson,
} from './directory-shapes.js';
import type { Json } from './directory-shapes.js';
import type { GraphResponder } from './responses.js';
import { GraphRequestError } from './responses.js';

const MAX_FEDERATED_CREDENTIALS = 20;
const DEFAULT_SECRET_LIFETIME_MS = 2 * 365 * 86_400_000;
const ALTERNATE_KEY = /^(applications|servicePrincipals)\((appId|uniqueName)='((?:[^']|'')*)'\)$/i;

export interface DirectoryRoutesOptions {
  readonly directory: Directory;
  readonly respond: GraphResponder;
  /** Verifies the bearer token for Graph (401 otherwise). */
  readonly authenticate: (request: EmulatorRequest) => Promise<AccessTokenClaims>;
  /** Turns Graph refusals into answers. */
  readonly guarded: (handle: (request: EmulatorRequest) => Promise<EmulatorResponse>) => Route['handle'];
  /** Graph's answer for a path no route serves. */
  readonly notFound: (request: EmulatorRequest) => EmulatorResponse;
}

export function createDirectoryRoutes(options: DirectoryRoutesOptions): Route[] {
  const { directory, respond, authenticate, guarded } = options;

  /** Authenticates, checks one of `permissions`, and runs the handler in the caller's tenant. */
  const handler = (
    permissions: readonly string[],
    handle: (request: EmulatorRequest, tenantId: string) => EmulatorResponse | Promise<EmulatorResponse>,
  ): Route['handle'] =>
    guarded(async (request) => {
      const claims = await authenticate(request);
      authorizeDirectory(claims, permissions);
      try {
        return await handle(request, claims.tid);
      } catch (error) {
        throw error instanceof DirectoryError ? graphErrorOf(error) : error;
      }
    });

  const param = (request: EmulatorRequest, name: string): string => request.params[name] ?? '';
  const select = (request: EmulatorRequest): string[] | undefined =>
    request.url.searchParams
      .get('$select')
      ?.split(',')
      .map((name) => name.trim());

  function applicationById(tenantId: string, id: string): ApplicationRecord {
    const application = directory.applications(tenantId).find((candidate) => candidate.id === id.toLowerCase());
    if (!application) throw resourceNotFound(id);
    return application;
  }

  function servicePrincipalById(tenantId: string, id: string): ServicePrincipalRecord {
    const servicePrincipal = directory
      .servicePrincipals(tenantId)
      .find((candidate) => candidate.id === id.toLowerCase());
    if (!servicePrincipal) throw resourceNotFound(id);
    return servicePrincipal;
  }

  function applicationAnswer(
    request: EmulatorRequest,
    status: number,
    application: ApplicationRecord,
  ): EmulatorResponse {
    const fields = select(request);
    const body = applicationJson(application, { withKeys: fields?.includes('keyCredentials') === true });
    return respond.json(request, status, entity('applications/$entity', selected(body, fields)));
  }

  function applyChanges(tenantId: string, application: ApplicationRecord, changes: ApplicationChanges): void {
    const others = directory.applications(tenantId).filter((candidate) => candidate.id !== application.id);
    if (changes.uniqueName !== undefined && changes.uniqueName !== application.uniqueName) {
      if (application.uniqueName !== null) throw badRequest("Property 'uniqueName' is immutable once set.");
      if (others.some((other) => other.uniqueName?.toLowerCase() === changes.uniqueName?.toLowerCase())) {
        throw duplicateKey('uniqueName');
      }
    }
    if (changes.identifierUris !== undefined) {
      for (const uri of changes.identifierUris) checkIdentifierUri(uri, application);
      const taken = others.flatMap((other) => other.identifierUris.map((uri) => uri.toLowerCase()));
      if (changes.identifierUris.some((uri) => taken.includes(uri.toLowerCase()))) throw duplicateKey('identifierUris');
    }
    const keyCredentials =
      changes.keyCredentials === undefined ? undefined : keyCredentialsOf(application, changes.keyCredentials);
    if (changes.displayName !== undefined) application.displayName = changes.displayName;
    if (changes.description !== undefined) application.description = changes.description;
    if (changes.uniqueName !== undefined) application.uniqueName = changes.uniqueName;
    if (changes.signInAudience !== undefined) application.signInAudience = changes.signInAudience;
    if (changes.identifierUris !== undefined) application.identifierUris = changes.identifierUris;
    if (changes.requiredResourceAccess !== undefined)
      application.requiredResourceAccess = changes.requiredResourceAccess;
    if (keyCredentials !== undefined) application.keyCredentials = keyCredentials;
  }

  /** PATCH replaces the collection: an entry naming a stored keyId without `key` keeps that certificate. */
  function keyCredentialsOf(application: ApplicationRecord, entries: readonly Json[]): DirectoryCertificate[] {
    const keyIds = new Set<string>();
    return entries.map((entry) => {
      const input = keyCredentialInput(entry);
      const stored = application.keyCredentials.find((candidate) => candidate.keyId === input.keyId);
      if (input.keyId !== undefined) {
        if (keyIds.has(input.keyId)) throw invalidValue('keyId', 'KeyCredential');
        keyIds.add(input.keyId);
      }
      if (input.key === undefined) {
        if (!stored) throw invalidValue('key', 'KeyCredential');
        return stored;
      }
      let certificate: DirectoryCertificate;
      try {
        certificate = directory.keyCredentialFrom(input.key, {
          ...(input.keyId === undefined ? {} : { keyId: input.keyId }),
          ...(input.displayName === undefined ? {} : { displayName: input.displayName }),
          ...(input.customKeyIdentifier === undefined ? {} : { customKeyIdentifier: input.customKeyIdentifier }),
        });
      } catch {
        throw invalidValue('key', 'KeyCredential');
      }
      // The credential's validity may be shorter than the certificate's, never longer.
      if (input.expiresOn && input.expiresOn.getTime() > certificate.expiresOn.getTime() + 1000) {
        throw invalidValue('endDateTime', 'KeyCredential');
      }
      if (input.startsOn && input.startsOn.getTime() < certificate.notBefore.getTime() - 1000) {
        throw invalidValue('startDateTime', 'KeyCredential');
      }
      return {
        ...certificate,
        ...(input.startsOn ? { notBefore: input.startsOn } : {}),
        ...(input.expiresOn ? { expiresOn: input.expiresOn } : {}),
      };
    });
  }

  function createApplication(tenantId: string, changes: ApplicationChanges): ApplicationRecord {
    if (changes.displayName === undefined) throw invalidValue('displayName', 'Application');
    const application = directory.addApplication(tenantId, { displayName: changes.displayName });
    try {
      applyChanges(tenantId, application, changes);
    } catch (error) {
      directory.removeApplication(tenantId, application.id);
      throw error;
    }
    return application;
  }

  function federatedCredential(application: ApplicationRecord, idOrName: string) {
    const credential = application.federatedIdentityCredentials.find(
      (candidate) => candidate.id === idOrName.toLowerCase() || candidate.name === idOrName,
    );
    if (!credential) throw resourceNotFound(idOrName);
    return credential;
  }

  function checkFederatedUnique(
    application: ApplicationRecord,
    candidate: { readonly id?: string; readonly name: string; readonly issuer: string; readonly subject: string },
  ): void {
    const others = application.federatedIdentityCredentials.filter((credential) => credential.id !== candidate.id);
    if (others.some((credential) => credential.name.toLowerCase() === candidate.name.toLowerCase())) {
      throw new GraphRequestError(
        409,
        'Request_MultipleObjectsWithSameKeyValue',
        `FederatedIdentityCredential with name ${candidate.name} already exists.`,
      );
    }
    if (
      others.some((credential) => credential.issuer === candidate.issuer && credential.subject === candidate.subject)
    ) {
      throw new GraphRequestError(
        400,
        'InvalidFederatedIdentityCredentialValue',
        `The combination of issuer and subject must be unique for the application. Issuer ${candidate.issuer} and Subject: ${candidate.subject} already exist.`,
      );
    }
  }

  /** `applications(appId='…')`, `applications(uniqueName='…')`, `servicePrincipals(appId='…')`. */
  function alternateKey(request: EmulatorRequest):
    | {
        readonly collection: 'applications' | 'servicePrincipals';
        readonly key: 'appId' | 'uniqueName';
        readonly value: string;
      }
    | undefined {
    const match = ALTERNATE_KEY.exec(param(request, 'entity'));
    if (!match?.[1] || !match[2]) return undefined;
    const collectionName = match[1].toLowerCase() === 'applications' ? 'applications' : 'servicePrincipals';
    const key = match[2].toLowerCase() === 'appid' ? 'appId' : 'uniqueName';
    if (collectionName === 'servicePrincipals' && key === 'uniqueName') return undefined;
    return { collection: collectionName, key, value: (match[3] ?? '').replaceAll("''", "'") };
  }

  const findByAlternateKey = (tenantId: string, key: 'appId' | 'uniqueName', value: string) =>
    directory.applications(tenantId).find((candidate) => (candidate[key] ?? '').toLowerCase() === value.toLowerCase());

  const { readApplications, writeApplications, readAssignments, writeAssignments } = directoryPermissions;

  return [
    {
      name: 'graph.listApplications',
      method: 'GET',
      path: '/v1.0/applications',
      handle: handler(readApplications, (request, tenantId) => {
        const matches = directoryFilter(request.url.searchParams.get('$filter'), 'Application', {
          properties: ['id', 'appId', 'uniqueName', 'displayName'],
          collections: ['identifierUris'],
        });
        const fields = select(request);
        const items = directory
          .applications(tenantId)
          .map((application) => applicationJson(application))
          .filter(matches)
          .map((item) => selected(item, fields));
        return respond.json(request, 200, collection('applications', items));
      }),
    },
    {
      name: 'graph.createApplication',
      method: 'POST',
      path: '/v1.0/applications',
      handle: handler(writeApplications, (request, tenantId) =>
        applicationAnswer(request, 201, createApplication(tenantId, applicationChanges(readJsonObject(request.body)))),
      ),
    },
    {
      name: 'graph.getApplication',
      method: 'GET',
      path: '/v1.0/applications/:id',
      handle: handler(readApplications, (request, tenantId) =>
        applicationAnswer(request, 200, applicationById(tenantId, param(request, 'id'))),
      ),
    },
    {
      name: 'graph.updateApplication',
      method: 'PATCH',
      path: '/v1.0/applications/:id',
      handle: handler(writeApplications, (request, tenantId) => {
        const application = applicationById(tenantId, param(request, 'id'));
        applyChanges(tenantId, application, applicationChanges(readJsonObject(request.body)));
        return respond.empty(request, 204);
      }),
    },
    {
      name: 'graph.deleteApplication',
      method: 'DELETE',
      path: '/v1.0/applications/:id',
      handle: handler(writeApplications, (request, tenantId) => {
        directory.removeApplication(tenantId, applicationById(tenantId, param(request, 'id')).id);
        return respond.empty(request, 204);
      }),
    },
    {
      name: 'graph.addPassword',
      method: 'POST',
      path: '/v1.0/applications/:id/addPassword',
      handle: handler(writeApplications, (request, tenantId) => {
        const application = applicationById(tenantId, param(request, 'id'));
        const input = passwordCredentialInput(readJsonObject(request.body, { emptyAllowed: true }));
        const startsOn = input.startsOn ?? new Date(directory.now());
        const expiresOn = input.expiresOn ?? new Date(startsOn.getTime() + DEFAULT_SECRET_LIFETIME_MS);
        if (expiresOn.getTime() <= startsOn.getTime()) throw invalidValue('endDateTime', 'PasswordCredential');
        const secret = directory.addPassword(application, { ...input, startsOn, expiresOn });
        return respond.json(
          request,
          200,
          entity('microsoft.graph.passwordCredential', passwordCredentialJson(secret, secret.value)),
        );
      }),
    },
    {
      name: 'graph.removePassword',
      method: 'POST',
      path: '/v1.0/applications/:id/removePassword',
      handle: handler(writeApplications, (request, tenantId) => {
        const application = applicationById(tenantId, param(request, 'id'));
        const keyId = keyIdInput(readJsonObject(request.body));
        const index = application.passwordCredentials.findIndex((secret) => secret.keyId === keyId);
        if (index < 0) throw badRequest(`No password credential found with keyId '${keyId}'.`);
        application.passwordCredentials.splice(index, 1);
        return respond.empty(request, 204);
      }),
    },
    {
      name: 'graph.listFederatedIdentityCredentials',
      method: 'GET',
      path: '/v1.0/applications/:id/federatedIdentityCredentials',
      handle: handler(readApplications, (request, tenantId) => {
        const application = applicationById(tenantId, param(request, 'id'));
        const matches = directoryFilter(request.url.searchParams.get('$filter'), 'FederatedIdentityCredential', {
          properties: ['name', 'issuer', 'subject'],
          collections: ['audiences'],
        });
        const items = application.federatedIdentityCredentials.map(federatedCredentialJson).filter(matches);
        return respond.json(
          request,
          200,
          collection(`applications('${application.id}')/federatedIdentityCredentials`, items),
        );
      }),
    },
    {
      name: 'graph.createFederatedIdentityCredential',
      method: 'POST',
      path: '/v1.0/applications/:id/federatedIdentityCredentials',
      handle: handler(writeApplications, (request, tenantId) => {
        const application = applicationById(tenantId, param(request, 'id'));
        const input = federatedCredentialInput(readJsonObject(request.body), true);
        const credential = {
          id: randomUUID(),
          name: input.name ?? '',
          issuer: input.issuer ?? '',
          subject: input.subject ?? '',
          audiences: input.audiences ?? [],
          description: input.description ?? null,
        };
        checkFederatedUnique(application, credential);
        if (application.federatedIdentityCredentials.length >= MAX_FEDERATED_CREDENTIALS) {
          throw badRequest(
            `The number of federated identity credentials on the application has reached the limit of ${MAX_FEDERATED_CREDENTIALS}.`,
          );
        }
        application.federatedIdentityCredentials.push(credential);
        return respond.json(
          request,
          201,
          entity(
            `applications('${application.id}')/federatedIdentityCredentials/$entity`,
            federatedCredentialJson(credential),
          ),
        );
      }),
    },
    {
      name: 'graph.getFederatedIdentityCredential',
      method: 'GET',
      path: '/v1.0/applications/:id/federatedIdentityCredentials/:credential',
      handle: handler(readApplications, (request, tenantId) => {
        const application = applicationById(tenantId, param(request, 'id'));
        const credential = federatedCredential(application, param(request, 'credential'));
        return respond.json(
          request,
          200,
          entity(
            `applications('${application.id}')/federatedIdentityCredentials/$entity`,
            federatedCredentialJson(credential),
          ),
        );
      }),
    },
    {
      name: 'graph.updateFederatedIdentityCredential',
      method: 'PATCH',
      path: '/v1.0/applications/:id/federatedIdentityCredentials/:credential',
      handle: handler(writeApplications, (request, tenantId) => {
        const application = applicationById(tenantId, param(request, 'id'));
        const credential = federatedCredential(application, param(request, 'credential'));
        const input = federatedCredentialInput(readJsonObject(request.body), false);
        if (input.name !== undefined && input.name !== credential.name) {
          throw badRequest("Property 'name' is read-only and cannot be updated.");
        }
        checkFederatedUnique(application, {
          id: credential.id,
          name: credential.name,
          issuer: input.issuer ?? credential.issuer,
          subject: input.subject ?? credential.subject,
        });
        if (input.issuer !== undefined) credential.issuer = input.issuer;
        if (input.subject !== undefined) credential.subject = input.subject;
        if (input.audiences !== undefined) credential.audiences = input.audiences;
        if (input.description !== undefined) credential.description = input.description;
        return respond.empty(request, 204);
      }),
    },
    {
      name: 'graph.deleteFederatedIdentityCredential',
      method: 'DELETE',
      path: '/v1.0/applications/:id/federatedIdentityCredentials/:credential',
      handle: handler(writeApplications, (request, tenantId) => {
        const application = applicationById(tenantId, param(request, 'id'));
        const credential = federatedCredential(application, param(request, 'credential'));
        application.federatedIdentityCredentials = application.federatedIdentityCredentials.filter(
          (candidate) => candidate.id !== credential.id,
        );
        return respond.empty(request, 204);
      }),
    },
    {
      name: 'graph.listServicePrincipals',
      method: 'GET',
      path: '/v1.0/servicePrincipals',
      handle: handler(readApplications, (request, tenantId) => {
        const matches = directoryFilter(request.url.searchParams.get('$filter'), 'ServicePrincipal', {
          properties: ['id', 'appId', 'displayName', 'servicePrincipalType'],
          collections: ['servicePrincipalNames'],
        });
        const fields = select(request);
        const items = directory
          .servicePrincipals(tenantId)
          .map(servicePrincipalJson)
          .filter(matches)
          .map((item) => selected(item, fields));
        return respond.json(request, 200, collection('servicePrincipals', items));
      }),
    },
    {
      name: 'graph.createServicePrincipal',
      method: 'POST',
      path: '/v1.0/servicePrincipals',
      handle: handler(writeApplications, (request, tenantId) => {
        const { appId } = readJsonObject(request.body);
        if (typeof appId !== 'string' || appId === '') throw invalidValue('appId', 'ServicePrincipal');
        const servicePrincipal = directory.addServicePrincipal(tenantId, appId);
        return respond.json(request, 201, entity('servicePrincipals/$entity', servicePrincipalJson(servicePrincipal)));
      }),
    },
    {
      name: 'graph.getServicePrincipal',
      method: 'GET',
      path: '/v1.0/servicePrincipals/:id',
      handle: handler(readApplications, (request, tenantId) => {
        const body = servicePrincipalJson(servicePrincipalById(tenantId, param(request, 'id')));
        return respond.json(request, 200, entity('servicePrincipals/$entity', selected(body, select(request))));
      }),
    },
    {
      name: 'graph.deleteServicePrincipal',
      method: 'DELETE',
      path: '/v1.0/servicePrincipals/:id',
      handle: handler(writeApplications, (request, tenantId) => {
        directory.removeServicePrincipal(tenantId, servicePrincipalById(tenantId, param(request, 'id')).id);
        return respond.empty(request, 204);
      }),
    },
    {
      name: 'graph.listAppRoleAssignedTo',
      method: 'GET',
      path: '/v1.0/servicePrincipals/:id/appRoleAssignedTo',
      handle: handler(readAssignments, (request, tenantId) => {
        const resource = servicePrincipalById(tenantId, param(request, 'id'));
        const items = directory
          .appRoleAssignments(tenantId)
          .filter((assignment) => assignment.resourceId === resource.id)
          .map(appRoleAssignmentJson);
        return respond.json(request, 200, collection(`servicePrincipals('${resource.id}')/appRoleAssignedTo`, items));
      }),
    },
    {
      name: 'graph.listAppRoleAssignments',
      method: 'GET',
      path: '/v1.0/servicePrincipals/:id/appRoleAssignments',
      handle: handler(readAssignments, (request, tenantId) => {
        const principal = servicePrincipalById(tenantId, param(request, 'id'));
        const items = directory
          .appRoleAssignments(tenantId)
          .filter((assignment) => assignment.principalId === principal.id)
          .map(appRoleAssignmentJson);
        return respond.json(request, 200, collection(`servicePrincipals('${principal.id}')/appRoleAssignments`, items));
      }),
    },
    {
      name: 'graph.assignAppRole',
      method: 'POST',
      path: '/v1.0/servicePrincipals/:id/appRoleAssignedTo',
      handle: handler(writeAssignments, (request, tenantId) => {
        const resource = servicePrincipalById(tenantId, param(request, 'id'));
        const input = appRoleAssignmentInput(readJsonObject(request.body));
        if (input.resourceId !== resource.id) throw invalidValue('resourceId', 'AppRoleAssignment');
        servicePrincipalById(tenantId, input.principalId);
        const assignment = directory.addAppRoleAssignment(tenantId, input);
        return respond.json(
          request,
          201,
          entity(`servicePrincipals('${resource.id}')/appRoleAssignedTo/$entity`, appRoleAssignmentJson(assignment)),
        );
      }),
    },
    {
      name: 'graph.removeAppRoleAssignment',
      method: 'DELETE',
      path: '/v1.0/servicePrincipals/:id/appRoleAssignedTo/:assignmentId',
      handle: handler(writeAssignments, (request, tenantId) => {
        const resource = servicePrincipalById(tenantId, param(request, 'id'));
        const assignmentId = param(request, 'assignmentId');
        const assignment = directory
          .appRoleAssignments(tenantId)
          .find((candidate) => candidate.id === assignmentId && candidate.resourceId === resource.id);
        if (!assignment) throw resourceNotFound(assignmentId);
        directory.removeAppRoleAssignment(tenantId, assignment.id);
        return respond.empty(request, 204);
      }),
    },
    {
      name: 'graph.getByAlternateKey',
      method: 'GET',
      path: '/v1.0/:entity',
      handle: guarded(async (request) => {
        const key = alternateKey(request);
        if (!key) return options.notFound(request);
        return handler(readApplications, (_, tenantId) => {
          if (key.collection === 'servicePrincipals') {
            const servicePrincipal = directory
              .servicePrincipals(tenantId)
              .find((candidate) => candidate.appId === key.value.toLowerCase());
            if (!servicePrincipal) throw resourceNotFound(`appId='${key.value}'`);
            const body = servicePrincipalJson(servicePrincipal);
            return respond.json(request, 200, entity('servicePrincipals/$entity', selected(body, select(request))));
          }
          const application = findByAlternateKey(tenantId, key.key, key.value);
          if (!application) throw resourceNotFound(`${key.key}='${key.value}'`);
          return applicationAnswer(request, 200, application);
        })(request);
      }),
    },
    {
      name: 'graph.upsertApplication',
      method: 'PATCH',
      path: '/v1.0/:entity',
      handle: guarded(async (request) => {
        const key = alternateKey(request);
        if (!key || key.collection !== 'applications') return options.notFound(request);
        return handler(writeApplications, (_, tenantId) => {
          const changes = applicationChanges(readJsonObject(request.body));
          const existing = findByAlternateKey(tenantId, key.key, key.value);
          if (existing) {
            applyChanges(tenantId, existing, changes);
            return respond.empty(request, 204);
          }
          const createIfMissing = /create-if-missing/i.test(String(request.headers.prefer ?? ''));
          if (!createIfMissing || key.key !== 'uniqueName') throw resourceNotFound(`${key.key}='${key.value}'`);
          if (changes.uniqueName !== undefined && changes.uniqueName !== key.value) {
            throw invalidValue('uniqueName', 'Application');
          }
          return applicationAnswer(request, 201, createApplication(tenantId, { ...changes, uniqueName: key.value }));
        })(request);
      }),
    },
  ];
}

function resourceNotFound(id: string): GraphRequestError {
  return new GraphRequestError(
    404,
    'Request_ResourceNotFound',
    `Resource '${id}' does not exist or one of its queried reference-property objects are not present.`,
  );
}

function duplicateKey(property: string): GraphRequestError {
  return new GraphRequestError(
    400,
    'Request_MultipleObjectsWithSameKeyValue',
    `Another object with the same value for property ${property} already exists.`,
  );
}

/**
 * The identifier URI formats Entra ID accepts without a verified domain: `api://{appId}`,
 * `api://{tenantId}/{anything}`, `api://{anything}/{appId}`.
 */
function checkIdentifierUri(uri: string, application: ApplicationRecord): void {
  const lower = uri.toLowerCase();
  const appId = application.appId;
  const accepted =
    lower === `api://${appId}` ||
    lower.startsWith(`api://${appId}/`) ||
    lower.startsWith(`api://${application.tenantId}/`) ||
    (lower.startsWith('api://') && lower.endsWith(`/${appId}`));
  if (!accepted) {
    throw new GraphRequestError(
      400,
      'HostNameNotOnVerifiedDomain',
      `Values of identifierUris property must use a verified domain of the organization or its subdomain: '${uri}'`,
    );
  }
}

function graphErrorOf(error: DirectoryError): GraphRequestError {
  switch (error.code) {
    case 'UnregisteredAppId':
      return badRequest(error.message);
    case 'UnknownServicePrincipal':
    case 'UnknownApplication':
      return new GraphRequestError(404, 'Request_ResourceNotFound', error.message);
    case 'DuplicateServicePrincipal':
      return new GraphRequestError(409, 'Request_MultipleObjectsWithSameKeyValue', error.message);
    case 'UnknownAppRole':
    case 'DuplicateAssignment':
    case 'InvalidCertificate':
      return badRequest(error.message);
    case 'UnknownSecret':
    case 'InvalidSeed':
      return new GraphRequestError(500, 'generalException', 'General exception while processing');
  }
}
