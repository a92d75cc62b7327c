/**
 * The emulated Entra ID directory: tenants, app registrations (Graph's `application` objects with their
 * password credentials, key credentials and federated identity credentials), service principals (Microsoft
 * Graph's and Key Vault's in every tenant, the apps', the managed identities') and app role assignments,
 * built from the seed file and changed through the Graph emulator. The token endpoint reads the same
 * objects: a secret added through Graph is accepted, a removed one refused, and the app role assignments
 * of an app's service principal on Microsoft Graph become its token's `roles`. Secret values and
 * certificate key pairs are generated at start unless the seed gives them, so nothing secret lives in the seed.
 */
import { createHash, randomBytes, randomUUID, timingSafeEqual } from 'node:crypto';
import type { ApplicationSeed, ClientCertificateSeed, ClientSecretSeed, SeedFile } from '../stack/seed.js';
import { certificateFacts, createSelfSignedCertificate, toPem } from '../stack/self-signed-certificate.js';
import type { CertificateFacts } from '../stack/self-signed-certificate.js';
import { FIRST_PARTY_APPS, GRAPH_APP_ID, derivedGuid } from './first-party-apps.js';
import type { AppRole } from './first-party-apps.js';

const DEFAULT_CERTIFICATE_VALIDITY_MS = 365 * 86_400_000;

export interface DirectoryTenant {
  readonly id: string;
  readonly displayName: string;
}

/** A password credential (client secret). */
export interface DirectoryClientSecret {
  readonly keyId: string;
  readonly value: string;
  readonly displayName?: string;
  readonly startsOn?: Date;
  readonly expiresOn?: Date;
}

/** A key credential (certificate); the private key is known only for certificates the directory made itself. */
export interface DirectoryCertificate extends CertificateFacts {
  readonly keyId: string;
  /** DER of the certificate: Graph's `key`. */
  readonly der: Buffer;
  readonly certificatePem: string;
  /** PKCS#8 PEM, for seeded certificates only. */
  readonly privateKeyPem?: string;
  readonly displayName: string;
  /** Graph's `customKeyIdentifier` (base64), by default the SHA-1 thumbprint. */
  readonly customKeyIdentifier: string;
}

export interface FederatedIdentityCredential {
  readonly id: string;
  name: string;
  issuer: string;
  subject: string;
  audiences: string[];
  description: string | null;
}

export interface RequiredResourceAccess {
  readonly resourceAppId: string;
  readonly resourceAccess: readonly { readonly id: string; readonly type: 'Role' | 'Scope' }[];
}

/** Graph's `application` object, held mutable: the Graph emulator's PATCH changes it in place. */
export interface ApplicationRecord {
  readonly id: string;
  readonly appId: string;
  readonly tenantId: string;
  readonly createdDateTime: Date;
  displayName: string;
  description: string | null;
  uniqueName: string | null;
  signInAudience: string;
  identifierUris: string[];
  requiredResourceAccess: RequiredResourceAccess[];
  passwordCredentials: DirectoryClientSecret[];
  keyCredentials: DirectoryCertificate[];
  federatedIdentityCredentials: FederatedIdentityCredential[];
}

export interface ServicePrincipalRecord {
  readonly id: string;
  readonly appId: string;
  readonly tenantId: string;
  readonly createdDateTime: Date;
  readonly displayName: string;
  readonly servicePrincipalType: 'Application' | 'ManagedIdentity';
  /** The tenant that registered the application (Microsoft's for first-party apps). */
  readonly appOwnerOrganizationId: string;
  readonly servicePrincipalNames: readonly string[];
  readonly appRoles: readonly AppRole[];
}

export interface AppRoleAssignmentRecord {
  readonly id: string;
  readonly tenantId: string;
  readonly createdDateTime: Date;
  readonly principalId: string;
  readonly principalDisplayName: string;
  readonly resourceId: string;
  readonly resourceDisplayName: string;
  readonly appRoleId: string;
}

export type ClientSecretCheck = 'valid' | 'expired' | 'invalid';

/** An application as the token endpoint sees it in one tenant. */
export interface DirectoryApplication {
  readonly tenantId: string;
  readonly clientId: string;
  /** Object id of the app's service principal in this tenant; empty while it has none. */
  readonly objectId: string;
  readonly hasServicePrincipal: boolean;
  readonly displayName: string;
  /** Values of the Microsoft Graph app roles assigned to its service principal (admin consent). */
  readonly appRoles: readonly string[];
  /** The secrets currently registered (rotation adds, revocation removes). */
  readonly secrets: readonly DirectoryClientSecret[];
  readonly certificates: readonly DirectoryCertificate[];
  readonly federatedIdentityCredentials: readonly FederatedIdentityCredential[];
  /** Compares in constant time against every registered secret; expiry is judged by the directory's clock. */
  checkSecret(presented: string): ClientSecretCheck;
  /** The registered certificate with this SHA-256 or SHA-1 thumbprint (raw digest bytes). */
  findCertificate(thumbprint: { readonly sha256?: Buffer; readonly sha1?: Buffer }): DirectoryCertificate | undefined;
}

export interface DirectoryManagedIdentity {
  readonly tenantId: string;
  readonly clientId: string;
  readonly principalId: string;
  readonly displayName: string;
}

export interface VaultCredential {
  readonly secretName: string;
  readonly value: string;
  readonly contentType?: string;
  readonly expiresOn?: Date;
}

export interface NewApplication {
  readonly displayName: string;
  readonly description?: string | null;
  readonly uniqueName?: string | null;
  readonly signInAudience?: string;
  readonly identifierUris?: readonly string[];
  readonly requiredResourceAccess?: readonly RequiredResourceAccess[];
}

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
  addAppRoleAssignment(
    tenantId: string,
    assignment: { readonly principalId: string; readonly resourceId: string; readonly appRoleId: string },
  ): AppRoleAssignmentRecord;
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
}

export interface DirectoryOptions {
  /** Milliseconds since the epoch; defaults to `Date.now`. */
  readonly clock?: () => number;
}

export type DirectoryErrorCode =
  | 'UnknownApplication'
  | 'UnregisteredAppId'
  | 'UnknownSecret'
  | 'UnknownServicePrincipal'
  | 'UnknownAppRole'
  | 'DuplicateServicePrincipal'
  | 'DuplicateAssignment'
  | 'InvalidCertificate'
  | 'InvalidSeed';

export class DirectoryError extends Error {
  readonly code: DirectoryErrorCode;
  constructor(code: DirectoryErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'DirectoryError';
    this.code = code;
  }
}

interface TenantObjects {
  readonly tenant: DirectoryTenant;
  readonly applications: ApplicationRecord[];
  readonly servicePrincipals: ServicePrincipalRecord[];
  readonly assignments: AppRoleAssignmentRecord[];
}

const MICROSOFT_TENANT_ID = 'f8cdef31-a31e-4b4a-93e4-5f571e91255a';

export async function createDirectory(seed: SeedFile, options: DirectoryOptions = {}): Promise<Directory> {
  const clock = options.clock ?? Date.now;
  const now = (): Date => new Date(clock());
  const issuedValues: string[] = [];
  const tenants = new Map<string, TenantObjects>();
  const managedIdentities = new Map<string, DirectoryManagedIdentity>();
  const vaultCredentials: VaultCredential[] = [];

  const objectsOf = (tenantId: string): TenantObjects => {
    const objects = tenants.get(tenantId.toLowerCase());
    if (!objects) throw new DirectoryError('InvalidSeed', `No tenant ${tenantId} in the directory`);
    return objects;
  };

  for (const [tenantIndex, tenantSeed] of seed.tenants.entries()) {
    const tenantId = tenantSeed.id.toLowerCase();
    const objects: TenantObjects = {
      tenant: { id: tenantId, displayName: tenantSeed.displayName },
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
        assign(objects, appSeed.objectId.toLowerCase(), graphRoleId(value, `${field}.appRoles`));
      }
    }
  }

  function graphRoleId(value: string, field: string): string {
    const role = FIRST_PARTY_APPS.find((app) => app.appId === GRAPH_APP_ID)?.appRoles.find((r) => r.value === value);
    if (!role)
      throw new DirectoryError('InvalidSeed', `${field}: Microsoft Graph has no application permission '${value}'`);
    return role.id;
  }

  function assign(objects: TenantObjects, principalId: string, appRoleId: string, resourceAppId = GRAPH_APP_ID) {
    const resource = objects.servicePrincipals.find((sp) => sp.appId === resourceAppId);
    if (!resource) throw new DirectoryError('UnknownServicePrincipal', `No service principal for ${resourceAppId}`);
    return addAssignment(objects, { principalId, resourceId: resource.id, appRoleId });
  }

  function addAssignment(
    objects: TenantObjects,
    input: { readonly principalId: string; readonly resourceId: string; readonly appRoleId: string },
  ): AppRoleAssignmentRecord {
    const principal = objects.servicePrincipals.find((sp) => sp.id === input.principalId.toLowerCase());
    if (!principal) {
      throw new DirectoryError('UnknownServicePrincipal', `No service principal ${input.principalId}`);
    }
    const resource = objects.servicePrincipals.find((sp) => sp.id === input.resourceId.toLowerCase());
    if (!resource) throw new DirectoryError('UnknownServicePrincipal', `No service principal ${input.resourceId}`);
    const appRoleId = input.appRoleId.toLowerCase();
    if (!resource.appRoles.some((role) => role.id === appRoleId)) {
      throw new DirectoryError(
        'UnknownAppRole',
        `Permission being assigned was not found on application '${resource.appId}'.`,
      );
    }
    const duplicate = objects.assignments.some(
      (existing) =>
        existing.principalId === principal.id &&
        existing.resourceId === resource.id &&
        existing.appRoleId === appRoleId,
    );
    if (duplicate)
      throw new DirectoryError('DuplicateAssignment', 'Permission being assigned already exists on the object');
    const record: AppRoleAssignmentRecord = {
      // Graph's assignment ids are base64url strings, not GUIDs.
      id: randomBytes(33).toString('base64url').slice(0, 43),
      tenantId: objects.tenant.id,
      createdDateTime: now(),
      principalId: principal.id,
      principalDisplayName: principal.displayName,
      resourceId: resource.id,
      resourceDisplayName: resource.displayName,
      appRoleId,
    };
    objects.assignments.push(record);
    return record;
  }

  function rolesOf(tenantId: string, principalId: string, resourceAppId: string): string[] {
    const objects = tenants.get(tenantId.toLowerCase());
    const resource = objects?.servicePrincipals.find((sp) => sp.appId === resourceAppId);
    if (!objects || !resource) return [];
    return objects.assignments
      .filter(
        (assignment) => assignment.principalId === principalId.toLowerCase() && assignment.resourceId === resource.id,
      )
      .flatMap((assignment) =>
        resource.appRoles.filter((role) => role.id === assignment.appRoleId).map((role) => role.value),
      );
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

  function tokenView(objects: TenantObjects, application: ApplicationRecord): DirectoryApplication {
    const servicePrincipal = (): ServicePrincipalRecord | undefined =>
      objects.servicePrincipals.find((sp) => sp.appId === application.appId);
    return {
      tenantId: objects.tenant.id,
      clientId: application.appId,
      get objectId() {
        return servicePrincipal()?.id ?? '';
      },
      get hasServicePrincipal() {
        return servicePrincipal() !== undefined;
      },
      get displayName() {
        return application.displayName;
      },
      get appRoles() {
        const sp = servicePrincipal();
        return sp ? rolesOf(objects.tenant.id, sp.id, GRAPH_APP_ID) : [];
      },
      get secrets() {
        return application.passwordCredentials;
      },
      get certificates() {
        return application.keyCredentials;
      },
      get federatedIdentityCredentials() {
        return application.federatedIdentityCredentials;
      },
      checkSecret: (presented) => checkSecret(application.passwordCredentials, presented, clock()),
      findCertificate: (thumbprint) =>
        application.keyCredentials.find(
          (certificate) =>
            (thumbprint.sha256 !== undefined &&
              thumbprint.sha256.toString('hex').toUpperCase() === certificate.thumbprintSha256) ||
            (thumbprint.sha1 !== undefined &&
              thumbprint.sha1.toString('hex').toUpperCase() === certificate.thumbprintSha1),
        ),
    };
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
        ? tokenView(objects, application)
        : undefined;
    },
    findManagedIdentity: (clientId) => managedIdentities.get(clientId.toLowerCase()),
    rolesOf,
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
      objects.applications.splice(index, 1);
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
      const objects = objectsOf(tenantId);
      const index = objects.servicePrincipals.findIndex((sp) => sp.id === objectId.toLowerCase());
      if (index < 0) throw new DirectoryError('UnknownServicePrincipal', `No service principal ${objectId}`);
      const [removed] = objects.servicePrincipals.splice(index, 1);
      // Its assignments go with it, both ways.
      const remaining = objects.assignments.filter(
        (assignment) => assignment.principalId !== removed?.id && assignment.resourceId !== removed?.id,
      );
      objects.assignments.splice(0, objects.assignments.length, ...remaining);
    },
    appRoleAssignments: (tenantId) => [...objectsOf(tenantId).assignments],
    addAppRoleAssignment: (tenantId, assignment) => addAssignment(objectsOf(tenantId), assignment),
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
    keyCredentialFrom(der, keyOptions) {
      let facts: CertificateFacts;
      try {
        facts = certificateFacts(der);
      } catch (error) {
        throw new DirectoryError('InvalidCertificate', 'The key is not a DER-encoded X.509 certificate', {
          cause: error,
        });
      }
      return {
        ...facts,
        keyId: keyOptions.keyId ?? randomUUID(),
        der,
        certificatePem: toCertificatePem(der),
        displayName: keyOptions.displayName ?? facts.subject,
        customKeyIdentifier: keyOptions.customKeyIdentifier ?? facts.thumbprintSha1,
      };
    },
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
  };
}

function checkSecret(secrets: readonly DirectoryClientSecret[], presented: string, nowMs: number): ClientSecretCheck {
  const presentedDigest = sha256(Buffer.from(presented, 'utf8'));
  let result: ClientSecretCheck = 'invalid';
  // Every secret is compared, so the answer's timing does not reveal which one matched.
  for (const secret of secrets) {
    if (!timingSafeEqual(presentedDigest, sha256(Buffer.from(secret.value, 'utf8')))) continue;
    const expired = secret.expiresOn !== undefined && secret.expiresOn.getTime() <= nowMs;
    if (!expired) result = 'valid';
    else if (result === 'invalid') result = 'expired';
  }
  return result;
}

function servicePrincipalFor(application: ApplicationRecord, id: string, created: Date): ServicePrincipalRecord {
  return {
    id,
    appId: application.appId,
    tenantId: application.tenantId,
    createdDateTime: created,
    displayName: application.displayName,
    servicePrincipalType: 'Application',
    appOwnerOrganizationId: application.tenantId,
    servicePrincipalNames: [application.appId, ...application.identifierUris],
    appRoles: [],
  };
}

async function seededApplication(
  tenantId: string,
  seed: ApplicationSeed,
  field: string,
  clock: () => number,
): Promise<ApplicationRecord> {
  const keyCredentials = await Promise.all(
    seed.certificates.map((certificateSeed, index) =>
      createCertificate(certificateSeed, `${field}.certificates[${index}]`, clock()),
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
      createSecret(secretSeed, `${field}.secrets[${index}]`),
    ),
    keyCredentials,
    federatedIdentityCredentials: [],
  };
}

function createSecret(seed: ClientSecretSeed, field: string): DirectoryClientSecret {
  return {
    keyId: seed.keyId,
    value: seed.value ?? generateSecretValue(),
    ...(seed.expiresOn === undefined ? {} : { expiresOn: parseInstant(seed.expiresOn, `${field}.expiresOn`) }),
  };
}

async function createCertificate(
  seed: ClientCertificateSeed,
  field: string,
  nowMs: number,
): Promise<DirectoryCertificate> {
  const notBefore = new Date(nowMs - 60 * 60 * 1000);
  const expiresOn =
    seed.expiresOn === undefined
      ? new Date(nowMs + DEFAULT_CERTIFICATE_VALIDITY_MS)
      : parseInstant(seed.expiresOn, `${field}.expiresOn`);
  try {
    const created = await createSelfSignedCertificate({ subject: seed.subject, notBefore, notAfter: expiresOn });
    const facts = certificateFacts(created.der);
    return {
      ...facts,
      // Validity as asked, to the millisecond (X.509 keeps whole seconds).
      notBefore,
      expiresOn,
      keyId: seed.keyId,
      der: created.der,
      certificatePem: created.certificatePem,
      privateKeyPem: created.privateKeyPem,
      subject: seed.subject,
      displayName: seed.subject,
      customKeyIdentifier: facts.thumbprintSha1,
    };
  } catch (error) {
    throw new DirectoryError('InvalidSeed', `${field}: cannot create a certificate for subject '${seed.subject}'`, {
      cause: error,
    });
  }
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

/** Shaped like the portal's client secrets (`abc8Q~…`, 40 characters), with about 220 bits of entropy. */
function generateSecretValue(): string {
  const characters = randomBytes(30).toString('base64url');
  return `${characters.slice(0, 3)}8Q~${characters.slice(3, 37)}`;
}

function parseInstant(value: string, field: string): Date {
  const date = new Date(value);
  if (Number.isNaN(date.getTime())) {
    throw new DirectoryError('InvalidSeed', `${field}: '${value}' is not an ISO date-time`);
  }
  return date;
}

function sha256(data: Buffer): Buffer {
  return createHash('sha256').update(data).digest();
}

function toCertificatePem(der: Buffer): string {
  return toPem(der, 'CERTIFICATE');
}
