/**
 * The emulated Entra ID directory: tenants, app registrations (Graph's `application` objects with their
 * password credentials, key credentials and federated identity credentials), service principals (Microsoft
 * Graph's and Key Vault's in every tenant, the apps', the managed identities') and app role assignments,
 * built from the seed file and changed through the Graph emulator. The token endpoint reads the same
 * objects: a secret added through Graph is accepted, a removed one refused, and the app role assignments
 * of an app's service principal on Microsoft Graph become its token's `roles`. Secret values and
 * certificate key pairs are generated at start unless the seed gives them, so nothing secret lives in the seed.
 * The objects (directory-records.ts), the seeding, the credentials, the principals and the token view are
 * modules of their own; this one holds them together and makes the changes Graph asks for.
 */
import { randomUUID } from 'node:crypto';
import type { SeedFile } from '../stack/seed.js';
import { certificateFromDer, generateSecretValue } from './directory-credentials.js';
import { DirectoryError } from './directory-records.js';
import type {
  AppRoleAssignmentRecord,
  ApplicationRecord,
  DirectoryApplication,
  DirectoryCertificate,
  DirectoryClientSecret,
  DirectoryManagedIdentity,
  DirectoryTenant,
  NewAppRoleAssignment,
  NewApplication,
  ServicePrincipalRecord,
  SignInRecord,
  VaultCredential,
} from './directory-records.js';
import { addAssignment, removeServicePrincipal, rolesOf, servicePrincipalFor } from './directory-principals.js';
import type { TenantObjects } from './directory-principals.js';
import { seedDirectory } from './directory-seed.js';
import { tokenView } from './directory-token-view.js';

export interface Directory {
  /** The directory's clock (milliseconds since the epoch): secret and certificate expiry are judged by it. */
  now(): number;
  findTenant(tenantId: string): DirectoryTenant | undefined;
  /** The app as the token endpoint of `tenantId` sees it: registered there, or multi-tenant with a service principal there. */
  findApplication(tenantId: string, clientId: string): DirectoryApplication | undefined;
  findManagedIdentity(clientId: string): DirectoryManagedIdentity | undefined;
  /** Values of `resourceAppId`'s app roles assigned to the principal (a service principal or managed identity). */
  rolesOf(tenantId: string, principalId: string, resourceAppId: string): string[];
  /** What the stack stores in the vault at start: seeded credentials that name a vault secret. */
  credentialsForVault(): VaultCredential[];

  applications(tenantId: string): ApplicationRecord[];
  addApplication(tenantId: string, fields: NewApplication): ApplicationRecord;
  removeApplication(tenantId: string, objectId: string): void;
  servicePrincipals(tenantId: string): ServicePrincipalRecord[];
  /** Creates the service principal of an app registered in the tenant (or of a multi-tenant app). */
  addServicePrincipal(tenantId: string, appId: string): ServicePrincipalRecord;
  removeServicePrincipal(tenantId: string, objectId: string): void;
  appRoleAssignments(tenantId: string): AppRoleAssignmentRecord[];
  addAppRoleAssignment(tenantId: string, assignment: NewAppRoleAssignment): AppRoleAssignmentRecord;
  removeAppRoleAssignment(tenantId: string, assignmentId: string): void;
  /** Adds a client secret (Graph's addPassword): the value is generated and returned once. */
  addPassword(
    application: ApplicationRecord,
    options: { readonly displayName?: string; readonly startsOn?: Date; readonly expiresOn?: Date },
  ): DirectoryClientSecret;
  /** A key credential from an uploaded certificate (DER); throws for anything else. */
  keyCredentialFrom(
    der: Buffer,
    options: { readonly keyId?: string; readonly displayName?: string; readonly customKeyIdentifier?: string },
  ): DirectoryCertificate;

  /** Adds a new client secret; the existing ones stay valid until revoked or expired. */
  rotateSecret(clientId: string, options?: { readonly expiresOn?: Date }): { keyId: string; value: string };
  revokeSecret(clientId: string, keyId: string): void;
  /** Makes the secret expire now (by the directory's clock). */
  expireSecret(clientId: string, keyId: string): void;
  /** Every secret value and private key the directory ever held, for leak checks. */
  issuedSecretValues(): string[];
  /** Logs a successful app-only sign-in; the log keeps the latest 1,000 per tenant. */
  recordSignIn(tenantId: string, record: Omit<SignInRecord, 'id' | 'createdDateTime'>): void;
  /** The tenant's sign-in log, newest first. */
  signIns(tenantId: string): SignInRecord[];
}

export interface DirectoryOptions {
  /** Milliseconds since the epoch; defaults to `Date.now`. */
  readonly clock?: () => number;
}

const MAX_SIGN_INS = 1000;

export async function createDirectory(seed: SeedFile, options: DirectoryOptions = {}): Promise<Directory> {
  const clock = options.clock ?? Date.now;
  const now = (): Date => new Date(clock());
  const seeded = await seedDirectory(seed, clock);
  const { tenants, managedIdentities, vaultCredentials } = seeded;
  const issuedValues = [...seeded.issuedValues];

  const objectsOf = (tenantId: string): TenantObjects => {
    const objects = tenants.get(tenantId.toLowerCase());
    if (!objects) throw new DirectoryError('InvalidSeed', `No tenant ${tenantId} in the directory`);
    return objects;
  };

  function tenantRolesOf(tenantId: string, principalId: string, resourceAppId: string): string[] {
    const objects = tenants.get(tenantId.toLowerCase());
    return objects ? rolesOf(objects, principalId, resourceAppId) : [];
  }

  function registeredApplication(appId: string): ApplicationRecord | undefined {
    const wanted = appId.toLowerCase();
    for (const objects of tenants.values()) {
      const found = objects.applications.find((application) => application.appId === wanted);
      if (found) return found;
    }
    return undefined;
  }

  function applicationByClientId(clientId: string): ApplicationRecord {
    const application = registeredApplication(clientId);
    if (!application) {
      throw new DirectoryError('UnknownApplication', `No application with client id ${clientId} in the directory`);
    }
    return application;
  }

  function secretIndex(application: ApplicationRecord, keyId: string): number {
    const index = application.passwordCredentials.findIndex((secret) => secret.keyId === keyId);
    if (index < 0) throw new DirectoryError('UnknownSecret', `Application ${application.appId} has no secret ${keyId}`);
    return index;
  }

  return {
    now: () => clock(),
    findTenant: (tenantId) => tenants.get(tenantId.toLowerCase())?.tenant,
    findApplication(tenantId, clientId) {
      const objects = tenants.get(tenantId.toLowerCase());
      const application = registeredApplication(clientId);
      if (!objects || !application) return undefined;
      const home = application.tenantId === objects.tenant.id;
      const provisioned = objects.servicePrincipals.some((sp) => sp.appId === application.appId);
      return home || (provisioned && application.signInAudience !== 'AzureADMyOrg')
        ? tokenView(objects, application, clock)
        : undefined;
    },
    findManagedIdentity: (clientId) => managedIdentities.get(clientId.toLowerCase()),
    rolesOf: tenantRolesOf,
    credentialsForVault: () => vaultCredentials.map((credential) => ({ ...credential })),

    applications: (tenantId) => [...objectsOf(tenantId).applications],
    addApplication(tenantId, fields) {
      const objects = objectsOf(tenantId);
      const application: ApplicationRecord = {
        id: randomUUID(),
        appId: randomUUID(),
        tenantId: objects.tenant.id,
        createdDateTime: now(),
        displayName: fields.displayName,
        description: fields.description ?? null,
        uniqueName: fields.uniqueName ?? null,
        signInAudience: fields.signInAudience ?? 'AzureADandPersonalMicrosoftAccount',
        identifierUris: [...(fields.identifierUris ?? [])],
        requiredResourceAccess: [...(fields.requiredResourceAccess ?? [])],
        passwordCredentials: [],
        keyCredentials: [],
        federatedIdentityCredentials: [],
      };
      objects.applications.push(application);
      return application;
    },
    removeApplication(tenantId, objectId) {
      const objects = objectsOf(tenantId);
      const index = objects.applications.findIndex((application) => application.id === objectId.toLowerCase());
      if (index < 0) throw new DirectoryError('UnknownApplication', `No application ${objectId}`);
      const [removed] = objects.applications.splice(index, 1);
      // Its service principals go with it, in every tenant, and their assignments with them.
      for (const tenantObjects of tenants.values()) {
        for (const servicePrincipal of tenantObjects.servicePrincipals.filter((sp) => sp.appId === removed?.appId)) {
          removeServicePrincipal(tenantObjects, servicePrincipal.id);
        }
      }
    },
    servicePrincipals: (tenantId) => [...objectsOf(tenantId).servicePrincipals],
    addServicePrincipal(tenantId, appId) {
      const objects = objectsOf(tenantId);
      const application = registeredApplication(appId);
      if (
        !application ||
        (application.tenantId !== objects.tenant.id && application.signInAudience === 'AzureADMyOrg')
      ) {
        throw new DirectoryError(
          'UnregisteredAppId',
          `The appId '${appId}' of the service principal does not reference a valid application object.`,
        );
      }
      if (objects.servicePrincipals.some((sp) => sp.appId === application.appId)) {
        throw new DirectoryError(
          'DuplicateServicePrincipal',
          `The service principal cannot be created, updated, or restored because the service principal name ${application.appId} is already in use.`,
        );
      }
      const servicePrincipal = servicePrincipalFor(application, randomUUID(), now());
      objects.servicePrincipals.push(servicePrincipal);
      return servicePrincipal;
    },
    removeServicePrincipal(tenantId, objectId) {
      removeServicePrincipal(objectsOf(tenantId), objectId);
    },
    appRoleAssignments: (tenantId) => [...objectsOf(tenantId).assignments],
    addAppRoleAssignment: (tenantId, assignment) => addAssignment(objectsOf(tenantId), assignment, now),
    removeAppRoleAssignment(tenantId, assignmentId) {
      const objects = objectsOf(tenantId);
      const index = objects.assignments.findIndex((assignment) => assignment.id === assignmentId);
      if (index < 0) throw new DirectoryError('UnknownAppRole', `No app role assignment ${assignmentId}`);
      objects.assignments.splice(index, 1);
    },
    addPassword(application, passwordOptions) {
      const secret: DirectoryClientSecret = {
        keyId: randomUUID(),
        value: generateSecretValue(),
        ...(passwordOptions.displayName === undefined ? {} : { displayName: passwordOptions.displayName }),
        startsOn: passwordOptions.startsOn ?? now(),
        ...(passwordOptions.expiresOn === undefined ? {} : { expiresOn: passwordOptions.expiresOn }),
      };
      application.passwordCredentials.push(secret);
      issuedValues.push(secret.value);
      return secret;
    },
    keyCredentialFrom: (der, keyOptions) => certificateFromDer(der, keyOptions),
    rotateSecret(clientId, rotateOptions = {}) {
      const application = applicationByClientId(clientId);
      const secret = {
        keyId: randomUUID(),
        value: generateSecretValue(),
        ...(rotateOptions.expiresOn ? { expiresOn: new Date(rotateOptions.expiresOn) } : {}),
      };
      application.passwordCredentials.push(secret);
      issuedValues.push(secret.value);
      return { keyId: secret.keyId, value: secret.value };
    },
    revokeSecret(clientId, keyId) {
      const application = applicationByClientId(clientId);
      application.passwordCredentials.splice(secretIndex(application, keyId), 1);
    },
    expireSecret(clientId, keyId) {
      const application = applicationByClientId(clientId);
      const index = secretIndex(application, keyId);
      const secret = application.passwordCredentials[index];
      if (secret) application.passwordCredentials[index] = { ...secret, expiresOn: new Date(clock()) };
    },
    issuedSecretValues: () => [...issuedValues],
    recordSignIn(tenantId, record) {
      const log = objectsOf(tenantId).signIns;
      log.unshift({ ...record, id: randomUUID(), createdDateTime: now() });
      log.splice(MAX_SIGN_INS);
    },
    signIns: (tenantId) => [...objectsOf(tenantId).signIns],
  };
}
