/**
 * Graph's bearer-token checks and app-role authorisation for the endpoints the emulator serves.
 * SharePoint resources answer a missing permission with 403 `accessDenied`; Exchange (sendMail)
 * with 403 `ErrorAccessDenied`; directory objects with 403 `Authorization_RequestDenied`.
 */

/** A `Sites.Selected` grant: which app may read (or write) which site. */
export interface SiteGrant {
  readonly siteId: string;
  readonly appId: string;
  readonly roles: readonly string[];
}
import type { AccessTokenClaims, EmulatorRequest, TokenRejection, TokenVerifier } from '../stack/types.js';
import { GraphRequestError } from './responses.js';

/** The resource URI and the app id of Microsoft Graph: tokens for either are Graph tokens. */
export const graphAudiences: readonly string[] = [
  'https://graph.microsoft.com',
  'https://graph.microsoft.com/',
  '00000003-0000-0000-c000-000000000000',
];

/** Any of these application permissions reads every site's lists. */
const siteReadRoles: ReadonlySet<string> = new Set([
  'Sites.Read.All',
  'Sites.ReadWrite.All',
  'Sites.Manage.All',
  'Sites.FullControl.All',
]);

const WWW_AUTHENTICATE =
  'Bearer realm="", authorization_uri="https://login.microsoftonline.com/common/oauth2/authorize", client_id="00000003-0000-0000-c000-000000000000"';

const rejectionMessages: Readonly<Record<TokenRejection, string>> = {
  malformed: 'CompactToken parsing failed with error code: 80049217',
  signature: 'Access token validation failure.',
  expired: 'Lifetime validation failed, the token is expired.',
  not_yet_valid: 'Lifetime validation failed, the token is not yet valid.',
  audience: 'Access token validation failure. Invalid audience.',
  issuer: 'Access token validation failure. Invalid issuer.',
};

function unauthenticated(message: string): GraphRequestError {
  return new GraphRequestError(401, 'InvalidAuthenticationToken', message, { 'WWW-Authenticate': WWW_AUTHENTICATE });
}

/** Verifies the request's bearer token for Graph; throws a 401 {@link GraphRequestError} otherwise. */
export async function authenticate(request: EmulatorRequest, verifier: TokenVerifier): Promise<AccessTokenClaims> {
  const header = request.headers.authorization ?? '';
  const match = /^Bearer\s+(\S+)\s*$/i.exec(header);
  const token = match?.[1];
  if (token === undefined) {
    throw unauthenticated('Access token is empty.');
  }
  const result = await verifier.verify(token, graphAudiences);
  if (!result.ok) {
    throw unauthenticated(rejectionMessages[result.reason]);
  }
  return result.claims;
}

/** Reading a site's list items: a `Sites.*.All` role, or `Sites.Selected` plus a grant on that site. */
export function authorizeSiteRead(claims: AccessTokenClaims, siteId: string, siteGrants: readonly SiteGrant[]): void {
  const roles = claims.roles ?? [];
  if (roles.length === 0) {
    throw new GraphRequestError(403, 'accessDenied', 'Either scp or roles claim need to be present in the token.');
  }
  if (roles.some((role) => siteReadRoles.has(role))) {
    return;
  }
  const granted =
    roles.includes('Sites.Selected') &&
    siteGrants.some(
      (grant) =>
        grant.appId.toLowerCase() === claims.appid.toLowerCase() &&
        grant.siteId.toLowerCase() === siteId.toLowerCase() &&
        grant.roles.length > 0,
    );
  if (!granted) {
    throw new GraphRequestError(403, 'accessDenied', 'Access denied');
  }
}

/** Sending mail as any user: the `Mail.Send` application permission. */
export function authorizeMailSend(claims: AccessTokenClaims): void {
  if (!(claims.roles ?? []).includes('Mail.Send')) {
    throw new GraphRequestError(403, 'ErrorAccessDenied', 'Access is denied. Check credentials and try again.');
  }
}

/** What a directory request needs: any one of the application permissions listed. */
export const directoryPermissions = {
  readApplications: [
    'Application.Read.All',
    'Application.ReadWrite.All',
    'Directory.Read.All',
    'Directory.ReadWrite.All',
  ],
  writeApplications: ['Application.ReadWrite.All'],
  readAssignments: [
    'Application.Read.All',
    'Application.ReadWrite.All',
    'Directory.Read.All',
    'Directory.ReadWrite.All',
    'AppRoleAssignment.ReadWrite.All',
  ],
  writeAssignments: ['AppRoleAssignment.ReadWrite.All'],
} as const satisfies Record<string, readonly string[]>;

/**
 * Directory objects (applications, service principals, app role assignments): the token must hold one of
 * `permissions`; Entra ID's Graph answers a missing one with 403 `Authorization_RequestDenied`.
 */
export function authorizeDirectory(claims: AccessTokenClaims, permissions: readonly string[]): void {
  if (!(claims.roles ?? []).some((role) => permissions.includes(role))) {
    throw new GraphRequestError(
      403,
      'Authorization_RequestDenied',
      'Insufficient privileges to complete the operation.',
    );
  }
}

/** Granting an app access to one site (`POST /sites/{id}/permissions`) takes `Sites.FullControl.All`. */
export function authorizeSitePermissions(claims: AccessTokenClaims): void {
  if (!(claims.roles ?? []).includes('Sites.FullControl.All')) {
    throw new GraphRequestError(403, 'accessDenied', 'Access denied');
  }
}
