/** Settings whose requirement or range depends on other settings: the credential pair, delivery's, the status lists. */
import type { Problems } from './problems.js';
import { EMPTY_STATUS } from '../reminders/status.js';
import { quote } from './rule.js';
import { SETTING_SCHEMA } from './schema.js';
import type { ClientCredentialSource, SenderMailbox } from './types.js';

/**
 * A delivery stops sending this long before its claim on a reminder ends, to record the outcome while
 * the claim is still its own; DELIVERY_CLAIM_SECONDS must leave room for a request on top of it.
 */
export const CLAIM_RECORD_MARGIN_MS = 30_000;

/** Exactly one of CLIENT_SECRET_NAME and CLIENT_CERTIFICATE_NAME. */
export function readCredentialSource(problems: Problems): ClientCredentialSource | undefined {
  const { clientSecretName: secret, clientCertificateName: certificate } = SETTING_SCHEMA;
  const secretText = problems.text(secret);
  const certificateText = problems.text(certificate);
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

/**
 * The sender mailboxes: SENDER_MAILBOXES when set, else SENDER_MAILBOX (one mailbox), each with the
 * default pace and budget unless its entry gives its own. One of them is required with `requireDelivery`.
 */
export function readSenderMailboxes(
  problems: Problems,
  requireDelivery: boolean,
  defaults: { readonly messagesPerMinute: number; readonly recipientsPerDay: number },
): readonly SenderMailbox[] {
  const { senderMailbox, senderMailboxes } = SETTING_SCHEMA;
  const listed = problems.optional(senderMailboxes);
  if (listed !== undefined) return listed.map((entry) => ({ ...defaults, ...entry }));
  if (problems.text(senderMailboxes) !== undefined) return [];
  const single =
    requireDelivery || problems.text(senderMailbox) !== undefined ? problems.required(senderMailbox) : undefined;
  return single === undefined ? [] : [{ mailbox: single, ...defaults }];
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
