/**
 * The seed file's shape as a zod schema: each value checked where it stands, with its field path
 * (seed-references.ts checks what refers to what).
 */
import { z } from 'zod';
import type { SeedFile } from './seed.js';
import { isInstant, isTimeZone, resolveSeedDate } from './seed-dates.js';

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

/** The whole seed file. */
export const seedSchema = z.strictObject({
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
