/**
 * The local stack's seed file, its shape: tenants, app registrations, managed identity, vault and Graph data.
 * seed-file.ts reads and validates one (seed-schema.ts, seed-references.ts); seed-dates.ts resolves its dates.
 */

/** A date column value in a seed may be relative to the stack's start: `today`, `today+3`, `today-2`
 *  (calendar days in the site's time zone). Absolute values are `YYYY-MM-DD` (dateOnly) or ISO instants. */
export type SeedFieldValue = string | number | boolean | null;

export interface SeedFile {
  readonly tenants: readonly TenantSeed[];
  readonly keyVault: KeyVaultSeed;
  readonly graph: GraphSeed;
  /** The function app: which managed identities the identity endpoint serves. */
  readonly functionApp: {
    readonly tenantId: string;
    /** Its system-assigned identity: served when a request names none. */
    readonly managedIdentityClientId: string;
    /** Client ids of user-assigned identities assigned to the app, served by `client_id` (or object id). */
    readonly userAssignedIdentityClientIds?: readonly string[];
  };
  /**
   * The operator who registers the daemon (`npm run register` against the stack): an app holding
   * Application.ReadWrite.All and AppRoleAssignment.ReadWrite.All (the tenant's admin, app-only), and one
   * holding no directory permission, to show the refusal a non-admin gets.
   */
  readonly operator?: { readonly adminClientId: string; readonly nonAdminClientId?: string };
  /** What the printed daemon settings point at. */
  readonly daemon: {
    readonly tenantId: string;
    readonly clientId: string;
    readonly credential: 'secret' | 'certificate';
    /** Vault secret holding the app's client secret or certificate (PEM). */
    readonly keyVaultSecretName: string;
    readonly siteId: string;
    readonly listId: string;
  };
  /** Lifetime of issued access tokens; default 3600. */
  readonly tokenLifetimeSeconds?: number;
}

export interface TenantSeed {
  /** GUID */
  readonly id: string;
  readonly displayName: string;
  readonly applications: readonly ApplicationSeed[];
  readonly managedIdentities: readonly ManagedIdentitySeed[];
}

export interface ApplicationSeed {
  readonly clientId: string;
  /** Object id of the app's service principal (the token's `oid`). */
  readonly objectId: string;
  readonly displayName: string;
  /** Application permissions granted with admin consent: the token's `roles` claim. */
  readonly appRoles: readonly string[];
  readonly secrets: readonly ClientSecretSeed[];
  readonly certificates: readonly ClientCertificateSeed[];
}

export interface ClientSecretSeed {
  readonly keyId: string;
  /** Absent: a random value is generated at start (preferred: nothing secret in the seed). */
  readonly value?: string;
  /** ISO instant; absent: never expires. */
  readonly expiresOn?: string;
  /** At start the value is stored in the vault under this secret name. */
  readonly keyVaultSecretName?: string;
}

/** A key pair and self-signed certificate are generated at start for each of these. */
export interface ClientCertificateSeed {
  readonly keyId: string;
  readonly subject: string;
  readonly expiresOn?: string;
  /** At start the certificate and its private key are stored in the vault as PEM (`application/x-pem-file`). */
  readonly keyVaultSecretName?: string;
}

export interface ManagedIdentitySeed {
  readonly clientId: string;
  readonly principalId: string;
  readonly displayName: string;
}

export type KeyVaultRole =
  'Key Vault Secrets User' | 'Key Vault Secrets Officer' | 'Key Vault Certificates Officer' | 'Key Vault Administrator';

export interface KeyVaultSeed {
  readonly name: string;
  readonly tenantId: string;
  /** RBAC: principals (object ids of service principals or managed identities) and their roles. */
  readonly roleAssignments: readonly { readonly principalId: string; readonly role: KeyVaultRole }[];
  readonly secrets: readonly KeyVaultSecretSeed[];
}

export interface KeyVaultSecretSeed {
  readonly name: string;
  readonly value: string;
  readonly contentType?: string;
  readonly enabled?: boolean;
  readonly expiresOn?: string;
  readonly notBefore?: string;
  readonly tags?: Readonly<Record<string, string>>;
}

export interface GraphSeed {
  readonly sites: readonly SiteSeed[];
  readonly users: readonly UserSeed[];
  /** `Sites.Selected` grants: which app may read (or write) which site. */
  readonly siteGrants?: readonly {
    readonly siteId: string;
    readonly appId: string;
    readonly roles: readonly ('read' | 'write')[];
  }[];
}

export interface UserSeed {
  readonly id: string;
  readonly userPrincipalName: string;
  readonly mail: string;
  readonly displayName: string;
}

export interface SiteSeed {
  /** Graph composite id: `{hostname},{siteCollectionId},{webId}`. */
  readonly id: string;
  readonly displayName: string;
  /** IANA zone of the site's regional settings: date-only columns are midnight in this zone. */
  readonly timeZone: string;
  readonly lists: readonly ListSeed[];
}

export type ColumnType = 'text' | 'number' | 'currency' | 'dateTime' | 'dateOnly' | 'choice' | 'boolean';

export interface ColumnSeed {
  readonly name: string;
  readonly type: ColumnType;
  /** Only indexed columns may be used in `$filter` without the `Prefer: HonorNonIndexedQueriesWarningMayFailRandomly` header. */
  readonly indexed?: boolean;
}

export interface ListItemSeed {
  /** Absent: sequential ids "1", "2", ... */
  readonly id?: string;
  readonly fields: Readonly<Record<string, SeedFieldValue>>;
}

/** Deterministic synthetic obligations, generated on demand (never all in memory). */
export interface ListGeneratorSeed {
  readonly count: number;
  readonly seed: number;
  /** First due date: `YYYY-MM-DD` or a relative `today±N`. */
  readonly from: string;
  /** Due dates are spread over this many days. */
  readonly days: number;
}

export interface ListSeed {
  readonly id: string;
  readonly displayName: string;
  readonly columns: readonly ColumnSeed[];
  readonly items?: readonly ListItemSeed[];
  readonly generate?: ListGeneratorSeed;
}
