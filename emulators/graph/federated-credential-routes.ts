/**
 * `/applications/{id}/federatedIdentityCredentials` (list, create, and by id or name: read, update, delete)
 * with Graph's rules: at most 20 per application, names unique (409), issuer and subject unique together,
 * one audience, the name immutable.
 */
import { randomUUID } from 'node:crypto';
import type { ApplicationRecord, FederatedIdentityCredential } from '../entra/directory-records.js';
import type { EmulatorRequest, EmulatorResponse, Route } from '../stack/types.js';
import { directoryPermissions } from './auth.js';
import { badRequest, federatedCredentialInput, readJsonObject } from './directory-bodies.js';
import type { DirectoryContext } from './directory-context.js';
import { resourceNotFound } from './directory-context.js';
import { directoryFilter } from './directory-filter.js';
import { collection, entity, federatedCredentialJson } from './directory-shapes.js';
import { GraphRequestError } from './responses.js';

const MAX_FEDERATED_CREDENTIALS = 20;

export function federatedCredentialRoutes(context: DirectoryContext): Route[] {
  const { respond, handler, param, applicationById } = context;
  const { readApplications, writeApplications } = directoryPermissions;

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

  function credentialAnswer(
    request: EmulatorRequest,
    status: number,
    application: ApplicationRecord,
    credential: FederatedIdentityCredential,
  ): EmulatorResponse {
    const context = `applications('${application.id}')/federatedIdentityCredentials/$entity`;
    return respond.json(request, status, entity(context, federatedCredentialJson(credential)));
  }

  return [
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
        return credentialAnswer(request, 201, application, credential);
      }),
    },
    {
      name: 'graph.getFederatedIdentityCredential',
      method: 'GET',
      path: '/v1.0/applications/:id/federatedIdentityCredentials/:credential',
      handle: handler(readApplications, (request, tenantId) => {
        const application = applicationById(tenantId, param(request, 'id'));
        const credential = federatedCredential(application, param(request, 'credential'));
        return credentialAnswer(request, 200, application, credential);
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
  ];
}
