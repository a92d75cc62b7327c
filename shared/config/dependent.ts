/** Settings whose requirement or range depends on other settings: the credential, delivery's, the status lists. */
import type { Problems } from './problems.js';
import { EMPTY_STATUS } from '../reminders/status.js';
import { quote } from './rule.js';
import { SETTING_SCHEMA } from './schema.js';
import type { AppCredential, ClientCredentialSource } from './types.js';

/**
 * A delivery stops sending this long before its claim on a reminder ends, to record the outcome while
 * the claim is still its own; DELIVERY_CLAIM_SECONDS must leave room for a request on top of it.
 */
export const CLAIM_RECORD_MARGIN_MS = 30_000;

/** The app's credential and what it needs: the vault (secret, certificate) or the managed identity. */
export interface CredentialSettings {
  readonly credential: AppCredential;
  readonly keyVaultUrl?: string;
  readonly managedIdentityClientId?: string;
}

/**
 * CLIENT_CREDENTIAL, or (absent) the credential inferred from CLIENT_SECRET_NAME / CLIENT_CERTIFICATE_NAME
 * as before; KEY_VAULT_URL with a vault credential; MANAGED_IDENTITY_CLIENT_ID with `managed-identity`.
 */
export function readCredentialSettings(problems: Problems): CredentialSettings | undefined {
  const { clientCredential, clientSecretName, clientCertificateName, keyVaultUrl, managedIdentityClientId } =
    SETTING_SCHEMA;
  const kind = problems.optional(clientCredential);
  const identityClientId = problems.optional(managedIdentityClientId);
  const identity = identityClientId === undefined ? {} : { managedIdentityClientId: identityClientId };
  if (kind === 'managed-identity') {
    for (const vaultName of [clientSecretName, clientCertificateName]) {
      if (problems.text(vaultName) !== undefined) {
        problems.add({
          setting: vaultName.name,
          message: `${vaultName.name} is set, but ${clientCredential.name} is managed-identity, which reads no Key Vault secret: remove ${vaultName.name}, or set ${clientCredential.name} to ${vaultName === clientSecretName ? 'secret' : 'certificate'}`,
        });
      }
    }
    if (identityClientId === undefined && problems.text(managedIdentityClientId) === undefined) {
      problems.add({
        setting: managedIdentityClientId.name,
        message: `${managedIdentityClientId.name} is required with ${clientCredential.name}=managed-identity: set it to the client id of the function app's user-assigned managed identity that the app registration's federated identity credential names (npm run register prints it)`,
      });
    }
    const vault = problems.optional(keyVaultUrl);
    return identityClientId === undefined
      ? undefined
      : { credential: { kind }, ...identity, ...(vault === undefined ? {} : { keyVaultUrl: vault }) };
  }
  const source = readCredentialSource(problems, kind);
  const vault = problems.required(keyVaultUrl);
  return source === undefined || vault === undefined
    ? undefined
    : { credential: source, keyVaultUrl: vault, ...identity };
}

/** Exactly one of CLIENT_SECRET_NAME and CLIENT_CERTIFICATE_NAME, the one `kind` names when given. */
function readCredentialSource(
  problems: Problems,
  kind: 'secret' | 'certificate' | undefined,
): ClientCredentialSource | undefined {
  const { clientSecretName: secret, clientCertificateName: certificate } = SETTING_SCHEMA;
  const secretText = problems.text(secret);
  const certificateText = problems.text(certificate);
  if (kind !== undefined) {
    const wanted = kind === 'secret' ? secret : certificate;
    const other = kind === 'secret' ? certificate : secret;
    if ((kind === 'secret' ? certificateText : secretText) !== undefined) {
      return problems.add({
        setting: other.name,
        message: `${other.name} is set, but ${SETTING_SCHEMA.clientCredential.name} is ${kind}: remove it, or set ${SETTING_SCHEMA.clientCredential.name} to ${kind === 'secret' ? 'certificate' : 'secret'}`,
      });
    }
    const secretName = problems.required(wanted);
    return secretName === undefined ? undefined : { kind, secretName };
  }
  if (secretText !== undefined && certificateText !== undefined) {
    return problems.add({
      setting: secret.name,
      message: `${secret.name} and ${certificate.name} are both set: set only one, naming the Key Vault secret that holds the client secret or the one that holds the certificate`,
    });
  }
  if (secretText !== undefined) {
    const secretName = problems.parse(secret, secretText);
    return secretName === undefined ? undefined : { kind: 'secret', secretName };
  }
  if (certificateText !== undefined) {
    const secretName = problems.parse(certificate, certificateText);
    return secretName === undefined ? undefined : { kind: 'certificate', secretName };
  }
  return problems.add({
    setting: secret.name,
    message: `${secret.name} is required: set it to the name of the Key Vault secret that holds the app's client secret, or set ${certificate.name} to the one that holds its certificate (PEM)`,
  });
}

/** SENDER_MAILBOX: required only with `requireDelivery`; otherwise read when set. */
export function readSenderMailbox(problems: Problems, requireDelivery: boolean): string | undefined {
  const { senderMailbox } = SETTING_SCHEMA;
  return requireDelivery || problems.text(senderMailbox) !== undefined ? problems.required(senderMailbox) : undefined;
}

/** A claim shorter than one request would expire while its holder still sends. */
export function checkClaimOutlastsRequest(problems: Problems, claimSeconds: number, timeoutSeconds: number): void {
  const { deliveryClaimSeconds: claim, httpTimeoutSeconds: timeout } = SETTING_SCHEMA;
  const minimumClaimSeconds = timeoutSeconds + CLAIM_RECORD_MARGIN_MS / 1000;
  if (claimSeconds < minimumClaimSeconds) {
    problems.add({
      setting: claim.name,
      message: `${claim.name} must be at least ${timeout.name} + ${CLAIM_RECORD_MARGIN_MS / 1000}, i.e. ${minimumClaimSeconds} (got ${claimSeconds}): a claim must outlast a sendMail request and the recording of its outcome`,
    });
  }
}

/** A status cannot be both open and closed. */
export function checkStatusListsDisjoint(problems: Problems, open: readonly string[], closed: readonly string[]): void {
  const { openStatuses, closedStatuses } = SETTING_SCHEMA;
  const both = open.filter((status) => closed.includes(status));
  if (both.length > 0) {
    const listed = both.map((status) => (status === '' ? EMPTY_STATUS : quote(status))).join(', ');
    problems.add({
      setting: closedStatuses.name,
      message: `${openStatuses.name} and ${closedStatuses.name} both list ${listed}: a status is either open or closed`,
    });
  }
}
