/**
 * Service principals and app role assignments within one tenant of the emulated directory, by Graph's
 * rules: an assignment names an existing principal and resource and one of the resource's app roles, once;
 * a removed service principal takes its assignments with it, both ways.
 */
import { randomBytes } from 'node:crypto';
import { DirectoryError } from './directory-records.js';
import type {
  AppRoleAssignmentRecord,
  ApplicationRecord,
  DirectoryTenant,
  NewAppRoleAssignment,
  ServicePrincipalRecord,
  SignInRecord,
} from './directory-records.js';

/** One tenant's objects, held mutable: Graph's writes change them in place. */
export interface TenantObjects {
  readonly tenant: DirectoryTenant;
  readonly signIns: SignInRecord[];
  readonly applications: ApplicationRecord[];
  readonly servicePrincipals: ServicePrincipalRecord[];
  readonly assignments: AppRoleAssignmentRecord[];
}

/** Assigns an app role (Graph's appRoleAssignedTo); throws for an unknown principal, resource or role, or a duplicate. */
export function addAssignment(
  objects: TenantObjects,
  input: NewAppRoleAssignment,
  now: () => Date,
): AppRoleAssignmentRecord {
  const principal = objects.servicePrincipals.find((sp) => sp.id === input.principalId.toLowerCase());
  if (!principal) {
    throw new DirectoryError('UnknownServicePrincipal', `No service principal ${input.principalId}`);
  }
  const resource = objects.servicePrincipals.find((sp) => sp.id === input.resourceId.toLowerCase());
  if (!resource) throw new DirectoryError('UnknownServicePrincipal', `No service principal ${input.resourceId}`);
  const appRoleId = input.appRoleId.toLowerCase();
  if (!resource.appRoles.some((role) => role.id === appRoleId)) {
    throw new DirectoryError(
      'UnknownAppRole',
      `Permission being assigned was not found on application '${resource.appId}'.`,
    );
  }
  const duplicate = objects.assignments.some(
    (existing) =>
      existing.principalId === principal.id && existing.resourceId === resource.id && existing.appRoleId === appRoleId,
  );
  if (duplicate)
    throw new DirectoryError('DuplicateAssignment', 'Permission being assigned already exists on the object');
  const record: AppRoleAssignmentRecord = {
    // Graph's assignment ids are base64url strings, not GUIDs.
    id: randomBytes(33).toString('base64url').slice(0, 43),
    tenantId: objects.tenant.id,
    createdDateTime: now(),
    principalId: principal.id,
    principalDisplayName: principal.displayName,
    resourceId: resource.id,
    resourceDisplayName: resource.displayName,
    appRoleId,
  };
  objects.assignments.push(record);
  return record;
}

/** Removes a service principal and every assignment it is the principal or the resource of. */
export function removeServicePrincipal(objects: TenantObjects, objectId: string): void {
  const index = objects.servicePrincipals.findIndex((sp) => sp.id === objectId.toLowerCase());
  if (index < 0) throw new DirectoryError('UnknownServicePrincipal', `No service principal ${objectId}`);
  const [removed] = objects.servicePrincipals.splice(index, 1);
  // Its assignments go with it, both ways.
  const remaining = objects.assignments.filter(
    (assignment) => assignment.principalId !== removed?.id && assignment.resourceId !== removed?.id,
  );
  objects.assignments.splice(0, objects.assignments.length, ...remaining);
}

/** Values of `resourceAppId`'s app roles assigned to the principal (a service principal or managed identity). */
export function rolesOf(objects: TenantObjects, principalId: string, resourceAppId: string): string[] {
  const resource = objects.servicePrincipals.find((sp) => sp.appId === resourceAppId);
  if (!resource) return [];
  return objects.assignments
    .filter(
      (assignment) => assignment.principalId === principalId.toLowerCase() && assignment.resourceId === resource.id,
    )
    .flatMap((assignment) =>
      resource.appRoles.filter((role) => role.id === assignment.appRoleId).map((role) => role.value),
    );
}

/** The service principal of an app registration (in its home tenant or, multi-tenant, in another). */
export function servicePrincipalFor(application: ApplicationRecord, id: string, created: Date): ServicePrincipalRecord {
  return {
    id,
    appId: application.appId,
    tenantId: application.tenantId,
    createdDateTime: created,
    displayName: application.displayName,
    servicePrincipalType: 'Application',
    appOwnerOrganizationId: application.tenantId,
    servicePrincipalNames: [application.appId, ...application.identifierUris],
    appRoles: [],
  };
}
