/**
 * The local stack's seed file: tenants, app registrations, managed identity, vault and Graph data.
 * (Types first; validation/loading is implemented below them.)
 */

/** A date column value in a seed may be relative to the stack's start: `today`, `today+3`, `today-2`
 *  (calendar days in the site's time zone). Absolute values are `YYYY-MM-DD` (dateOnly) or ISO instants. */
export type SeedFieldValue = string | number | boolean | null;

export interface SeedFile {
  readonly tenants: readonly TenantSeed[];
  readonly keyVault: KeyVaultSeed;
  readonly graph: GraphSeed;
  /** The function app: which managed identity the identity endpoint serves. */
  readonly functionApp: { readonly tenantId: string; readonly managedIdentityClientId: string };
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

export type KeyVaultRole = 'Key Vault Secrets User' | 'Key Vault Secrets Officer';

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
  readonly siteGrants?: readonly { readonly siteId: string; readonly appId: string; readonly roles: readonly ('read' | 'write')[] }[];
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

// ---------------------------------------------------------------------------------------------------
// Relative dates

/** A seed date resolved against the stack's start: a calendar date (date-only columns) or an instant. */
export type ResolvedSeedDate = { readonly kind: 'date'; readonly date: string } | { readonly kind: 'instant'; readonly instant: Date };

export class SeedError extends Error {
  readonly code = 'InvalidSeed';
  /** Field path of the offending value, e.g. `tenants[0].applications[1].clientId`. */
  readonly field: string;
  constructor(field: string, message: string, options?: { cause?: unknown }) {
    super(field === '' ? message : `${field}: ${message}`, options);
    this.name = 'SeedError';
    this.field = field;
  }
}

const relativeDatePattern = /^today(?:([+-])(\d{1,6}))?$/;
const calendarDatePattern = /^(\d{4})-(\d{2})-(\d{2})$/;
/** ISO 8601 instant with an explicit zone: `2026-12-01T07:00:00Z`, `2026-12-01T08:00:00.000+01:00`. */
const instantPattern = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:\d{2})$/;
const dayMs = 86_400_000;

/**
 * Resolves a seed date: `today`, `today+N`, `today-N` (calendar days in `timeZone`, counted from `now`),
 * `YYYY-MM-DD`, or an ISO instant with `Z` or an offset. Throws `SeedError` (field `''`) for anything else.
 */
export function resolveSeedDate(value: string, timeZone: string, now: Date): ResolvedSeedDate {
  const relative = relativeDatePattern.exec(value);
  if (relative) {
    const offsetDays = relative[2] === undefined ? 0 : Number(relative[2]) * (relative[1] === '-' ? -1 : 1);
    const today = calendarDateIn(now, timeZone);
    return { kind: 'date', date: new Date(Date.parse(`${today}T00:00:00Z`) + offsetDays * dayMs).toISOString().slice(0, 10) };
  }
  if (calendarDatePattern.test(value)) {
    if (!isCalendarDate(value)) throw new SeedError('', `"${value}" is not a calendar date`);
    return { kind: 'date', date: value };
  }
  if (instantPattern.test(value)) {
    const instant = new Date(value);
    if (!Number.isNaN(instant.getTime()) && isCalendarDate(value.slice(0, 10))) return { kind: 'instant', instant };
  }
  throw new SeedError(
    '',
    `"${value}" is not a date (expected today, today+N, today-N, YYYY-MM-DD or an ISO instant such as 2026-12-01T07:00:00Z)`,
  );
}

/** The calendar date (`YYYY-MM-DD`) of `instant` in an IANA time zone. */
function calendarDateIn(instant: Date, timeZone: string): string {
  let formatter: Intl.DateTimeFormat;
  try {
    formatter = new Intl.DateTimeFormat('en-US', { timeZone, year: 'numeric', month: '2-digit', day: '2-digit' });
  } catch (error) {
    throw new SeedError('', `"${timeZone}" is not an IANA time zone`, { cause: error });
  }
  const parts = formatter.formatToParts(instant);
  const part = (type: Intl.DateTimeFormatPartTypes): string => parts.find((candidate) => candidate.type === type)?.value ?? '';
  return `${part('year').padStart(4, '0')}-${part('month')}-${part('day')}`;
}

function isCalendarDate(value: string): boolean {
  const match = calendarDatePattern.exec(value);
  if (!match) return false;
  const [year, month, day] = [Number(match[1]), Number(match[2]), Number(match[3])];
  const date = new Date(Date.UTC(year, month - 1, day));
  return date.getUTCFullYear() === year && date.getUTCMonth() === month - 1 && date.getUTCDate() === day;
}
