/** The configuration the daemon runs with, as `loadConfig` returns it (see schema.ts for the settings). */
import type { MinimumAmount } from '../reminders/money.js';
import type { MailBranding } from '../reminders/mail-template.js';
import type { ListColumns } from '../reminders/rules.js';
import type { StatusLists } from '../reminders/status.js';

/** Which Key Vault secret holds the app's credential, and what kind it is. */
export interface ClientCredentialSource {
  readonly kind: 'secret' | 'certificate';
  /** Name of the Key Vault secret (a certificate is read through the secrets API as PEM). */
  readonly secretName: string;
}

/** How the output queue / ledger storage is reached (connection string, or identity-based URIs). */
export type StorageConnection =
  | { readonly kind: 'connectionString'; readonly connectionString: string }
  | { readonly kind: 'identity'; readonly queueServiceUri: string; readonly tableServiceUri: string };

/** A mailbox reminders are sent from, with its limits (SENDER_MAILBOXES, SENDER_MAILBOX). */
export interface SenderMailbox {
  /** User principal name or object id. */
  readonly mailbox: string;
  readonly messagesPerMinute: number;
  readonly recipientsPerDay: number;
}

/** What reminderDeliver needs besides the daemon's settings. */
export interface DeliveryConfig {
  /** User principal name or object id of the (first) mailbox reminders are sent from; undefined when not set. */
  readonly senderMailbox: string | undefined;
  /** Every sender mailbox (SENDER_MAILBOXES, else SENDER_MAILBOX); empty when neither is set. */
  readonly senders: readonly SenderMailbox[];
  /** First pause of a mailbox that refuses mail without Retry-After, or of an unreachable ledger. */
  readonly retryDelayMs: number;
  /** Keep a copy of each reminder in the sender's Sent Items. */
  readonly saveToSentItems: boolean;
  /** How long a delivery's claim on a reminder holds (see shared/delivery/ledger.ts). */
  readonly claimDurationMs: number;
}

/** How reminder e-mails are written (the MAIL_ settings). */
export interface MailConfig {
  /** Canonical BCP 47 tag of the language for customers without one (or with one that has no strings). */
  readonly defaultLanguage: string;
  /** Sender name, signature, contact line and payment link template, each when set. */
  readonly branding: MailBranding;
}

export interface AppConfig {
  readonly tenantId: string;
  readonly clientId: string;
  /** Origin of the authority host, no trailing slash, e.g. `https://login.microsoftonline.com`. */
  readonly authorityHost: string;
  /** Origin of the vault, no trailing slash. */
  readonly keyVaultUrl: string;
  readonly credential: ClientCredentialSource;
  /** Graph base URL without trailing slash, e.g. `https://graph.microsoft.com/v1.0`. */
  readonly graphBaseUrl: string;
  readonly siteId: string;
  readonly listId: string;
  readonly columns: ListColumns;
  /** Days before the due date on which reminders are due; unique, ascending, each 0..365. */
  readonly reminderDays: readonly number[];
  /** IANA time zone in which due dates are calendar dates. */
  readonly timeZone: string;
  readonly catchUpDays: number;
  /** Open and known closed statuses (OPEN_STATUSES, CLOSED_STATUSES), normalised as status.ts compares them. */
  readonly statuses: StatusLists;
  readonly minimumAmount: MinimumAmount;
  /** NCRONTAB (6 fields), as given. */
  readonly schedule: string;
  readonly queueName: string;
  readonly storage: StorageConnection;
  /** Per-request timeout for Graph, Key Vault and token requests. */
  readonly httpTimeoutMs: number;
  /**
   * How long one run (a sweep, its retries included) may take; then it stops with RunTimeBudgetExceeded, or at once
   * with the Graph error when a retry could not start within it.
   * Below host.json `functionTimeout`, so that a run fails with a reason instead of being killed.
   */
  readonly runTimeBudgetMs: number;
  /** How long a secret read from Key Vault is reused before it is read again. */
  readonly secretCacheTtlMs: number;
  /** How many due-date ranges are fetched from Graph at once. */
  readonly graphConcurrency: number;
  /** How long delivery verifies reminders against one read of the due window (VERIFY_SNAPSHOT_SECONDS). */
  readonly verifySnapshotMs: number;
  /** Table of the idempotency ledger, in the AzureWebJobsStorage account. */
  readonly ledgerTable: string;
  /** The run history (shared/history/): its table, in the AzureWebJobsStorage account, and how long runs stay. */
  readonly runHistory: { readonly table: string; readonly retentionDays: number };
  readonly delivery: DeliveryConfig;
  readonly mail: MailConfig;
}

/** The configuration reminderDeliver runs with: the sender mailbox is set. */
export type DeliveryAppConfig = AppConfig & { readonly delivery: DeliveryConfig & { readonly senderMailbox: string } };

export interface LoadConfigOptions {
  /** Also require what only reminderDeliver needs (SENDER_MAILBOX), so that one error lists every problem. */
  readonly requireDelivery?: boolean;
}

/** The settings as the process sees them (environment, or `local.settings.json` `Values`). */
export type SettingsSource = Readonly<Record<string, string | undefined>>;
