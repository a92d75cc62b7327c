/**
 * What the registration should look like: the daemon's app registration, its Graph application
 * permissions, its credential mode and where the credential lives. The command line fills it in; the
 * plan compares it with what the directory and the vault hold.
 */
export type CredentialMode = 'secret' | 'certificate' | 'managed-identity';

export const CREDENTIAL_MODES: readonly CredentialMode[] = ['secret', 'certificate', 'managed-identity'];

/** Microsoft Graph's application id, the same in every tenant. */
export const GRAPH_APP_ID = '00000003-0000-0000-c000-000000000000';

/** The audience of a federated credential for a managed identity in Azure's public cloud. */
export const TOKEN_EXCHANGE_AUDIENCE = 'api://AzureADTokenExchange';

export type SitesPermission = 'Sites.Read.All' | 'Sites.Selected';

export interface RegistrationSpec {
  /** Directory (tenant) id: a GUID (the federated credential's issuer names it). */
  readonly tenantId: string;
  /** The application's alternate key: how a rerun finds it again. */
  readonly uniqueName: string;
  readonly displayName: string;
  /** `AzureADMyOrg` (single tenant) or `AzureADMultipleOrgs` (an ISV's app, consented in each tenant). */
  readonly signInAudience: 'AzureADMyOrg' | 'AzureADMultipleOrgs';
  readonly sitesPermission: SitesPermission;
  /** The obligations site: granted read access under Sites.Selected; printed as OBLIGATIONS_SITE_ID. */
  readonly siteId?: string;
  readonly credential: CredentialMode;
  /** The vault of the secret or certificate (not used by managed-identity). */
  readonly keyVaultUrl?: string;
  readonly secretName: string;
  readonly certificateName: string;
  /** A new client secret's lifetime; a stored one is renewed when it has less than `renewWithinDays` left. */
  readonly secretLifetimeDays: number;
  readonly renewWithinDays: number;
  /** The user-assigned identity the function app runs as (managed-identity mode). */
  readonly managedIdentity?: { readonly clientId: string; readonly principalId: string };
  /** e.g. `https://login.microsoftonline.com`: the federated credential's issuer is under it. */
  readonly authorityHost: string;
  readonly graphBaseUrl: string;
}

/** The application permissions the daemon needs, by Graph app role value. */
export function requiredPermissions(spec: Pick<RegistrationSpec, 'sitesPermission'>): readonly string[] {
  return [spec.sitesPermission, 'Mail.Send'];
}

/** The federated credential's name on the app (unique per app, immutable). */
export function federatedCredentialName(spec: Pick<RegistrationSpec, 'uniqueName'>): string {
  return `${spec.uniqueName}-managed-identity`;
}

/** The issuer of a managed identity's token in this tenant: `{authority}/{tenant}/v2.0`. */
export function federatedCredentialIssuer(spec: Pick<RegistrationSpec, 'authorityHost' | 'tenantId'>): string {
  return `${new URL(spec.authorityHost).origin}/${spec.tenantId}/v2.0`;
}

/** The display name of the app passwords and certificates the registration adds. */
export function credentialDisplayName(spec: RegistrationSpec): string {
  return spec.credential === 'certificate'
    ? `${spec.uniqueName} (Key Vault certificate ${spec.certificateName})`
    : `${spec.uniqueName} (Key Vault secret ${spec.secretName})`;
}
