/**
 * Directory objects in Microsoft Graph v1.0's JSON shapes: `application` (with `passwordCredentials`,
 * `keyCredentials`), `servicePrincipal`, `appRoleAssignment` and `federatedIdentityCredential`, with
 * `@odata.context`, and `$select` as Graph applies it. A secret's value (`secretText`) appears only in
 * the answer to addPassword; a certificate's `key` only on a single object read with
 * `$select=keyCredentials`, as on Graph.
 */
import type {
  AppRoleAssignmentRecord,
  ApplicationRecord,
  DirectoryCertificate,
  DirectoryClientSecret,
  FederatedIdentityCredential,
  ServicePrincipalRecord,
} from '../entra/directory-records.js';

export const GRAPH_METADATA = 'https://graph.microsoft.com/v1.0/$metadata';
/** Graph's date-times: UTC with a `Z`, whole seconds. */
export function graphDateTime(date: Date | undefined): string | null {
  return date === undefined ? null : date.toISOString().replace(/\.\d{3}Z$/, 'Z');
}

export type Json = Record<string, unknown>;

/** `$select` of one object (`applications?$select=id,appId` names properties); absent: every property. */
export function selected(object: Json, select: readonly string[] | undefined): Json {
  if (select === undefined) return object;
  return Object.fromEntries(Object.entries(object).filter(([key]) => key.startsWith('@') || select.includes(key)));
}

export function collection(context: string, items: readonly Json[]): Json {
  return { '@odata.context': `${GRAPH_METADATA}#${context}`, value: items };
}

export function passwordCredentialJson(secret: DirectoryClientSecret, secretText: string | null = null): Json {
  return {
    customKeyIdentifier: null,
    displayName: secret.displayName ?? null,
    endDateTime: graphDateTime(secret.expiresOn),
    hint: secret.value.slice(0, 3),
    keyId: secret.keyId,
    secretText,
    startDateTime: graphDateTime(secret.startsOn),
  };
}

export function keyCredentialJson(certificate: DirectoryCertificate, withKey: boolean): Json {
  return {
    customKeyIdentifier: certificate.customKeyIdentifier,
    displayName: certificate.displayName,
    endDateTime: graphDateTime(certificate.expiresOn),
    key: withKey ? certificate.der.toString('base64') : null,
    keyId: certificate.keyId,
    startDateTime: graphDateTime(certificate.notBefore),
    type: 'AsymmetricX509Cert',
    usage: 'Verify',
  };
}

export function applicationJson(application: ApplicationRecord, options: { readonly withKeys?: boolean } = {}): Json {
  return {
    id: application.id,
    deletedDateTime: null,
    appId: application.appId,
    applicationTemplateId: null,
    createdDateTime: graphDateTime(application.createdDateTime),
    description: application.description,
    disabledByMicrosoftStatus: null,
    displayName: application.displayName,
    groupMembershipClaims: null,
    identifierUris: [...application.identifierUris],
    isDeviceOnlyAuthSupported: null,
    isFallbackPublicClient: null,
    notes: null,
    publisherDomain: 'contoso.onmicrosoft.com',
    serviceManagementReference: null,
    signInAudience: application.signInAudience,
    tags: [],
    tokenEncryptionKeyId: null,
    uniqueName: application.uniqueName,
    api: {
      acceptMappedClaims: null,
      knownClientApplications: [],
      requestedAccessTokenVersion: null,
      oauth2PermissionScopes: [],
      preAuthorizedApplications: [],
    },
    appRoles: [],
    info: { logoUrl: null, marketingUrl: null, privacyStatementUrl: null, supportUrl: null, termsOfServiceUrl: null },
    keyCredentials: application.keyCredentials.map((key) => keyCredentialJson(key, options.withKeys === true)),
    passwordCredentials: application.passwordCredentials.map((secret) => passwordCredentialJson(secret)),
    publicClient: { redirectUris: [] },
    requiredResourceAccess: application.requiredResourceAccess.map((access) => ({
      resourceAppId: access.resourceAppId,
      resourceAccess: access.resourceAccess.map((entry) => ({ id: entry.id, type: entry.type })),
    })),
    spa: { redirectUris: [] },
    web: {
      homePageUrl: null,
      logoutUrl: null,
      redirectUris: [],
      implicitGrantSettings: { enableAccessTokenIssuance: false, enableIdTokenIssuance: false },
      redirectUriSettings: [],
    },
  };
}

export function servicePrincipalJson(servicePrincipal: ServicePrincipalRecord): Json {
  return {
    id: servicePrincipal.id,
    deletedDateTime: null,
    accountEnabled: true,
    alternativeNames: [],
    appDisplayName: servicePrincipal.displayName,
    appDescription: null,
    appId: servicePrincipal.appId,
    applicationTemplateId: null,
    appOwnerOrganizationId: servicePrincipal.appOwnerOrganizationId,
    appRoleAssignmentRequired: false,
    createdDateTime: graphDateTime(servicePrincipal.createdDateTime),
    description: null,
    displayName: servicePrincipal.displayName,
    homepage: null,
    notes: null,
    replyUrls: [],
    servicePrincipalNames: [...servicePrincipal.servicePrincipalNames],
    servicePrincipalType: servicePrincipal.servicePrincipalType,
    signInAudience: servicePrincipal.servicePrincipalType === 'ManagedIdentity' ? null : 'AzureADMyOrg',
    tags: [],
    appRoles: servicePrincipal.appRoles.map((role) => ({ ...role, allowedMemberTypes: [...role.allowedMemberTypes] })),
    keyCredentials: [],
    oauth2PermissionScopes: [],
    passwordCredentials: [],
  };
}

export function appRoleAssignmentJson(assignment: AppRoleAssignmentRecord): Json {
  return {
    id: assignment.id,
    deletedDateTime: null,
    appRoleId: assignment.appRoleId,
    createdDateTime: graphDateTime(assignment.createdDateTime),
    principalDisplayName: assignment.principalDisplayName,
    principalId: assignment.principalId,
    principalType: 'ServicePrincipal',
    resourceDisplayName: assignment.resourceDisplayName,
    resourceId: assignment.resourceId,
  };
}

export function federatedCredentialJson(credential: FederatedIdentityCredential): Json {
  return {
    id: credential.id,
    name: credential.name,
    issuer: credential.issuer,
    subject: credential.subject,
    description: credential.description,
    audiences: [...credential.audiences],
  };
}

export function entity(context: string, body: Json): Json {
  return { '@odata.context': `${GRAPH_METADATA}#${context}`, ...body };
}
