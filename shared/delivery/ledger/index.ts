/** The idempotency ledger (docs/delivery.md): what delivery, the sweep and the tools use of it. */
export { claimReminder, deferClaim, recordFailed, recordSent, releaseClaim } from './claims.js';
export { BUDGET_LEAD_MS, SLOT_RETURN_LEAD_MS, mailboxRecovered, pauseMailbox, takeSendSlot } from './pace.js';
export type { MailboxPaceLimits, SlotDecision } from './pace.js';
export { readRecipientsLeft, recipientsLeftIn } from './pace-budget.js';
export type {
  ClaimOptions,
  ClaimResult,
  FailureRecord,
  LedgerClaim,
  RecordOptions,
  RecordSentResult,
} from './claims.js';
export { listObligationReminders, lookupReminder } from './entries.js';
export { lookupRefusal, recordRefusal } from './refusals.js';
export type { LedgerRefusal } from './refusals.js';
export type { LedgerEntry, LedgerState } from './entries.js';
export { DEFAULT_LOOKUP_CONCURRENCY, findSentReminderIds, indexSentReminder } from './sent-index.js';
export { encodeTableKey, sentIndexPartitionKey } from './table-keys.js';
export { LedgerError, createReminderLedger } from './table.js';
export type { LedgerErrorCode, ReminderLedger } from './table.js';
