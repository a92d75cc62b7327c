/**
 * `POST /sites/{id}/permissions` and its list and delete: what an administrator grants an app holding
 * `Sites.Selected` on one site (`roles` read, write, manage or fullcontrol; `grantedToIdentities` naming
 * the application by its appId), in Graph's `permission` shape. The caller needs `Sites.FullControl.All`.
 * The list-item reads consult these grants.
 */
import { randomBytes } from 'node:crypto';
import type { GraphSeed } from '../stack/seed.js';
import type { AccessTokenClaims, EmulatorRequest, EmulatorResponse, Route } from '../stack/types.js';
import { authorizeSitePermissions } from './auth.js';
import { isObject, readJsonObject } from './directory-bodies.js';
import { collection, entity } from './directory-shapes.js';
import type { Json } from './directory-shapes.js';
import type { GraphResponder } from './responses.js';
import { GraphRequestError } from './responses.js';

const SITE_ROLES: ReadonlySet<string> = new Set(['read', 'write', 'manage', 'fullcontrol']);

export interface SitePermission {
  readonly id: string;
  readonly siteId: string;
  readonly appId: string;
  readonly displayName: string | null;
  readonly roles: readonly string[];
}

export interface SitePermissions {
  /** The grants of every site, seeded ones first. */
  grants(): readonly SitePermission[];
  routes(options: {
    readonly respond: GraphResponder;
    readonly authenticate: (request: EmulatorRequest) => Promise<AccessTokenClaims>;
    readonly guarded: (handle: (request: EmulatorRequest) => Promise<EmulatorResponse>) => Route['handle'];
  }): Route[];
}

export function createSitePermissions(seed: GraphSeed): SitePermissions {
  const permissions: SitePermission[] = (seed.siteGrants ?? []).map((grant) => ({
    id: permissionId(),
    siteId: grant.siteId,
    appId: grant.appId.toLowerCase(),
    displayName: null,
    roles: [...grant.roles],
  }));

  function siteOf(siteId: string): string {
    const site = seed.sites.find((candidate) => candidate.id.toLowerCase() === siteId.toLowerCase());
    if (!site) throw new GraphRequestError(404, 'itemNotFound', 'Requested site could not be found');
    return site.id;
  }

  return {
    grants: () => [...permissions],
    routes({ respond, authenticate, guarded }) {
      const authorized = async (request: EmulatorRequest): Promise<string> => {
        authorizeSitePermissions(await authenticate(request));
        return siteOf(request.params.siteId ?? '');
      };
      return [
        {
          name: 'graph.listSitePermissions',
          method: 'GET',
          path: '/v1.0/sites/:siteId/permissions',
          handle: guarded(async (request) => {
            const siteId = await authorized(request);
            const items = permissions.filter((permission) => permission.siteId === siteId).map(permissionJson);
            return respond.json(request, 200, collection(`sites('${siteId}')/permissions`, items));
          }),
        },
        {
          name: 'graph.createSitePermission',
          method: 'POST',
          path: '/v1.0/sites/:siteId/permissions',
          handle: guarded(async (request) => {
            const siteId = await authorized(request);
            const body = readJsonObject(request.body);
            const roles = body.roles;
            if (!Array.isArray(roles) || roles.length === 0 || !roles.every((role) => SITE_ROLES.has(String(role)))) {
              throw new GraphRequestError(400, 'invalidRequest', 'Invalid value for roles.');
            }
            const identities = body.grantedToIdentities ?? body.grantedToIdentitiesV2;
            const application =
              Array.isArray(identities) && identities.length === 1 && isObject(identities[0])
                ? identities[0].application
                : undefined;
            if (!isObject(application) || typeof application.id !== 'string' || application.id === '') {
              throw new GraphRequestError(400, 'invalidRequest', 'Invalid value for grantedToIdentities.');
            }
            const permission: SitePermission = {
              id: permissionId(),
              siteId,
              appId: application.id.toLowerCase(),
              displayName: typeof application.displayName === 'string' ? application.displayName : null,
              roles: roles.map(String),
            };
            permissions.push(permission);
            return respond.json(
              request,
              201,
              entity(`sites('${siteId}')/permissions/$entity`, permissionJson(permission)),
            );
          }),
        },
        {
          name: 'graph.deleteSitePermission',
          method: 'DELETE',
          path: '/v1.0/sites/:siteId/permissions/:permissionId',
          handle: guarded(async (request) => {
            const siteId = await authorized(request);
            const index = permissions.findIndex(
              (permission) => permission.siteId === siteId && permission.id === request.params.permissionId,
            );
            if (index < 0) throw new GraphRequestError(404, 'itemNotFound', 'The requested permission was not found.');
            permissions.splice(index, 1);
            return respond.empty(request, 204);
          }),
        },
      ];
    },
  };
}

function permissionJson(permission: SitePermission): Json {
  const identity = { application: { id: permission.appId, displayName: permission.displayName } };
  return {
    id: permission.id,
    roles: [...permission.roles],
    grantedToIdentities: [identity],
    grantedToIdentitiesV2: [identity],
  };
}

/** SharePoint's permission ids are opaque base64 strings. */
function permissionId(): string {
  return Buffer.from(`aTowaS50fG1zLnNwLmV4dHw${randomBytes(18).toString('hex')}`).toString('base64url');
}
