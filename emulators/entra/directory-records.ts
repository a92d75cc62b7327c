/**
 * The objects of the emulated Entra ID directory, as the Graph emulator and the token endpoint see them:
 * tenants, app registrations (Graph's `application` objects with their password credentials, key credentials
 * and federated identity credentials), service principals, app role assignments, sign-ins and managed
 * identities; and the directory's error with Graph's reasons for refusing a change.
 */
import type { CertificateFacts } from '../stack/self-signed-certificate.js';
import type { AppRole } from './first-party-apps.js';

export interface DirectoryTenant {
  readonly id: string;
  readonly displayName: string;
}

/** A password credential (client secret). */
export interface DirectoryClientSecret {
  readonly keyId: string;
  readonly value: string;
  readonly displayName?: string;
  readonly startsOn?: Date;
  readonly expiresOn?: Date;
}

/** A key credential (certificate); the private key is known only for certificates the directory made itself. */
export interface DirectoryCertificate extends CertificateFacts {
  readonly keyId: string;
  /** DER of the certificate: Graph's `key`. */
  readonly der: Buffer;
  readonly certificatePem: string;
  /** PKCS#8 PEM, for seeded certificates only. */
  readonly privateKeyPem?: string;
  readonly displayName: string;
  /** Graph's `customKeyIdentifier` (base64), by default the SHA-1 thumbprint. */
  readonly customKeyIdentifier: string;
}

export interface FederatedIdentityCredential {
  readonly id: string;
  name: string;
  issuer: string;
  subject: string;
  audiences: string[];
  description: string | null;
}

export interface RequiredResourceAccess {
  readonly resourceAppId: string;
  readonly resourceAccess: readonly { readonly id: string; readonly type: 'Role' | 'Scope' }[];
}

/** Graph's `application` object, held mutable: the Graph emulator's PATCH changes it in place. */
export interface ApplicationRecord {
  readonly id: string;
  readonly appId: string;
  readonly tenantId: string;
  readonly createdDateTime: Date;
  displayName: string;
  description: string | null;
  uniqueName: string | null;
  signInAudience: string;
  identifierUris: string[];
  requiredResourceAccess: RequiredResourceAccess[];
  passwordCredentials: DirectoryClientSecret[];
  keyCredentials: DirectoryCertificate[];
  federatedIdentityCredentials: FederatedIdentityCredential[];
}

export interface ServicePrincipalRecord {
  readonly id: string;
  readonly appId: string;
  readonly tenantId: string;
  readonly createdDateTime: Date;
  readonly displayName: string;
  readonly servicePrincipalType: 'Application' | 'ManagedIdentity';
  /** The tenant that registered the application (Microsoft's for first-party apps). */
  readonly appOwnerOrganizationId: string;
  readonly servicePrincipalNames: readonly string[];
  readonly appRoles: readonly AppRole[];
}

export interface AppRoleAssignmentRecord {
  readonly id: string;
  readonly tenantId: string;
  readonly createdDateTime: Date;
  readonly principalId: string;
  readonly principalDisplayName: string;
  readonly resourceId: string;
  readonly resourceDisplayName: string;
  readonly appRoleId: string;
}

export type ClientSecretCheck = 'valid' | 'expired' | 'invalid';

/** A successful app-only sign-in as Entra ID logs it (Graph beta `signIn`, `signInEventTypes` servicePrincipal). */
export interface SignInRecord {
  readonly id: string;
  readonly createdDateTime: Date;
  readonly appId: string;
  readonly appDisplayName: string;
  readonly servicePrincipalId: string;
  /** The resource the token is for (its URI, e.g. `https://graph.microsoft.com`). */
  readonly resource: string;
  readonly clientCredentialType: 'clientSecret' | 'certificate' | 'federatedIdentityCredential';
  /** keyId of the password or key credential used; for a federated credential, its id. */
  readonly credentialKeyId: string;
  readonly credentialThumbprint?: string;
}

/** An application as the token endpoint sees it in one tenant. */
export interface DirectoryApplication {
  readonly tenantId: string;
  readonly clientId: string;
  /** Object id of the app's service principal in this tenant; empty while it has none. */
  readonly objectId: string;
  readonly hasServicePrincipal: boolean;
  readonly displayName: string;
  /** Values of the Microsoft Graph app roles assigned to its service principal (admin consent). */
  readonly appRoles: readonly string[];
  /** The secrets currently registered (rotation adds, revocation removes). */
  readonly secrets: readonly DirectoryClientSecret[];
  readonly certificates: readonly DirectoryCertificate[];
  readonly federatedIdentityCredentials: readonly FederatedIdentityCredential[];
  /** Compares in constant time against every registered secret; expiry is judged by the directory's clock. */
  checkSecret(presented: string): ClientSecretCheck;
  /** keyId of the registered secret with this value (for the sign-in log). */
  secretKeyId(presented: string): string | undefined;
  /** The registered certificate with this SHA-256 or SHA-1 thumbprint (raw digest bytes). */
  findCertificate(thumbprint: { readonly sha256?: Buffer; readonly sha1?: Buffer }): DirectoryCertificate | undefined;
}

export interface DirectoryManagedIdentity {
  readonly tenantId: string;
  readonly clientId: string;
  readonly principalId: string;
  readonly displayName: string;
}

export interface VaultCredential {
  readonly secretName: string;
  readonly value: string;
  readonly contentType?: string;
  readonly expiresOn?: Date;
}

export interface NewApplication {
  readonly displayName: string;
  readonly description?: string | null;
  readonly uniqueName?: string | null;
  readonly signInAudience?: string;
  readonly identifierUris?: readonly string[];
  readonly requiredResourceAccess?: readonly RequiredResourceAccess[];
}

/** An app role assignment to make: `principalId` gets the role `appRoleId` of the resource `resourceId`. */
export interface NewAppRoleAssignment {
  readonly principalId: string;
  readonly resourceId: string;
  readonly appRoleId: string;
}

export type DirectoryErrorCode =
  | 'UnknownApplication'
  | 'UnregisteredAppId'
  | 'UnknownSecret'
  | 'UnknownServicePrincipal'
  | 'UnknownAppRole'
  | 'DuplicateServicePrincipal'
  | 'DuplicateAssignment'
  | 'InvalidCertificate'
  | 'InvalidSeed';

export class DirectoryError extends Error {
  readonly code: DirectoryErrorCode;
  constructor(code: DirectoryErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'DirectoryError';
    this.code = code;
  }
}
