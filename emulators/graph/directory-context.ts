/**
 * What the directory endpoints share (directory-routes.ts and the modules beside it): authentication and
 * the permission check in the caller's tenant, lookups that answer 404 `Request_ResourceNotFound`, and the
 * directory's refusals as Graph errors.
 */
import type { ApplicationRecord, ServicePrincipalRecord } from '../entra/directory-records.js';
import type { Directory } from '../entra/directory.js';
import { DirectoryError } from '../entra/directory-records.js';
import type { AccessTokenClaims, EmulatorRequest, EmulatorResponse, Route } from '../stack/types.js';
import { authorizeDirectory } from './auth.js';
import { badRequest } from './directory-bodies.js';
import type { GraphResponder } from './responses.js';
import { GraphRequestError } from './responses.js';

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

export interface DirectoryContext extends DirectoryRoutesOptions {
  /** Authenticates, checks one of `permissions`, and runs the handler in the caller's tenant. */
  handler(
    permissions: readonly string[],
    handle: (request: EmulatorRequest, tenantId: string) => EmulatorResponse | Promise<EmulatorResponse>,
  ): Route['handle'];
  param(request: EmulatorRequest, name: string): string;
  /** The `$select` list, when given. */
  select(request: EmulatorRequest): string[] | undefined;
  applicationById(tenantId: string, id: string): ApplicationRecord;
  servicePrincipalById(tenantId: string, id: string): ServicePrincipalRecord;
}

export function createDirectoryContext(options: DirectoryRoutesOptions): DirectoryContext {
  const { directory, authenticate, guarded } = options;
  return {
    ...options,
    handler: (permissions, handle) =>
      guarded(async (request) => {
        const claims = await authenticate(request);
        authorizeDirectory(claims, permissions);
        try {
          return await handle(request, claims.tid);
        } catch (error) {
          throw error instanceof DirectoryError ? graphErrorOf(error) : error;
        }
      }),
    param: (request, name) => request.params[name] ?? '',
    select: (request) =>
      request.url.searchParams
        .get('$select')
        ?.split(',')
        .map((name) => name.trim()),
    applicationById(tenantId, id) {
      const application = directory.applications(tenantId).find((candidate) => candidate.id === id.toLowerCase());
      if (!application) throw resourceNotFound(id);
      return application;
    },
    servicePrincipalById(tenantId, id) {
      const servicePrincipal = directory
        .servicePrincipals(tenantId)
        .find((candidate) => candidate.id === id.toLowerCase());
      if (!servicePrincipal) throw resourceNotFound(id);
      return servicePrincipal;
    },
  };
}

export function resourceNotFound(id: string): GraphRequestError {
  return new GraphRequestError(
    404,
    'Request_ResourceNotFound',
    `Resource '${id}' does not exist or one of its queried reference-property objects are not present.`,
  );
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
