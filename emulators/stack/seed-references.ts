/**
 * The seed file's cross-references, which the schema cannot see: ids that must exist (tenants, managed
 * identities, applications, sites, lists, columns), names that must be unique, and item values that must
 * fit their column's type.
 */
import type { ColumnSeed, ColumnType, SeedFieldValue, SeedFile, TenantSeed } from './seed.js';
import type { SeedIssue } from './seed-error.js';
import { resolveSeedDate } from './seed-dates.js';

/** Cross-references the schema cannot see: ids that must exist, names that must be unique, item values. */
export function checkReferences(seed: SeedFile): SeedIssue[] {
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
