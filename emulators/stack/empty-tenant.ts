/**
 * The seed's tenant as it is before anyone registered the daemon: the daemon's application, its service
 * principal (so its consent, its vault role and credentials) and its Sites.Selected grants removed;
 * everything else — Graph's data, the vault, the managed identities, the operator apps — as seeded.
 */
import type { SeedFile } from './seed.js';

export function withEmptyTenant(seed: SeedFile): SeedFile {
  const daemonClientId = seed.daemon.clientId.toLowerCase();
  const daemonApp = seed.tenants
    .flatMap((tenant) => tenant.applications)
    .find((app) => app.clientId.toLowerCase() === daemonClientId);
  const daemonPrincipal = daemonApp?.objectId.toLowerCase();
  const vaultNames = new Set(
    [...(daemonApp?.secrets ?? []), ...(daemonApp?.certificates ?? [])].flatMap((credential) =>
      credential.keyVaultSecretName === undefined ? [] : [credential.keyVaultSecretName.toLowerCase()],
    ),
  );
  vaultNames.add(seed.daemon.keyVaultSecretName.toLowerCase());
  return {
    ...seed,
    tenants: seed.tenants.map((tenant) => ({
      ...tenant,
      applications: tenant.applications.filter((app) => app.clientId.toLowerCase() !== daemonClientId),
    })),
    keyVault: {
      ...seed.keyVault,
      roleAssignments: seed.keyVault.roleAssignments.filter(
        (assignment) => assignment.principalId.toLowerCase() !== daemonPrincipal,
      ),
      secrets: seed.keyVault.secrets.filter((secret) => !vaultNames.has(secret.name.toLowerCase())),
    },
    graph: {
      ...seed.graph,
      ...(seed.graph.siteGrants === undefined
        ? {}
        : { siteGrants: seed.graph.siteGrants.filter((grant) => grant.appId.toLowerCase() !== daemonClientId) }),
    },
  };
}
