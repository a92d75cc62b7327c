/**
 * Microsoft Graph's directory endpoints (`/v1.0`), on the directory the Entra ID emulator issues tokens
 * from: `applications` (create, read, `$filter`, update, upsert by `uniqueName`, delete; `addPassword`,
 * `removePassword`, `keyCredentials`), the alternate keys `applications(appId|uniqueName='…')` and
 * `servicePrincipals(appId='…')`, plus the federated credential and service principal routes of the
 * modules beside it. Objects belong to the caller's tenant (the token's `tid`). Permissions are checked as Graph does for app-only tokens (403
 * `Authorization_RequestDenied`); a missing object is 404 `Request_ResourceNotFound`.
 */
import type { ApplicationRecord, DirectoryCertificate } from '../entra/directory-records.js';
import type { EmulatorRequest, EmulatorResponse, Route } from '../stack/types.js';
import { directoryPermissions } from './auth.js';
import type { ApplicationChanges } from './directory-bodies.js';
import {
  applicationChanges,
  badRequest,
  invalidValue,
  keyCredentialInput,
  keyIdInput,
  passwordCredentialInput,
  readJsonObject,
} from './directory-bodies.js';
import { createDirectoryContext, resourceNotFound } from './directory-context.js';
import type { DirectoryRoutesOptions } from './directory-context.js';
import { directoryFilter } from './directory-filter.js';
import {
  applicationJson,
  collection,
  entity,
  passwordCredentialJson,
  selected,
  servicePrincipalJson,
} from './directory-shapes.js';
import type { Json } from './directory-shapes.js';
import { federatedCredentialRoutes } from './federated-credential-routes.js';
import { GraphRequestError } from './responses.js';
import { servicePrincipalRoutes } from './service-principal-routes.js';
import { signInLogRoutes } from './sign-in-logs.js';

export type { DirectoryRoutesOptions } from './directory-context.js';

const DEFAULT_SECRET_LIFETIME_MS = 2 * 365 * 86_400_000;
const ALTERNATE_KEY = /^(applications|servicePrincipals)\((appId|uniqueName)='((?:[^']|'')*)'\)$/i;

export function createDirectoryRoutes(options: DirectoryRoutesOptions): Route[] {
  const context = createDirectoryContext(options);
  const { directory, respond, guarded, handler, param, select, applicationById } = context;

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

  const { readApplications, writeApplications } = directoryPermissions;

  return [
    ...federatedCredentialRoutes(context),
    ...servicePrincipalRoutes(context),
    ...signInLogRoutes(context),
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
