/**
 * An application as the token endpoint of one tenant sees it: its service principal there, the Microsoft
 * Graph app roles assigned to that (the token's `roles`), and its credentials, read live so that a change
 * through Graph (a secret added or removed, consent granted) counts at the next token request.
 */
import { checkSecret } from './directory-credentials.js';
import type { ApplicationRecord, DirectoryApplication, ServicePrincipalRecord } from './directory-records.js';
import { rolesOf } from './directory-principals.js';
import type { TenantObjects } from './directory-principals.js';
import { GRAPH_APP_ID } from './first-party-apps.js';

/** `clock` (milliseconds since the epoch) judges secret expiry. */
export function tokenView(
  objects: TenantObjects,
  application: ApplicationRecord,
  clock: () => number,
): DirectoryApplication {
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
      return sp ? rolesOf(objects, sp.id, GRAPH_APP_ID) : [];
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
    secretKeyId: (presented) => application.passwordCredentials.find((secret) => secret.value === presented)?.keyId,
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
