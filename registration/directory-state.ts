/**
 * What the directory and the vault hold now for the registration: Graph's service principal (its app
 * roles), the application found by its `uniqueName`, its service principal, its app role assignments,
 * federated credentials and site grants, and the stored secret or certificate. Read only; the plan
 * (plan.ts) compares it with the spec.
 */
import { isRecord } from '../shared/base/is-record.js';
import type { AdminGraph } from './admin-graph.js';
import type { AdminVault, StoredCertificate, StoredSecret } from './admin-vault.js';
import { RegistrationError } from './errors.js';
import { federatedCredentialName, GRAPH_APP_ID } from './spec.js';
import type { RegistrationSpec } from './spec.js';

export interface AppRole {
  readonly id: string;
  readonly value: string;
  readonly allowedMemberTypes: readonly string[];
  readonly isEnabled: boolean;
}

export interface PasswordCredential {
  readonly keyId: string;
  readonly displayName?: string;
  readonly endDateTime?: string;
}

export interface KeyCredential {
  readonly keyId: string;
  readonly type: string;
  readonly usage: string;
  /** Base64 DER; Graph returns it only when the app is read alone with `$select=keyCredentials`. */
  readonly key?: string;
  readonly displayName?: string;
  readonly endDateTime?: string;
  readonly customKeyIdentifier?: string;
}

export interface RequiredResourceAccess {
  readonly resourceAppId: string;
  readonly resourceAccess: readonly { readonly id: string; readonly type: string }[];
}

export interface Application {
  readonly id: string;
  readonly appId: string;
  readonly displayName: string;
  readonly signInAudience: string;
  readonly requiredResourceAccess: readonly RequiredResourceAccess[];
  readonly passwordCredentials: readonly PasswordCredential[];
  readonly keyCredentials: readonly KeyCredential[];
  readonly redirectUris: readonly string[];
}

export interface FederatedCredential {
  readonly id: string;
  readonly name: string;
  readonly issuer: string;
  readonly subject: string;
  readonly audiences: readonly string[];
}

export interface DirectoryState {
  /** Graph's own service principal in the tenant: the resource of the app role assignments. */
  readonly graph: { readonly id: string; readonly appRoles: readonly AppRole[] };
  readonly application?: Application;
  readonly servicePrincipalId?: string;
  /** App role ids granted to the app's service principal on Graph. */
  readonly grantedAppRoleIds: readonly string[];
  readonly federatedCredential?: FederatedCredential;
  /** Whether the app may read the obligations site (Sites.Selected), when a site is named. */
  readonly siteGranted?: boolean;
  readonly secret?: StoredSecret;
  readonly certificate?: StoredCertificate;
}

const APPLICATION_FIELDS = 'id,appId,displayName,signInAudience,requiredResourceAccess,passwordCredentials,web';

export async function readDirectoryState(
  spec: RegistrationSpec,
  graph: AdminGraph,
  vault: AdminVault | undefined,
): Promise<DirectoryState> {
  const graphSp = await readGraphServicePrincipal(graph);
  const application = await readApplication(spec, graph);
  const servicePrincipalId = application ? await readServicePrincipalId(graph, application.appId) : undefined;
  const grantedAppRoleIds = servicePrincipalId ? await readGrantedRoles(graph, servicePrincipalId, graphSp.id) : [];
  const federatedCredential =
    application && spec.credential === 'managed-identity'
      ? (await graph.list(`/applications/${application.id}/federatedIdentityCredentials`))
          .map(toFederatedCredential)
          .find((credential) => credential.name === federatedCredentialName(spec))
      : undefined;
  const siteGranted =
    application && spec.sitesPermission === 'Sites.Selected' && spec.siteId
      ? await readSiteGrant(graph, spec.siteId, application.appId)
      : undefined;
  const secret = vault && spec.credential === 'secret' ? await vault.readSecret(spec.secretName) : undefined;
  const certificate =
    vault && spec.credential === 'certificate' ? await vault.readCertificate(spec.certificateName) : undefined;
  return {
    graph: graphSp,
    ...(application ? { application } : {}),
    ...(servicePrincipalId ? { servicePrincipalId } : {}),
    grantedAppRoleIds,
    ...(federatedCredential ? { federatedCredential } : {}),
    ...(siteGranted === undefined ? {} : { siteGranted }),
    ...(secret ? { secret } : {}),
    ...(certificate ? { certificate } : {}),
  };
}

async function readGraphServicePrincipal(graph: AdminGraph): Promise<DirectoryState['graph']> {
  const [sp] = await graph.list(`/servicePrincipals?$filter=appId eq '${GRAPH_APP_ID}'&$select=id,appId,appRoles`);
  if (!isRecord(sp) || typeof sp.id !== 'string') {
    throw new RegistrationError(
      'RegistrationFailed',
      `The tenant has no service principal for Microsoft Graph (appId ${GRAPH_APP_ID}); every Entra ID tenant should.`,
    );
  }
  const appRoles = Array.isArray(sp.appRoles) ? sp.appRoles.filter(isRecord).map(toAppRole) : [];
  return { id: sp.id, appRoles };
}

async function readApplication(spec: RegistrationSpec, graph: AdminGraph): Promise<Application | undefined> {
  const found = await graph.list(
    `/applications?$filter=uniqueName eq '${encodeURIComponent(spec.uniqueName)}'&$select=${APPLICATION_FIELDS}`,
  );
  const [app] = found;
  if (!isRecord(app) || typeof app.id !== 'string') return undefined;
  // The certificates' public keys come only with a read of this one application.
  const keys = await graph.get(`/applications/${app.id}?$select=keyCredentials`);
  return toApplication({ ...app, keyCredentials: isRecord(keys) ? keys.keyCredentials : [] });
}

async function readServicePrincipalId(graph: AdminGraph, appId: string): Promise<string | undefined> {
  const [sp] = await graph.list(`/servicePrincipals?$filter=appId eq '${appId}'&$select=id,appId`);
  return isRecord(sp) && typeof sp.id === 'string' ? sp.id : undefined;
}

async function readGrantedRoles(graph: AdminGraph, servicePrincipalId: string, graphSpId: string): Promise<string[]> {
  const assignments = await graph.list(`/servicePrincipals/${servicePrincipalId}/appRoleAssignments`);
  return assignments
    .filter(isRecord)
    .filter((assignment) => assignment.resourceId === graphSpId && typeof assignment.appRoleId === 'string')
    .map((assignment) => String(assignment.appRoleId));
}

async function readSiteGrant(graph: AdminGraph, siteId: string, appId: string): Promise<boolean> {
  const permissions = await graph.list(`/sites/${siteId}/permissions`, { role: 'site' });
  return permissions.filter(isRecord).some((permission) => {
    const identities = [
      ...(Array.isArray(permission.grantedToIdentitiesV2) ? permission.grantedToIdentitiesV2 : []),
      ...(Array.isArray(permission.grantedToIdentities) ? permission.grantedToIdentities : []),
    ];
    const roles = Array.isArray(permission.roles) ? permission.roles : [];
    const readable = roles.some((role) => ['read', 'write', 'owner', 'fullcontrol'].includes(String(role)));
    return (
      readable &&
      identities.some(
        (identity) => isRecord(identity) && isRecord(identity.application) && identity.application.id === appId,
      )
    );
  });
}

function toAppRole(role: Record<string, unknown>): AppRole {
  return {
    id: String(role.id),
    value: String(role.value),
    allowedMemberTypes: Array.isArray(role.allowedMemberTypes) ? role.allowedMemberTypes.map(String) : [],
    isEnabled: role.isEnabled !== false,
  };
}

function toApplication(app: Record<string, unknown>): Application {
  const list = (value: unknown): Record<string, unknown>[] => (Array.isArray(value) ? value.filter(isRecord) : []);
  const text = (value: unknown): string | undefined => (typeof value === 'string' ? value : undefined);
  const optional = <K extends string>(key: K, value: unknown): { [P in K]?: string } =>
    (text(value) === undefined ? {} : { [key]: text(value) }) as { [P in K]?: string };
  return {
    id: String(app.id),
    appId: String(app.appId),
    displayName: text(app.displayName) ?? '',
    signInAudience: text(app.signInAudience) ?? '',
    requiredResourceAccess: list(app.requiredResourceAccess).map((entry) => ({
      resourceAppId: String(entry.resourceAppId),
      resourceAccess: list(entry.resourceAccess).map((access) => ({
        id: String(access.id),
        type: String(access.type),
      })),
    })),
    passwordCredentials: list(app.passwordCredentials).map((credential) => ({
      keyId: String(credential.keyId),
      ...optional('displayName', credential.displayName),
      ...optional('endDateTime', credential.endDateTime),
    })),
    keyCredentials: list(app.keyCredentials).map((credential) => ({
      keyId: String(credential.keyId),
      type: String(credential.type),
      usage: String(credential.usage),
      ...optional('key', credential.key),
      ...optional('displayName', credential.displayName),
      ...optional('endDateTime', credential.endDateTime),
      ...optional('customKeyIdentifier', credential.customKeyIdentifier),
    })),
    redirectUris: isRecord(app.web) && Array.isArray(app.web.redirectUris) ? app.web.redirectUris.map(String) : [],
  };
}

function toFederatedCredential(value: unknown): FederatedCredential {
  const credential = isRecord(value) ? value : {};
  return {
    id: String(credential.id),
    name: String(credential.name),
    issuer: String(credential.issuer),
    subject: String(credential.subject),
    audiences: Array.isArray(credential.audiences) ? credential.audiences.map(String) : [],
  };
}
