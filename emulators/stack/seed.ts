/**
 * The local stack's seed file: tenants, app registrations, managed identity, vault and Graph data.
 * (Types first; validation/loading is implemented below them.)
 */
import { readFile } from 'node:fs/promises';
import { z } from 'zod';
import { addDays, createZonedCalendar, isCalendarDate, parseGraphInstant } from '../graph/dates.js';
import type { ZonedCalendar } from '../graph/dates.js';

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

// ---------------------------------------------------------------------------------------------------
// Errors

export interface SeedIssue {
  /** Field path, e.g. `tenants[0].applications[1].clientId`; `''` for the file as a whole. */
  readonly field: string;
  readonly message: string;
}

export class SeedError extends Error {
  readonly code = 'InvalidSeed';
  /** Field path of the (first) offending value, e.g. `tenants[0].applications[1].clientId`. */
  readonly field: string;
  /** Every problem found, the first one being the one the message names. */
  readonly issues: readonly SeedIssue[];
  constructor(
    field: string,
    message: string,
    options?: { readonly source?: string; readonly issues?: readonly SeedIssue[]; readonly cause?: unknown },
  ) {
    const issues = options?.issues ?? [{ field, message }];
    const more = issues.length > 1 ? ` (and ${issues.length - 1} more problem${issues.length > 2 ? 's' : ''})` : '';
    const location = [options?.source, field].filter((part) => part !== undefined && part !== '').join(': ');
    super(`${location === '' ? '' : `${location}: `}${message}${more}`, { cause: options?.cause });
    this.name = 'SeedError';
    this.field = field;
    this.issues = issues;
  }
}

// ---------------------------------------------------------------------------------------------------
// Relative dates

/** A seed date resolved against the stack's start: a calendar date (date-only columns) or an instant. */
export type ResolvedSeedDate =
  { readonly kind: 'date'; readonly date: string } | { readonly kind: 'instant'; readonly instant: Date };

const RELATIVE_DATE_PATTERN = /^today(?:([+-])(\d{1,6}))?$/;

/**
 * Resolves a seed date: `today`, `today+N`, `today-N` (calendar days in `timeZone`, counted from `now`),
 * `YYYY-MM-DD`, or an ISO instant with `Z` or an offset. Throws `SeedError` (field `''`) for anything else.
 */
export function resolveSeedDate(value: string, timeZone: string, now: Date): ResolvedSeedDate {
  const relative = RELATIVE_DATE_PATTERN.exec(value);
  if (relative) {
    const offsetDays = relative[2] === undefined ? 0 : Number(relative[2]) * (relative[1] === '-' ? -1 : 1);
    return { kind: 'date', date: addDays(zonedCalendar(timeZone).dateOf(now.getTime()), offsetDays) };
  }
  if (isCalendarDate(value)) return { kind: 'date', date: value };
  const instant = parseGraphInstant(value);
  if (instant !== undefined) return { kind: 'instant', instant: new Date(instant) };
  throw new SeedError(
    '',
    `"${value}" is not a date (expected today, today+N, today-N, YYYY-MM-DD or an ISO instant such as 2026-12-01T07:00:00Z)`,
  );
}

function zonedCalendar(timeZone: string): ZonedCalendar {
  try {
    return createZonedCalendar(timeZone);
  } catch (error) {
    throw new SeedError('', `"${timeZone}" is not an IANA time zone`, { cause: error });
  }
}

function isInstant(value: string): boolean {
  return parseGraphInstant(value) !== undefined;
}

function isTimeZone(value: string): boolean {
  try {
    createZonedCalendar(value);
    return true;
  } catch {
    return false;
  }
}

// ---------------------------------------------------------------------------------------------------
// Validation and loading: zod checks the shapes (with field paths), then the cross-references are checked.

const guid = z.guid({ error: 'expected a GUID' });
const text = z.string({ error: 'expected a string' }).regex(/\S/, { error: 'expected a non-empty string' });
const instant = z.string({ error: 'expected a string' }).refine(isInstant, {
  error: 'expected an ISO instant such as 2027-12-31T23:59:59Z',
});
const seedDate = z.string({ error: 'expected a string' }).refine(
  (value) => {
    try {
      return resolveSeedDate(value, 'UTC', new Date()).kind === 'date';
    } catch {
      return false;
    }
  },
  { error: 'expected a date: today, today+N, today-N or YYYY-MM-DD' },
);
/** Key Vault object names: 1-127 letters, digits and dashes. */
const vaultSecretName = z.string().regex(/^[0-9A-Za-z-]{1,127}$/, {
  error: 'expected a Key Vault secret name (1-127 letters, digits and -)',
});
const GUID_PATTERN = '[0-9A-Fa-f]{8}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{12}';

const clientSecretSchema = z.strictObject({
  keyId: guid,
  value: text.optional(),
  expiresOn: instant.optional(),
  keyVaultSecretName: vaultSecretName.optional(),
});

const clientCertificateSchema = z.strictObject({
  keyId: guid,
  subject: z.string().regex(/^CN=\S/, { error: 'expected a distinguished name such as CN=due-notifier' }),
  expiresOn: instant.optional(),
  keyVaultSecretName: vaultSecretName.optional(),
});

const applicationSchema = z.strictObject({
  clientId: guid,
  objectId: guid,
  displayName: text,
  appRoles: z.array(
    z.string().regex(/^[A-Za-z][A-Za-z0-9.]*$/, { error: 'expected an app role such as Sites.Read.All' }),
  ),
  secrets: z.array(clientSecretSchema),
  certificates: z.array(clientCertificateSchema),
});

const tenantSchema = z.strictObject({
  id: guid,
  displayName: text,
  applications: z.array(applicationSchema),
  managedIdentities: z.array(z.strictObject({ clientId: guid, principalId: guid, displayName: text })),
});

const keyVaultSchema = z.strictObject({
  name: z.string().regex(/^[A-Za-z](?!.*--)[A-Za-z0-9-]{1,22}[A-Za-z0-9]$/, {
    error: 'expected a vault name (3-24 letters, digits and single dashes, starting with a letter)',
  }),
  tenantId: guid,
  roleAssignments: z.array(
    z.strictObject({
      principalId: guid,
      role: z.enum(
        [
          'Key Vault Secrets User',
          'Key Vault Secrets Officer',
          'Key Vault Certificates Officer',
          'Key Vault Administrator',
        ],
        {
          error:
            'expected "Key Vault Secrets User", "Key Vault Secrets Officer", "Key Vault Certificates Officer" or "Key Vault Administrator"',
        },
      ),
    }),
  ),
  secrets: z.array(
    z.strictObject({
      name: vaultSecretName,
      value: z.string({ error: 'expected a string' }),
      contentType: z.string().optional(),
      enabled: z.boolean().optional(),
      expiresOn: instant.optional(),
      notBefore: instant.optional(),
      tags: z.record(z.string(), z.string()).optional(),
    }),
  ),
});

const columnSchema = z.strictObject({
  name: z
    .string()
    .regex(/^[A-Za-z_][A-Za-z0-9_]{0,254}$/, { error: 'expected a column internal name (letters, digits, _)' }),
  type: z.enum(['text', 'number', 'currency', 'dateTime', 'dateOnly', 'choice', 'boolean'], {
    error: 'expected one of text, number, currency, dateTime, dateOnly, choice, boolean',
  }),
  indexed: z.boolean().optional(),
});

const listSchema = z.strictObject({
  id: guid,
  displayName: text,
  columns: z.array(columnSchema).min(1, { error: 'a list needs at least one column' }),
  items: z
    .array(
      z.strictObject({
        id: z
          .string()
          .regex(/^[1-9]\d*$/, { error: 'expected a positive integer as a string, e.g. "12"' })
          .optional(),
        fields: z.record(z.string(), z.union([z.string(), z.number(), z.boolean(), z.null()])),
      }),
    )
    .optional(),
  generate: z
    .strictObject({
      count: z.int().min(0).max(1_000_000),
      seed: z.int(),
      from: seedDate,
      days: z.int().min(1),
    })
    .optional(),
});

const graphSchema = z.strictObject({
  sites: z.array(
    z.strictObject({
      id: z.string().regex(new RegExp(`^[A-Za-z0-9.-]+,${GUID_PATTERN},${GUID_PATTERN}$`), {
        error: 'expected a Graph site id "{hostname},{siteCollectionId},{webId}"',
      }),
      displayName: text,
      timeZone: z.string().refine(isTimeZone, { error: 'expected an IANA time zone such as Europe/Berlin' }),
      lists: z.array(listSchema),
    }),
  ),
  users: z.array(
    z.strictObject({
      id: guid,
      userPrincipalName: z.email({ error: 'expected a user principal name such as name@contoso.com' }),
      mail: z.email({ error: 'expected an e-mail address' }),
      displayName: text,
    }),
  ),
  siteGrants: z
    .array(
      z.strictObject({
        siteId: text,
        appId: guid,
        roles: z.array(z.enum(['read', 'write'], { error: 'expected "read" or "write"' })).min(1),
      }),
    )
    .optional(),
});

const seedSchema = z.strictObject({
  tenants: z.array(tenantSchema).min(1, { error: 'at least one tenant is needed' }),
  keyVault: keyVaultSchema,
  graph: graphSchema,
  functionApp: z.strictObject({
    tenantId: guid,
    managedIdentityClientId: guid,
    userAssignedIdentityClientIds: z.array(guid).optional(),
  }),
  operator: z.strictObject({ adminClientId: guid, nonAdminClientId: guid.optional() }).optional(),
  daemon: z.strictObject({
    tenantId: guid,
    clientId: guid,
    credential: z.enum(['secret', 'certificate'], { error: 'expected "secret" or "certificate"' }),
    keyVaultSecretName: vaultSecretName,
    siteId: text,
    listId: guid,
  }),
  tokenLifetimeSeconds: z.int().min(1).max(86_400).optional(),
}) satisfies z.ZodType<SeedFile>;

/** Validates a parsed seed file; `source` (a path) prefixes the error message. Throws `SeedError`. */
export function parseSeed(json: unknown, source: string): SeedFile {
  const parsed = seedSchema.safeParse(json);
  if (!parsed.success) {
    throw seedErrorOf(
      parsed.error.issues.map((issue) => ({ field: formatFieldPath(issue.path), message: issue.message })),
      source,
    );
  }
  const issues = checkReferences(parsed.data);
  if (issues.length > 0) throw seedErrorOf(issues, source);
  return parsed.data;
}

function seedErrorOf(issues: readonly SeedIssue[], source: string): SeedError {
  const [first = { field: '', message: 'invalid seed' }] = issues;
  return new SeedError(first.field, first.message, { source, issues });
}

/** Reads and validates a seed file. Throws `SeedError` naming the file and the field. */
export async function loadSeedFile(path: string): Promise<SeedFile> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    const reason = error instanceof Error && 'code' in error ? String(error.code) : 'unreadable';
    throw new SeedError('', `cannot read the seed file (${reason})`, { source: path, cause: error });
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    throw new SeedError('', `not valid JSON (${error instanceof Error ? error.message : String(error)})`, {
      source: path,
      cause: error,
    });
  }
  return parseSeed(json, path);
}

function formatFieldPath(path: readonly PropertyKey[]): string {
  let formatted = '';
  for (const key of path) {
    if (typeof key === 'number') formatted += `[${key}]`;
    else if (typeof key === 'string' && /^[A-Za-z_$][\w$]*$/.test(key)) formatted += formatted === '' ? key : `.${key}`;
    else formatted += `[${JSON.stringify(String(key))}]`;
  }
  return formatted;
}

/** Cross-references the schema cannot see: ids that must exist, names that must be unique, item values. */
function checkReferences(seed: SeedFile): SeedIssue[] {
  const issues: SeedIssue[] = [];
  const report = (field: string, message: string): void => {
    issues.push({ field, message });
  };
  const firstSeen = new Map<string, string>();
  const unique = (kind: string, value: string, field: string): void => {
    const key = `${kind}\u0000${value.toLowerCase()}`;
    const previous = firstSeen.get(key);
    if (previous === undefined) firstSeen.set(key, field);
    else report(field, `duplicate ${kind} "${value}" (already used at ${previous})`);
  };

  seed.tenants.forEach((tenant, t) => {
    unique('tenant id', tenant.id, `tenants[${t}].id`);
    tenant.applications.forEach((app, a) => {
      const at = `tenants[${t}].applications[${a}]`;
      unique('client id', app.clientId, `${at}.clientId`);
      unique('object id', app.objectId, `${at}.objectId`);
      app.secrets.forEach((secret, s) => {
        unique(`key id of ${app.displayName}`, secret.keyId, `${at}.secrets[${s}].keyId`);
        if (secret.keyVaultSecretName !== undefined) {
          unique('vault secret name', secret.keyVaultSecretName, `${at}.secrets[${s}].keyVaultSecretName`);
        }
      });
      app.certificates.forEach((certificate, c) => {
        unique(`key id of ${app.displayName}`, certificate.keyId, `${at}.certificates[${c}].keyId`);
        if (certificate.keyVaultSecretName !== undefined) {
          unique('vault secret name', certificate.keyVaultSecretName, `${at}.certificates[${c}].keyVaultSecretName`);
        }
      });
    });
    tenant.managedIdentities.forEach((identity, m) => {
      unique('client id', identity.clientId, `tenants[${t}].managedIdentities[${m}].clientId`);
      unique('object id', identity.principalId, `tenants[${t}].managedIdentities[${m}].principalId`);
    });
  });

  const tenantOf = (id: string): TenantSeed | undefined =>
    seed.tenants.find((tenant) => tenant.id.toLowerCase() === id.toLowerCase());
  const sameId = (left: string, right: string): boolean => left.toLowerCase() === right.toLowerCase();

  const functionAppTenant = tenantOf(seed.functionApp.tenantId);
  if (!functionAppTenant) report('functionApp.tenantId', `no tenant has the id ${seed.functionApp.tenantId}`);
  else if (
    !functionAppTenant.managedIdentities.some((mi) => sameId(mi.clientId, seed.functionApp.managedIdentityClientId))
  ) {
    report(
      'functionApp.managedIdentityClientId',
      `no managed identity of tenant ${functionAppTenant.id} has this client id`,
    );
  }

  seed.functionApp.userAssignedIdentityClientIds?.forEach((clientId, index) => {
    if (!functionAppTenant?.managedIdentities.some((mi) => sameId(mi.clientId, clientId))) {
      report(
        `functionApp.userAssignedIdentityClientIds[${index}]`,
        'no managed identity of the tenant has this client id',
      );
    }
  });
  const allClientIds = seed.tenants.flatMap((tenant) => tenant.applications.map((app) => app.clientId));
  for (const [key, clientId] of Object.entries(seed.operator ?? {})) {
    if (!allClientIds.some((candidate) => sameId(candidate, clientId))) {
      report(`operator.${key}`, 'no application has this client id');
    }
  }

  const vaultTenant = tenantOf(seed.keyVault.tenantId);
  if (!vaultTenant) report('keyVault.tenantId', `no tenant has the id ${seed.keyVault.tenantId}`);
  else {
    const principals = [
      ...vaultTenant.applications.map((app) => app.objectId),
      ...vaultTenant.managedIdentities.map((mi) => mi.principalId),
    ];
    seed.keyVault.roleAssignments.forEach((assignment, r) => {
      if (!principals.some((principal) => sameId(principal, assignment.principalId))) {
        report(
          `keyVault.roleAssignments[${r}].principalId`,
          `no application objectId or managed identity principalId of tenant ${vaultTenant.id} matches`,
        );
      }
    });
  }
  seed.keyVault.secrets.forEach((secret, s) => unique('vault secret name', secret.name, `keyVault.secrets[${s}].name`));

  checkDaemon(seed, tenantOf, report);
  checkGraph(seed, unique, report);
  return issues;
}

function checkDaemon(
  seed: SeedFile,
  tenantOf: (id: string) => TenantSeed | undefined,
  report: (field: string, message: string) => void,
): void {
  const { daemon } = seed;
  const tenant = tenantOf(daemon.tenantId);
  if (!tenant) {
    report('daemon.tenantId', `no tenant has the id ${daemon.tenantId}`);
    return;
  }
  const app = tenant.applications.find(
    (candidate) => candidate.clientId.toLowerCase() === daemon.clientId.toLowerCase(),
  );
  if (!app) report('daemon.clientId', `no application of tenant ${tenant.id} has this client id`);
  else {
    const credentials = daemon.credential === 'secret' ? app.secrets : app.certificates;
    const storedByApp = credentials.some((credential) => credential.keyVaultSecretName === daemon.keyVaultSecretName);
    const seededInVault = seed.keyVault.secrets.some((secret) => secret.name === daemon.keyVaultSecretName);
    if (!storedByApp && !seededInVault) {
      report(
        'daemon.keyVaultSecretName',
        `no ${daemon.credential} of ${app.displayName} is stored under "${daemon.keyVaultSecretName}" ` +
          `(set keyVaultSecretName on one of its ${daemon.credential === 'secret' ? 'secrets' : 'certificates'})`,
      );
    }
  }
  const site = seed.graph.sites.find((candidate) => candidate.id === daemon.siteId);
  if (!site) report('daemon.siteId', `no site in graph.sites has the id ${daemon.siteId}`);
  else if (!site.lists.some((list) => list.id.toLowerCase() === daemon.listId.toLowerCase())) {
    report('daemon.listId', `site ${site.displayName} has no list with this id`);
  }
}

function checkGraph(
  seed: SeedFile,
  unique: (kind: string, value: string, field: string) => void,
  report: (field: string, message: string) => void,
): void {
  const now = new Date();
  seed.graph.sites.forEach((site, s) => {
    const at = `graph.sites[${s}]`;
    unique('site id', site.id, `${at}.id`);
    site.lists.forEach((list, l) => {
      const listAt = `${at}.lists[${l}]`;
      unique(`list id in site ${site.id}`, list.id, `${listAt}.id`);
      const columns = new Map<string, ColumnSeed>();
      list.columns.forEach((column, c) => {
        unique(`column of list ${list.id}`, column.name, `${listAt}.columns[${c}].name`);
        columns.set(column.name, column);
      });
      list.items?.forEach((item, i) => {
        if (item.id !== undefined) unique(`item id of list ${list.id}`, item.id, `${listAt}.items[${i}].id`);
        for (const [name, value] of Object.entries(item.fields)) {
          const field = `${listAt}.items[${i}].fields${/^[A-Za-z_]\w*$/.test(name) ? `.${name}` : `[${JSON.stringify(name)}]`}`;
          const column = columns.get(name);
          if (!column) report(field, `the list has no column "${name}"`);
          else {
            const problem = checkFieldValue(column.type, value, site.timeZone, now);
            if (problem !== undefined) report(field, problem);
          }
        }
      });
    });
  });
  seed.graph.users.forEach((user, u) => {
    unique('user id', user.id, `graph.users[${u}].id`);
    unique('user principal name', user.userPrincipalName, `graph.users[${u}].userPrincipalName`);
  });
  const clientIds = seed.tenants.flatMap((tenant) => tenant.applications.map((app) => app.clientId.toLowerCase()));
  seed.graph.siteGrants?.forEach((grant, g) => {
    if (!seed.graph.sites.some((site) => site.id === grant.siteId)) {
      report(`graph.siteGrants[${g}].siteId`, `no site in graph.sites has the id ${grant.siteId}`);
    }
    if (!clientIds.includes(grant.appId.toLowerCase())) {
      report(`graph.siteGrants[${g}].appId`, 'no application has this client id');
    }
  });
}

/** `undefined` when `value` fits the column type; null is always allowed (an empty field). */
function checkFieldValue(type: ColumnType, value: SeedFieldValue, timeZone: string, now: Date): string | undefined {
  if (value === null) return undefined;
  switch (type) {
    case 'text':
    case 'choice':
      return typeof value === 'string' ? undefined : `expected a string for a ${type} column`;
    case 'number':
    case 'currency':
      return typeof value === 'number' ? undefined : `expected a number for a ${type} column`;
    case 'boolean':
      return typeof value === 'boolean' ? undefined : 'expected true or false for a boolean column';
    case 'dateOnly':
    case 'dateTime': {
      const expected =
        type === 'dateOnly'
          ? 'expected a date for a dateOnly column: today, today+N, today-N or YYYY-MM-DD'
          : 'expected a date or instant for a dateTime column: today±N, YYYY-MM-DD or an ISO instant';
      if (typeof value !== 'string') return expected;
      try {
        const resolved = resolveSeedDate(value, timeZone, now);
        return type === 'dateOnly' && resolved.kind !== 'date' ? expected : undefined;
      } catch {
        return expected;
      }
    }
  }
}
