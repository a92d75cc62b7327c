import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { loadSeedFile, parseSeed } from '../../../emulators/stack/seed-file.js';
import { resolveSeedDate } from '../../../emulators/stack/seed-dates.js';
import { SeedError } from '../../../emulators/stack/seed-error.js';

const DEMO_SEED_PATH = fileURLToPath(new URL('../../../emulators/data/demo-seed.json', import.meta.url));

type Json = Record<string, unknown>;

/** The demo seed as plain JSON, changed by `edit`. */
async function demoWith(edit: (seed: Json) => void): Promise<unknown> {
  const seed = structuredClone(await loadSeedFile(DEMO_SEED_PATH)) as unknown as Json;
  edit(seed);
  return seed;
}

function at(value: unknown, ...path: (string | number)[]): Json {
  let current = value;
  for (const key of path) current = (current as Json)[key];
  return current as Json;
}

function seedErrorOf(json: unknown): SeedError {
  try {
    parseSeed(json, 'seed.json');
  } catch (error) {
    if (error instanceof SeedError) return error;
    throw error;
  }
  throw new Error('the seed was accepted');
}

describe('parseSeed', () => {
  it('accepts the demo seed', async () => {
    const seed = await loadSeedFile(DEMO_SEED_PATH);
    expect(seed.daemon.keyVaultSecretName).toBe('due-notifier-client-secret');
    expect(seed.graph.sites[0]?.lists[0]?.items?.length).toBeGreaterThanOrEqual(30);
  });

  it.each<[string, (seed: Json) => void, string, string]>([
    [
      'a client id that is not a GUID',
      (seed) => (at(seed, 'tenants', 0, 'applications', 1).clientId = 'reporting'),
      'tenants[0].applications[1].clientId',
      'expected a GUID',
    ],
    [
      'a misspelt key',
      (seed) => (at(seed, 'tenants', 0, 'applications', 0).appRole = []),
      'tenants[0].applications[0]',
      'appRole',
    ],
    ['a missing section', (seed) => delete seed.keyVault, 'keyVault', 'expected object'],
    [
      'a bad secret expiry',
      (seed) => (at(seed, 'tenants', 0, 'applications', 0, 'secrets', 0).expiresOn = 'tomorrow'),
      'tenants[0].applications[0].secrets[0].expiresOn',
      'expected an ISO instant',
    ],
    [
      'an unknown time zone',
      (seed) => (at(seed, 'graph', 'sites', 0).timeZone = 'Europe/Atlantis'),
      'graph.sites[0].timeZone',
      'expected an IANA time zone',
    ],
    [
      'a daemon client id no app has',
      (seed) => (at(seed, 'daemon').clientId = '00000000-0000-0000-0000-000000000001'),
      'daemon.clientId',
      'no application of tenant',
    ],
    [
      'a daemon vault secret no credential is stored under',
      (seed) => (at(seed, 'daemon').keyVaultSecretName = 'other-secret'),
      'daemon.keyVaultSecretName',
      'no secret of due-notifier is stored under "other-secret"',
    ],
    [
      'a daemon certificate credential pointing at the secret',
      (seed) => (at(seed, 'daemon').credential = 'certificate'),
      'daemon.keyVaultSecretName',
      'no certificate of due-notifier is stored under "due-notifier-client-secret"',
    ],
    [
      'an unknown site',
      (seed) =>
        (at(seed, 'daemon').siteId =
          'contoso.sharepoint.com,00000000-0000-0000-0000-000000000001,00000000-0000-0000-0000-000000000002'),
      'daemon.siteId',
      'no site in graph.sites',
    ],
    [
      'an unknown list',
      (seed) => (at(seed, 'daemon').listId = '00000000-0000-0000-0000-000000000003'),
      'daemon.listId',
      'has no list with this id',
    ],
    [
      'a function app identity that does not exist',
      (seed) => (at(seed, 'functionApp').managedIdentityClientId = '00000000-0000-0000-0000-000000000004'),
      'functionApp.managedIdentityClientId',
      'no managed identity',
    ],
    [
      'a role assignment for an unknown principal',
      (seed) => (at(seed, 'keyVault', 'roleAssignments', 0).principalId = '00000000-0000-0000-0000-000000000005'),
      'keyVault.roleAssignments[0].principalId',
      'no application objectId or managed identity principalId',
    ],
    [
      'a role that does not exist',
      (seed) => (at(seed, 'keyVault', 'roleAssignments', 0).role = 'Owner'),
      'keyVault.roleAssignments[0].role',
      'expected "Key Vault Secrets User", "Key Vault Secrets Officer", "Key Vault Certificates Officer" or "Key Vault Administrator"',
    ],
    [
      'an item field without a column',
      (seed) => (at(seed, 'graph', 'sites', 0, 'lists', 0, 'items', 2, 'fields').Amount = 5),
      'graph.sites[0].lists[0].items[2].fields.Amount',
      'the list has no column "Amount"',
    ],
    [
      'a bad relative date',
      (seed) => (at(seed, 'graph', 'sites', 0, 'lists', 0, 'items', 4, 'fields').DueDate = 'today+x'),
      'graph.sites[0].lists[0].items[4].fields.DueDate',
      'expected a date for a dateOnly column',
    ],
    [
      'an instant in a date-only column',
      (seed) => (at(seed, 'graph', 'sites', 0, 'lists', 0, 'items', 4, 'fields').DueDate = '2026-12-01T00:00:00Z'),
      'graph.sites[0].lists[0].items[4].fields.DueDate',
      'expected a date for a dateOnly column',
    ],
    [
      'text in a currency column',
      (seed) => (at(seed, 'graph', 'sites', 0, 'lists', 0, 'items', 0, 'fields').AmountDue = '12.50'),
      'graph.sites[0].lists[0].items[0].fields.AmountDue',
      'expected a number for a currency column',
    ],
    [
      'two credentials stored under one vault secret',
      (seed) =>
        (at(seed, 'tenants', 0, 'applications', 1, 'secrets', 0).keyVaultSecretName = 'due-notifier-client-secret'),
      'tenants[0].applications[1].secrets[0].keyVaultSecretName',
      'duplicate vault secret name "due-notifier-client-secret" (already used at tenants[0].applications[0].secrets[0].keyVaultSecretName)',
    ],
    [
      'a Sites.Selected grant for an unknown app',
      (seed) =>
        (at(seed, 'graph').siteGrants = [
          { siteId: at(seed, 'daemon').siteId, appId: '00000000-0000-0000-0000-000000000006', roles: ['read'] },
        ]),
      'graph.siteGrants[0].appId',
      'no application has this client id',
    ],
    [
      'a generator with a bad start date',
      (seed) =>
        (at(seed, 'graph', 'sites', 0, 'lists', 0).generate = { count: 10, seed: 1, from: 'yesterday', days: 5 }),
      'graph.sites[0].lists[0].generate.from',
      'expected a date',
    ],
  ])('rejects %s, naming the field', async (_case, edit, field, message) => {
    const error = seedErrorOf(await demoWith(edit));
    expect(error.code).toBe('InvalidSeed');
    expect(error.field).toBe(field);
    expect(error.message).toContain(`seed.json: ${field}: `);
    expect(error.message).toContain(message);
    expect(error.message).not.toContain('\n');
  });

  it('lists every problem and counts the others in the message', async () => {
    const error = seedErrorOf(
      await demoWith((seed) => {
        at(seed, 'tenants', 0).id = 'x';
        at(seed, 'tenants', 0, 'applications', 0).objectId = 'y';
      }),
    );
    expect(error.issues.map((issue) => issue.field)).toEqual(['tenants[0].id', 'tenants[0].applications[0].objectId']);
    expect(error.message).toMatch(/\(and 1 more problem\)$/);
  });
});

describe('loadSeedFile', () => {
  it('names the file for a missing file and for bad JSON', async () => {
    const directory = await mkdtemp(join(tmpdir(), 'seed-'));
    try {
      const missing = join(directory, 'missing.json');
      await expect(loadSeedFile(missing)).rejects.toThrow(`${missing}: cannot read the seed file (ENOENT)`);
      const broken = join(directory, 'broken.json');
      await writeFile(broken, '{ "tenants": [ ');
      await expect(loadSeedFile(broken)).rejects.toThrow(`${broken}: not valid JSON`);
    } finally {
      await rm(directory, { recursive: true, force: true });
    }
  });
});

describe('resolveSeedDate', () => {
  // 23:30 UTC on 30 November is already 1 December in Berlin.
  const now = new Date('2026-11-30T23:30:00Z');

  it.each([
    ['today', { kind: 'date', date: '2026-12-01' }],
    ['today+7', { kind: 'date', date: '2026-12-08' }],
    ['today-1', { kind: 'date', date: '2026-11-30' }],
    ['today+31', { kind: 'date', date: '2027-01-01' }],
    ['2028-02-29', { kind: 'date', date: '2028-02-29' }],
    ['2026-12-01T07:00:00Z', { kind: 'instant', instant: new Date('2026-12-01T07:00:00Z') }],
    ['2026-12-01T08:00:00.5+01:00', { kind: 'instant', instant: new Date('2026-12-01T07:00:00.500Z') }],
  ])('resolves %s in the site time zone', (value, expected) => {
    expect(resolveSeedDate(value, 'Europe/Berlin', now)).toEqual(expected);
  });

  it('counts calendar days in the given zone', () => {
    expect(resolveSeedDate('today', 'America/New_York', now)).toEqual({ kind: 'date', date: '2026-11-30' });
  });

  it.each(['tomorrow', 'today+', 'today+1d', '2026-02-29', '2026-13-01', '2026-12-01T07:00:00', ''])(
    'rejects %j',
    (value) => {
      expect(() => resolveSeedDate(value, 'Europe/Berlin', now)).toThrow(SeedError);
    },
  );

  it('rejects an unknown time zone with a SeedError', () => {
    expect(() => resolveSeedDate('today', 'Mars/Olympus', now)).toThrow('"Mars/Olympus" is not an IANA time zone');
  });
});
