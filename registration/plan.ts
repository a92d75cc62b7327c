/**
 * The registration's plan: the steps that take the directory and the vault from what they hold
 * (directory-state.ts) to what the spec asks for, computed without I/O. An empty plan means the
 * registration is already as asked, so a rerun writes nothing. `--dry-run` prints it; apply.ts runs it.
 */
import { createHash } from 'node:crypto';
import { RegistrationError } from './errors.js';
import type { AppRole, Application, DirectoryState, RequiredResourceAccess } from './directory-state.js';
import {
  federatedCredentialIssuer,
  federatedCredentialName,
  GRAPH_APP_ID,
  requiredPermissions,
  TOKEN_EXCHANGE_AUDIENCE,
} from './spec.js';
import type { RegistrationSpec } from './spec.js';

export type Step =
  | { readonly kind: 'createApplication' }
  | { readonly kind: 'updateApplication'; readonly properties: readonly string[] }
  | { readonly kind: 'createServicePrincipal' }
  | { readonly kind: 'grantAppRole'; readonly permission: string; readonly appRoleId: string }
  | { readonly kind: 'grantSite'; readonly siteId: string }
  | { readonly kind: 'addClientSecret'; readonly reason: string }
  | { readonly kind: 'createCertificate'; readonly reason: string }
  | { readonly kind: 'registerCertificate' }
  | { readonly kind: 'createFederatedCredential' }
  | { readonly kind: 'updateFederatedCredential'; readonly id: string };

export interface Plan {
  readonly steps: readonly Step[];
  /** Graph app role ids of the permissions, by value, from Graph's own service principal. */
  readonly appRoleIds: Readonly<Record<string, string>>;
}

const DAY_MS = 86_400_000;

export function planRegistration(spec: RegistrationSpec, state: DirectoryState, now: Date = new Date()): Plan {
  const appRoleIds = resolvePermissions(state.graph.appRoles, requiredPermissions(spec));
  const steps: Step[] = [];
  const app = state.application;
  if (!app) {
    steps.push({ kind: 'createApplication' });
  } else {
    const properties = applicationDifferences(spec, app, Object.values(appRoleIds));
    if (properties.length > 0) steps.push({ kind: 'updateApplication', properties });
  }
  if (!state.servicePrincipalId) steps.push({ kind: 'createServicePrincipal' });
  for (const [permission, appRoleId] of Object.entries(appRoleIds)) {
    if (!state.grantedAppRoleIds.includes(appRoleId)) steps.push({ kind: 'grantAppRole', permission, appRoleId });
  }
  if (spec.sitesPermission === 'Sites.Selected' && spec.siteId && state.siteGranted !== true) {
    steps.push({ kind: 'grantSite', siteId: spec.siteId });
  }
  steps.push(...credentialSteps(spec, state, now));
  return { steps, appRoleIds };
}

/** The application's body as the spec has it, keeping grants to other APIs than Graph. */
export function applicationBody(
  spec: RegistrationSpec,
  appRoleIds: readonly string[],
  current: readonly RequiredResourceAccess[] = [],
): Record<string, unknown> {
  return {
    displayName: spec.displayName,
    signInAudience: spec.signInAudience,
    requiredResourceAccess: [
      ...current.filter((entry) => entry.resourceAppId !== GRAPH_APP_ID),
      { resourceAppId: GRAPH_APP_ID, resourceAccess: appRoleIds.map((id) => ({ id, type: 'Role' })) },
    ],
    // A daemon signs no user in: no redirect URI.
    web: { redirectUris: [] },
  };
}

export function describeStep(step: Step, spec: RegistrationSpec): string {
  switch (step.kind) {
    case 'createApplication':
      return `create application '${spec.displayName}' (uniqueName ${spec.uniqueName}, ${spec.signInAudience}, no redirect URI, Graph application permissions ${requiredPermissions(spec).join(', ')})`;
    case 'updateApplication':
      return `update application '${spec.displayName}': ${step.properties.join(', ')}`;
    case 'createServicePrincipal':
      return 'create its service principal (the enterprise application)';
    case 'grantAppRole':
      return `grant admin consent for Microsoft Graph ${step.permission} (application permission, app role ${step.appRoleId})`;
    case 'grantSite':
      return `grant the app read access to site ${step.siteId} (Sites.Selected)`;
    case 'addClientSecret':
      return `add a client secret (expires in ${spec.secretLifetimeDays} days) and store it as a new version of secret '${spec.secretName}' in ${spec.keyVaultUrl} (${step.reason})`;
    case 'createCertificate':
      return `create certificate '${spec.certificateName}' in ${spec.keyVaultUrl} (self-signed, 12 months, PEM; ${step.reason})`;
    case 'registerCertificate':
      return `add the public part of certificate '${spec.certificateName}' to the app's keyCredentials`;
    case 'createFederatedCredential':
      return `add federated credential '${federatedCredentialName(spec)}': the managed identity ${spec.managedIdentity?.clientId} (principal ${spec.managedIdentity?.principalId}) signs in as the app`;
    case 'updateFederatedCredential':
      return `update federated credential '${federatedCredentialName(spec)}' to issuer ${federatedCredentialIssuer(spec)}, subject ${spec.managedIdentity?.principalId}, audience ${TOKEN_EXCHANGE_AUDIENCE}`;
  }
}

/** App role ids by value, from Graph's service principal; never hard-coded. */
function resolvePermissions(appRoles: readonly AppRole[], values: readonly string[]): Record<string, string> {
  const ids: Record<string, string> = {};
  for (const value of values) {
    const role = appRoles.find(
      (candidate) =>
        candidate.value === value && candidate.isEnabled && candidate.allowedMemberTypes.includes('Application'),
    );
    if (!role) {
      throw new RegistrationError(
        'PermissionUnknown',
        `Microsoft Graph's service principal in this tenant offers no application permission '${value}'; check the permission's name.`,
      );
    }
    ids[value] = role.id;
  }
  return ids;
}

function applicationDifferences(spec: RegistrationSpec, app: Application, appRoleIds: readonly string[]): string[] {
  const properties: string[] = [];
  if (app.displayName !== spec.displayName) properties.push('displayName');
  if (app.signInAudience !== spec.signInAudience) properties.push('signInAudience');
  const graphAccess = app.requiredResourceAccess.filter((entry) => entry.resourceAppId === GRAPH_APP_ID);
  const granted = new Set(
    graphAccess.flatMap((entry) => entry.resourceAccess.map((access) => `${access.type}:${access.id}`)),
  );
  const wanted = new Set(appRoleIds.map((id) => `Role:${id}`));
  if (graphAccess.length !== 1 || granted.size !== wanted.size || [...wanted].some((entry) => !granted.has(entry))) {
    properties.push('requiredResourceAccess');
  }
  if (app.redirectUris.length > 0) properties.push('web.redirectUris');
  return properties;
}

function credentialSteps(spec: RegistrationSpec, state: DirectoryState, now: Date): Step[] {
  const renewBefore = now.getTime() + spec.renewWithinDays * DAY_MS;
  switch (spec.credential) {
    case 'secret': {
      const reason = secretShortfall(state, renewBefore);
      return reason ? [{ kind: 'addClientSecret', reason }] : [];
    }
    case 'certificate': {
      const { certificate } = state;
      if (!certificate)
        return [{ kind: 'createCertificate', reason: 'the vault has none' }, { kind: 'registerCertificate' }];
      if (certificate.expiresOn && certificate.expiresOn.getTime() < renewBefore) {
        return [
          { kind: 'createCertificate', reason: `the current one expires ${certificate.expiresOn.toISOString()}` },
          { kind: 'registerCertificate' },
        ];
      }
      return isCertificateRegistered(state.application, certificate.cer) ? [] : [{ kind: 'registerCertificate' }];
    }
    case 'managed-identity': {
      const existing = state.federatedCredential;
      if (!existing) return [{ kind: 'createFederatedCredential' }];
      const same =
        existing.issuer === federatedCredentialIssuer(spec) &&
        existing.subject === spec.managedIdentity?.principalId &&
        existing.audiences.length === 1 &&
        existing.audiences[0] === TOKEN_EXCHANGE_AUDIENCE;
      return same ? [] : [{ kind: 'updateFederatedCredential', id: existing.id }];
    }
  }
}

/** Why a new client secret is needed, or undefined when the vault holds a current app password. */
function secretShortfall(state: DirectoryState, renewBefore: number): string | undefined {
  const { secret, application } = state;
  if (!secret) return 'the vault has none';
  if (!secret.enabled) return 'the stored version is disabled';
  const password = application?.passwordCredentials.find((credential) => credential.keyId === secret.passwordKeyId);
  if (!password) return 'the stored version is not a password of this app';
  const endsAt = password.endDateTime ? Date.parse(password.endDateTime) : Number.POSITIVE_INFINITY;
  if (endsAt < renewBefore) return `the stored one expires ${new Date(endsAt).toISOString()}`;
  return undefined;
}

/** Whether the app's keyCredentials hold this certificate (by its DER, or its SHA-1 thumbprint). */
export function isCertificateRegistered(app: Application | undefined, cer: Uint8Array): boolean {
  if (!app) return false;
  const der = Buffer.from(cer).toString('base64');
  const sha1 = createHash('sha1').update(cer).digest();
  return app.keyCredentials.some((credential) => {
    if (credential.key !== undefined) return credential.key === der;
    if (credential.customKeyIdentifier === undefined) return false;
    const identifier = Buffer.from(credential.customKeyIdentifier, 'base64');
    return (
      identifier.equals(sha1) || identifier.toString('latin1').toUpperCase() === sha1.toString('hex').toUpperCase()
    );
  });
}
