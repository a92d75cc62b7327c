/**
 * The emulated directory as the seed file makes it at start: in each tenant Microsoft's first-party service
 * principals, the managed identities, the app registrations with their secrets and certificates, their
 * service principals and their Microsoft Graph app role assignments (admin consent); and what the stack
 * stores in the vault. Secret values and key pairs are generated unless the seed gives them.
 */
import type { ApplicationSeed, SeedFile } from '../stack/seed.js';
import { certificateFromSeed, secretFromSeed } from './directory-credentials.js';
import { DirectoryError } from './directory-records.js';
import type { ApplicationRecord, DirectoryManagedIdentity, VaultCredential } from './directory-records.js';
import { addAssignment, servicePrincipalFor } from './directory-principals.js';
import type { TenantObjects } from './directory-principals.js';
import { FIRST_PARTY_APPS, GRAPH_APP_ID, derivedGuid } from './first-party-apps.js';

const MICROSOFT_TENANT_ID = 'f8cdef31-a31e-4b4a-93e4-5f571e91255a';

export interface SeededDirectory {
  /** Each tenant's objects by its id in lower case. */
  readonly tenants: Map<string, TenantObjects>;
  /** By client id in lower case. */
  readonly managedIdentities: Map<string, DirectoryManagedIdentity>;
  /** Seeded credentials that name a vault secret. */
  readonly vaultCredentials: readonly VaultCredential[];
  /** The secret values and private keys held at start, for leak checks. */
  readonly issuedValues: readonly string[];
}

/** Builds the directory's objects from a validated seed; throws `InvalidSeed` for what only the directory can check. */
export async function seedDirectory(seed: SeedFile, clock: () => number): Promise<SeededDirectory> {
  const now = (): Date => new Date(clock());
  const issuedValues: string[] = [];
  const tenants = new Map<string, TenantObjects>();
  const managedIdentities = new Map<string, DirectoryManagedIdentity>();
  const vaultCredentials: VaultCredential[] = [];

  for (const [tenantIndex, tenantSeed] of seed.tenants.entries()) {
    const tenantId = tenantSeed.id.toLowerCase();
    const objects: TenantObjects = {
      tenant: { id: tenantId, displayName: tenantSeed.displayName },
      signIns: [],
      applications: [],
      servicePrincipals: FIRST_PARTY_APPS.map((app) => ({
        id: derivedGuid(tenantId, app.appId),
        appId: app.appId,
        tenantId,
        createdDateTime: now(),
        displayName: app.displayName,
        servicePrincipalType: 'Application',
        appOwnerOrganizationId: MICROSOFT_TENANT_ID,
        servicePrincipalNames: app.servicePrincipalNames,
        appRoles: app.appRoles,
      })),
      assignments: [],
    };
    tenants.set(tenantId, objects);
    for (const identitySeed of tenantSeed.managedIdentities) {
      const clientId = identitySeed.clientId.toLowerCase();
      managedIdentities.set(clientId, { ...identitySeed, clientId, tenantId });
      objects.servicePrincipals.push({
        id: identitySeed.principalId.toLowerCase(),
        appId: clientId,
        tenantId,
        createdDateTime: now(),
        displayName: identitySeed.displayName,
        servicePrincipalType: 'ManagedIdentity',
        appOwnerOrganizationId: tenantId,
        servicePrincipalNames: [clientId],
        appRoles: [],
      });
    }
    for (const [appIndex, appSeed] of tenantSeed.applications.entries()) {
      const field = `tenants[${tenantIndex}].applications[${appIndex}]`;
      const application = await seededApplication(tenantId, appSeed, field, clock);
      objects.applications.push(application);
      objects.servicePrincipals.push(servicePrincipalFor(application, appSeed.objectId.toLowerCase(), now()));
      issuedValues.push(...application.passwordCredentials.map((secret) => secret.value));
      for (const certificate of application.keyCredentials) {
        if (certificate.privateKeyPem !== undefined) issuedValues.push(certificate.privateKeyPem);
      }
      vaultCredentials.push(...vaultCredentialsOf(appSeed, application));
      for (const value of appSeed.appRoles) {
        assignGraphRole(objects, appSeed.objectId.toLowerCase(), graphRoleId(value, `${field}.appRoles`), now);
      }
    }
  }

  return { tenants, managedIdentities, vaultCredentials, issuedValues };
}

function graphRoleId(value: string, field: string): string {
  const role = FIRST_PARTY_APPS.find((app) => app.appId === GRAPH_APP_ID)?.appRoles.find((r) => r.value === value);
  if (!role)
    throw new DirectoryError('InvalidSeed', `${field}: Microsoft Graph has no application permission '${value}'`);
  return role.id;
}

function assignGraphRole(objects: TenantObjects, principalId: string, appRoleId: string, now: () => Date): void {
  const resource = objects.servicePrincipals.find((sp) => sp.appId === GRAPH_APP_ID);
  if (!resource) throw new DirectoryError('UnknownServicePrincipal', `No service principal for ${GRAPH_APP_ID}`);
  addAssignment(objects, { principalId, resourceId: resource.id, appRoleId }, now);
}

async function seededApplication(
  tenantId: string,
  seed: ApplicationSeed,
  field: string,
  clock: () => number,
): Promise<ApplicationRecord> {
  const keyCredentials = await Promise.all(
    seed.certificates.map((certificateSeed, index) =>
      certificateFromSeed(certificateSeed, `${field}.certificates[${index}]`, clock()),
    ),
  );
  return {
    id: derivedGuid('application', seed.clientId),
    appId: seed.clientId.toLowerCase(),
    tenantId,
    createdDateTime: new Date(clock()),
    displayName: seed.displayName,
    description: null,
    uniqueName: null,
    signInAudience: 'AzureADMyOrg',
    identifierUris: [],
    requiredResourceAccess: [],
    passwordCredentials: seed.secrets.map((secretSeed, index) =>
      secretFromSeed(secretSeed, `${field}.secrets[${index}]`),
    ),
    keyCredentials,
    federatedIdentityCredentials: [],
  };
}

function vaultCredentialsOf(seed: ApplicationSeed, application: ApplicationRecord): VaultCredential[] {
  const credentials: VaultCredential[] = [];
  seed.secrets.forEach((secretSeed, index) => {
    const secret = application.passwordCredentials[index];
    if (secretSeed.keyVaultSecretName === undefined || !secret) return;
    credentials.push({
      secretName: secretSeed.keyVaultSecretName,
      value: secret.value,
      ...(secret.expiresOn ? { expiresOn: secret.expiresOn } : {}),
    });
  });
  seed.certificates.forEach((certificateSeed, index) => {
    const certificate = application.keyCredentials[index];
    if (certificateSeed.keyVaultSecretName === undefined || !certificate?.privateKeyPem) return;
    credentials.push({
      secretName: certificateSeed.keyVaultSecretName,
      // Key Vault's PEM layout for a certificate with its key: private key first, then the certificate.
      value: certificate.privateKeyPem + certificate.certificatePem,
      contentType: 'application/x-pem-file',
      expiresOn: certificate.expiresOn,
    });
  });
  return credentials;
}
