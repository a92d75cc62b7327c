/**
 * The daemon's settings, read and validated once. (Types first: `loadConfig` is implemented below them.)
 */

/** Internal names of the SharePoint list columns the daemon reads. */
export interface ListColumns {
  readonly reference: string;
  readonly customerName: string;
  readonly customerEmail: string;
  readonly dueDate: string;
  readonly amountDue: string;
  readonly currency: string;
  readonly status: string;
}

/** Which Key Vault secret holds the app's credential, and what kind it is. */
export interface ClientCredentialSource {
  readonly kind: 'secret' | 'certificate';
  /** Name of the Key Vault secret (a certificate is read through the secrets API as PEM). */
  readonly secretName: string;
}

/** How the output queue / ledger storage is reached (connection string, or identity-based URIs). */
export type StorageConnection =
  | { readonly kind: 'connectionString'; readonly connectionString: string }
  | { readonly kind: 'identity'; readonly queueServiceUri: string; readonly tableServiceUri?: string };

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
  /** NCRONTAB (6 fields), as given. */
  readonly schedule: string;
  readonly queueName: string;
  readonly storage: StorageConnection;
  /** Per-request timeout for Graph, Key Vault and token requests. */
  readonly httpTimeoutMs: number;
  /** How long a secret read from Key Vault is reused before it is read again. */
  readonly secretCacheTtlMs: number;
  /** How many due-date ranges are fetched from Graph at once. */
  readonly graphConcurrency: number;
}
