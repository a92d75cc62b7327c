/**
 * What Graph's refusals of sendMail say: whether they concern the sender mailbox or the message, and
 * their text with addresses masked for logs. Refusals that speak of the mailbox pass
 * (a mailbox being moved, its store unavailable, its submissions blocked for a while, its daily recipient
 * limit), so the reminder waits for the mailbox instead of failing for good. Only a refusal of the
 * message itself (an invalid recipient, a malformed body) is final.
 */

/** Exchange's codes as Graph passes them on (learn.microsoft.com, EWS `ResponseCodeType`), and Graph's throttling codes. */
const MAILBOX_WIDE_CODES: ReadonlySet<string> = new Set([
  'ErrorMailboxStoreUnavailable',
  'ErrorMailboxMoveInProgress',
  'ErrorMailboxLocked',
  'ErrorMessageSubmissionBlocked',
  'ErrorQuotaExceeded',
  'ErrorServerBusy',
  'ErrorTooManyObjectsOpened',
  'ErrorAccountDisabled',
  'ErrorSendAsDenied',
  'MailboxNotEnabledForRESTAPI',
  'MailboxConcurrency',
  'ApplicationThrottled',
]);
/** The mailbox's daily recipient limit (Exchange's NDR 5.1.90). */
const RECIPIENT_LIMIT_CODE = 'ErrorExceededMessageLimit';
/** Statuses that are never about one message: a locked mailbox (423), a conflict in the mailbox (409). */
const MAILBOX_WIDE_STATUSES: ReadonlySet<number> = new Set([409, 423]);

/** `recipientLimit`, `mailbox` (any other mailbox-wide refusal), or undefined: the answer is about the message (or not mailbox-wide). */
export function mailboxWideRefusal(status: number, graphCode: string): 'recipientLimit' | 'mailbox' | undefined {
  if (graphCode === RECIPIENT_LIMIT_CODE) return 'recipientLimit';
  return MAILBOX_WIDE_STATUSES.has(status) || MAILBOX_WIDE_CODES.has(graphCode) ? 'mailbox' : undefined;
}

/** Anything that looks like an e-mail address in Graph's messages (they quote recipients). */
const ADDRESS_LIKE = /[^\s'"<>(),;:]+@[^\s'"<>(),;:]+/g;

/** Replaces anything that looks like an e-mail address: messages end up in logs. */
export function redactAddresses(text: string): string {
  return text.replace(ADDRESS_LIKE, '<address>');
}
