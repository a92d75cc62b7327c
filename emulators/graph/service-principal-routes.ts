/**
 * `/servicePrincipals` (list with `$filter`, create by appId, read, delete) and admin consent:
 * `/servicePrincipals/{resourceId}/appRoleAssignedTo` (list, assign, remove) and
 * `/servicePrincipals/{id}/appRoleAssignments` (what a principal was granted).
 */
import type { EmulatorRequest, EmulatorResponse, Route } from '../stack/types.js';
import { directoryPermissions } from './auth.js';
import { appRoleAssignmentInput, invalidValue, readJsonObject } from './directory-bodies.js';
import type { DirectoryContext } from './directory-context.js';
import { resourceNotFound } from './directory-context.js';
import { directoryFilter } from './directory-filter.js';
import { appRoleAssignmentJson, collection, entity, selected, servicePrincipalJson } from './directory-shapes.js';

export function servicePrincipalRoutes(context: DirectoryContext): Route[] {
  const { directory, respond, handler, param, select, servicePrincipalById } = context;
  const { readApplications, writeApplications, readAssignments, writeAssignments } = directoryPermissions;

  /** The assignments on a resource (`appRoleAssignedTo`) or granted to a principal (`appRoleAssignments`). */
  function assignmentList(
    request: EmulatorRequest,
    tenantId: string,
    relation: 'appRoleAssignedTo' | 'appRoleAssignments',
  ): EmulatorResponse {
    const servicePrincipal = servicePrincipalById(tenantId, param(request, 'id'));
    const side = relation === 'appRoleAssignedTo' ? 'resourceId' : 'principalId';
    const items = directory
      .appRoleAssignments(tenantId)
      .filter((assignment) => assignment[side] === servicePrincipal.id)
      .map(appRoleAssignmentJson);
    return respond.json(request, 200, collection(`servicePrincipals('${servicePrincipal.id}')/${relation}`, items));
  }

  return [
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
      handle: handler(readAssignments, (request, tenantId) => assignmentList(request, tenantId, 'appRoleAssignedTo')),
    },
    {
      name: 'graph.listAppRoleAssignments',
      method: 'GET',
      path: '/v1.0/servicePrincipals/:id/appRoleAssignments',
      handle: handler(readAssignments, (request, tenantId) => assignmentList(request, tenantId, 'appRoleAssignments')),
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
  ];
}
