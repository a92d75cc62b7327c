/**
 * Role assignments in infra/ use built-in role definition ids by name, from one table in
 * infra/app/rbac.bicep that must match this one (ids checked against Microsoft's built-in roles list),
 * and no GUID appears in the templates that is neither a role in this table nor Microsoft Graph's app id.
 */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { REPO_ROOT } from '../scripts/run-command.js';
import { bicepFiles, declaration, objectProperties, readBicep, stringValue } from '../support/bicep.js';

/** Azure built-in roles (learn.microsoft.com, "Azure built-in roles"), by name. */
const BUILT_IN_ROLES: Readonly<Record<string, string>> = {
  'Storage Blob Data Owner': 'b7e6dc6d-f1e8-4753-8033-0f276bb0955b',
  'Storage Queue Data Contributor': '974c5e8b-45b9-4653-ba55-5f855dd0fb88',
  'Storage Table Data Contributor': '0a9a7e1f-b9d0-4cc4-a60d-0319b160aaa3',
  'Key Vault Secrets User': '4633458b-17de-408a-b874-0445c86b69e6',
  'Key Vault Secrets Officer': 'b86a8fe4-44ce-4948-aee5-eccb2c155cd7',
  // Not assigned: the daemon reads a certificate's key as its secret (Secrets User covers it).
  'Key Vault Certificate User': 'db79e9a7-68ee-4b58-9aeb-b90e7c24fcba',
  'Key Vault Certificates Officer': 'a4417e6f-fecd-4de8-b567-7b0420556985',
  'Monitoring Metrics Publisher': '3913510d-42f4-4e42-8a64-420c390055eb',
};
const GRAPH_APP_ID = '00000003-0000-0000-c000-000000000000';
const GUID = /[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/gi;

describe('role definition ids in infra/', () => {
  it("rbac.bicep's table names each role by its name and its real id", async () => {
    const rbac = await readBicep('infra/app/rbac.bicep');
    const table = declaration(rbac, 'variable', 'roleIds');
    expect(table).toBeDefined();
    const entries = table ? objectProperties(table).map(({ key, value }) => [key, stringValue(value)]) : [];
    expect(entries.length).toBeGreaterThanOrEqual(6);
    for (const [name, id] of entries) expect(id, String(name)).toBe(BUILT_IN_ROLES[String(name)]);
  });

  it('the function identity gets the storage, Key Vault and monitoring roles the issue names', async () => {
    const source = await readFile(path.join(REPO_ROOT, 'infra/app/rbac.bicep'), 'utf8');
    for (const role of [
      'Storage Blob Data Owner',
      'Storage Queue Data Contributor',
      'Storage Table Data Contributor',
      'Key Vault Secrets User',
      'Monitoring Metrics Publisher',
    ]) {
      expect(source, role).toMatch(new RegExp(`roleIds\\['${role}'\\]|'${role}'[,\\]]`));
    }
    // Every roleIds[...] names a role of the table.
    for (const [, name] of source.matchAll(/roleIds\['([^']+)'\]/g))
      expect(BUILT_IN_ROLES).toHaveProperty([name ?? '']);
  });

  it('no other GUID is written into the templates', async () => {
    const known = new Set([...Object.values(BUILT_IN_ROLES), GRAPH_APP_ID]);
    for (const file of await bicepFiles()) {
      const source = await readFile(path.join(REPO_ROOT, file), 'utf8');
      const unknown = (source.match(GUID) ?? []).filter((id) => !known.has(id.toLowerCase()));
      expect(unknown, file).toEqual([]);
    }
  });
});
