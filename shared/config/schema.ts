/**
 * Every setting, declared once: name, rule, default or requirement, description. The loader, the
 * `SETTINGS` names, the defaults, the README's settings table and local.settings.sample.json
 * (`npm run docs`) all come from here. Order matters: it is the table's and the sample's, and
 * problems are reported in it.
 */
import { conditional, declarationsOf, defaulted, mapTree, required } from './declaration.js';
import type { Conditional, Required, SettingDeclaration, SettingTree } from './declaration.js';
import * as mailRules from './mail-rules.js';
import * as rules from './rules.js';
import { connectionString } from './connection-string.js';
import { senderMailboxes } from './sender-mailboxes.js';

export const SETTING_SCHEMA = {
  tenantId: required('ENTRA_TENANT_ID', rules.tenantId, {
    description: "directory (tenant) id (GUID) or verified domain of the daemon's app registration",
    sample: '<directory (tenant) id>',
  }),
  clientId: required('ENTRA_CLIENT_ID', rules.guid('the application (client) ID'), {
    description: 'application (client) id of the app registration',
    sample: '<application (client) id>',
  }),
  authorityHost: defaulted(
    'ENTRA_AUTHORITY_HOST',
    'https://login.microsoftonline.com',
    rules.httpsOrigin('login.microsoftonline.com'),
    'authority host (national clouds, the local stack)',
  ),
  keyVaultUrl: required('KEY_VAULT_URL', rules.httpsOrigin('my-vault.vault.azure.net'), {
    description: 'the vault holding the credential, `https://NAME.vault.azure.net`',
    sample: 'https://<vault name>.vault.azure.net',
  }),
  clientSecretName: conditional('CLIENT_SECRET_NAME', rules.secretName, {
    description: "Key Vault secret holding the app's client secret",
    when: 'this or `CLIENT_CERTIFICATE_NAME`',
    sample: 'due-notifier-client-secret',
  }),
  clientCertificateName: conditional('CLIENT_CERTIFICATE_NAME', rules.secretName, {
    description: "Key Vault secret holding the app's certificate (PEM: private key + certificate)",
    when: 'this or `CLIENT_SECRET_NAME`',
  }),
  graphBaseUrl: defaulted(
    'GRAPH_BASE_URL',
    'https://graph.microsoft.com/v1.0',
    rules.httpsBaseUrl('graph.microsoft.com/v1.0'),
    'Graph endpoint; the token is sent to this origin only',
  ),
  siteId: required('OBLIGATIONS_SITE_ID', rules.siteId, {
    description: 'the SharePoint site of the obligations list, `{hostname},{siteCollectionId},{webId}`',
    sample: '<hostname>,<site collection id>,<web id>',
  }),
  listId: required('OBLIGATIONS_LIST_ID', rules.listId, {
    description: 'the obligations list: its id or title',
    sample: '<list id or title>',
  }),
  reminderDays: defaulted('REMINDER_DAYS', '7,3,1', rules.reminderDays, 'days before the due date'),
  // No default: Graph returns date-only due dates as instants of midnight in the site's zone, and a
  // default that is not the site's zone would move every due date by a day (README, "Reminder rules").
  timeZone: required('REMINDER_TIME_ZONE', rules.timeZone, {
    description:
      "IANA zone in which due dates are calendar dates: the SharePoint site's (Site settings › Regional settings), e.g. `Europe/Berlin`",
    sample: '<IANA time zone of the SharePoint site, e.g. Europe/Berlin>',
  }),
  catchUpDays: defaulted(
    'CATCH_UP_DAYS',
    '2',
    rules.wholeNumber('days', 0, 30),
    'how far back a run makes up for missed runs',
  ),
  openStatuses: defaulted(
    'OPEN_STATUSES',
    '(empty),Open,Unpaid,Due,Overdue,Partially Paid',
    rules.statusList,
    'statuses that get reminders (any case; `(empty)`: no status); every other status is skipped',
  ),
  closedStatuses: defaulted(
    'CLOSED_STATUSES',
    [
      'Paid,Cancelled,Canceled,Closed,Disputed,Written off,Settled,Void,Refunded',
      'Bezahlt,Erledigt,Storniert,Geschlossen,Abgeschrieben,Bestritten',
      'Payé,Payée,Réglé,Annulé,Annulée,Clôturé,Contesté',
      'Pagato,Saldato,Annullato,Chiuso,Contestato',
      'Betaald,Geannuleerd,Gesloten,Afgeschreven,Betwist',
      'Pagado,Cancelado,Anulado,Cerrado,Disputado',
    ].join(','),
    rules.statusList,
    'statuses known to be closed: skipped as `statusClosed`; a status in neither list is skipped as `statusUnknown` (a typo to fix)',
  ),
  minimumAmount: defaulted(
    'MINIMUM_AMOUNT',
    '0',
    rules.minimumAmount,
    'least amount that gets a reminder, e.g. `5` or `5, JPY 500` (per currency); an amount that rounds to zero never does',
  ),
  // The two binding settings have no default: the host resolves %NOTIFY_SCHEDULE% and %NOTIFICATION_QUEUE%
  // from app settings alone, and does not index a function whose binding does not resolve.
  schedule: required('NOTIFY_SCHEDULE', rules.schedule, {
    description:
      "`reminderTimer`'s NCRONTAB (6 fields, seconds first; UTC unless `WEBSITE_TIME_ZONE`), e.g. `0 0 7 * * *`",
    sample: '0 0 7 * * *',
  }),
  queueName: required('NOTIFICATION_QUEUE', rules.queueName, {
    description:
      "output queue and `reminderDeliver`'s trigger, e.g. `reminders`; at most 56 characters, for `<name>-poison`",
    sample: 'reminders',
  }),
  storage: conditional('AzureWebJobsStorage', connectionString, {
    description: 'storage connection string; `UseDevelopmentStorage=true` locally (Azurite)',
    when: 'this or an identity-based connection (below)',
    sample: 'UseDevelopmentStorage=true',
  }),
  storageQueueServiceUri: conditional(
    'AzureWebJobsStorage__queueServiceUri',
    rules.httpsBaseUrl('mystorageaccount.queue.core.windows.net'),
    {
      description: "identity-based storage: the queue service's URI (then `__tableServiceUri` too)",
      when: 'without `AzureWebJobsStorage`: this or `__accountName`',
    },
  ),
  storageTableServiceUri: conditional(
    'AzureWebJobsStorage__tableServiceUri',
    rules.httpsBaseUrl('mystorageaccount.table.core.windows.net'),
    {
      description: "identity-based storage: the table service's URI (the ledger's)",
      when: 'with `__queueServiceUri`',
    },
  ),
  storageAccountName: conditional('AzureWebJobsStorage__accountName', rules.storageAccount, {
    description: 'identity-based storage: the account name, for its public-cloud service URIs',
    when: 'without `AzureWebJobsStorage`: this or `__queueServiceUri`',
  }),
  senderMailbox: conditional('SENDER_MAILBOX', rules.mailbox, {
    description: 'UPN or object id of the mailbox `reminderDeliver` sends from',
    when: 'required for delivery',
    sample: 'billing@contoso.com',
  }),
  senderMailboxes: conditional('SENDER_MAILBOXES', senderMailboxes, {
    description:
      'several mailboxes to send from, reminders spread over them by id, each with its own pace and daily budget (`mailbox|per minute|per day` overrides the two settings below); replaces `SENDER_MAILBOX`',
    when: 'optional',
  }),
  mailMessagesPerMinute: defaulted(
    'MAIL_MESSAGES_PER_MINUTE',
    '30',
    rules.wholeNumber('messages', 1, 100_000),
    "each sender mailbox's pace (Exchange Online: 30 a minute); the app sends about 5 % below it, shared by every instance",
  ),
  mailRecipientsPerDay: defaulted(
    'MAIL_RECIPIENTS_PER_DAY',
    '10000',
    rules.wholeNumber('recipients', 1, 10_000_000),
    "each sender mailbox's recipients per 24 hours (Exchange Online: 10,000); what does not fit is deferred to the next day",
  ),
  deliveryRetryDelaySeconds: defaulted(
    'DELIVERY_RETRY_DELAY_SECONDS',
    '60',
    rules.wholeNumber('seconds', 1, 3600),
    'first pause of a mailbox that refuses mail without `Retry-After` (423, 409, …) or of an unreachable ledger; doubles up to 16 times it',
  ),
  saveToSentItems: defaulted('SAVE_TO_SENT_ITEMS', 'false', rules.boolean, "keep a copy in the sender's Sent Items"),
  mail: {
    defaultLanguage: defaulted(
      'MAIL_DEFAULT_LANGUAGE',
      'en',
      mailRules.languageTag,
      "language of the e-mail when the customer's `Language` is empty or has no strings in `templates/strings/`",
    ),
    senderName: conditional('MAIL_SENDER_NAME', mailRules.mailText(100), {
      description:
        "name in the e-mail's header and sign-off, e.g. `Contoso Bank`; the From name is the sender mailbox's display name",
      when: 'optional',
      sample: 'Contoso Payments',
    }),
    signature: conditional('MAIL_SIGNATURE', mailRules.mailText(500), {
      description: 'signature block under the message; `\\n` starts a new line',
      when: 'optional',
    }),
    contact: conditional('MAIL_CONTACT', mailRules.mailText(300), {
      description: 'contact line for questions, e.g. a phone number and an address',
      when: 'optional',
    }),
    paymentUrl: conditional('MAIL_PAYMENT_URL', mailRules.paymentUrl, {
      description:
        'payment link (https): `{reference}`, `{amount}` (decimal, e.g. `1250.00`) and `{currency}` are filled in, URL-encoded',
      when: 'optional',
    }),
  },
  telemetry: {
    applicationInsights: conditional(
      'APPLICATIONINSIGHTS_CONNECTION_STRING',
      rules.applicationInsightsConnectionString,
      {
        description:
          'exports traces, metrics and logs to Application Insights (Azure Monitor exporter; README, "Telemetry")',
        when: 'optional',
      },
    ),
    otlpEndpoint: conditional('OTEL_EXPORTER_OTLP_ENDPOINT', rules.otlpEndpoint, {
      description:
        'exports traces, metrics and logs over OTLP/HTTP to this collector (`/v1/traces`, … appended); neither set: no telemetry SDK loads',
      when: 'optional',
    }),
  },
  ledgerTable: defaulted('LEDGER_TABLE', 'reminderledger', rules.tableName, 'idempotency ledger table'),
  runHistory: {
    table: defaulted(
      'RUN_HISTORY_TABLE',
      'reminderruns',
      rules.tableName,
      'run history table: each run and its deliveries (`npm run runs`, `GET /api/reminders/runs`)',
    ),
    retentionDays: defaulted(
      'RUN_HISTORY_RETENTION_DAYS',
      '90',
      rules.wholeNumber('days', 1, 3650),
      'how long runs stay in the run history; older ones are deleted, a few at the end of each timer run',
    ),
  },
  deliveryClaimSeconds: defaulted(
    'DELIVERY_CLAIM_SECONDS',
    '300',
    rules.wholeNumber('seconds', 60, 3600),
    "how long a delivery's claim on a reminder holds; at least `HTTP_TIMEOUT_SECONDS` + 30",
  ),
  httpTimeoutSeconds: defaulted(
    'HTTP_TIMEOUT_SECONDS',
    '30',
    rules.wholeNumber('seconds', 1, 230),
    'per-request timeout (Graph, Key Vault, Entra ID)',
  ),
  runTimeBudgetSeconds: defaulted(
    'RUN_TIME_BUDGET_SECONDS',
    // 9 minutes: host.json's functionTimeout is 10.
    '540',
    rules.wholeNumber('seconds', 1, 86_400),
    'time a whole run may take, retries and waits included; then it fails with `RunTimeBudgetExceeded` (or at once with `GraphThrottled` / `GraphUnavailable` when a Graph retry could not start within it) and enqueues nothing. Keep it below `functionTimeout` in `host.json` (10 minutes)',
  ),
  secretCacheTtlSeconds: defaulted(
    'SECRET_CACHE_TTL_SECONDS',
    '3600',
    rules.wholeNumber('seconds', 0, 86_400),
    'how long a secret read from Key Vault is reused (a rejected secret is re-read at once)',
  ),
  graphConcurrency: defaulted(
    'GRAPH_CONCURRENCY',
    '4',
    rules.wholeNumber('requests', 1, 16),
    'disjoint due-date ranges read from Graph at once',
  ),
  verifySnapshotSeconds: defaulted(
    'VERIFY_SNAPSHOT_SECONDS',
    '300',
    rules.wholeNumber('seconds', 0, 3600),
    "how long delivery reuses its read of the list's due window to verify reminders before sending (docs/delivery.md); 0: a read per delivery",
  ),
  columns: {
    reference: defaulted('LIST_COLUMN_REFERENCE', 'Title', rules.columnName, 'internal name of the reference column'),
    customerName: defaulted(
      'LIST_COLUMN_CUSTOMER_NAME',
      'CustomerName',
      rules.columnName,
      "internal name of the customer's name column",
    ),
    customerEmail: defaulted(
      'LIST_COLUMN_CUSTOMER_EMAIL',
      'CustomerEmail',
      rules.columnName,
      "internal name of the customer's e-mail column",
    ),
    dueDate: defaulted(
      'LIST_COLUMN_DUE_DATE',
      'DueDate',
      rules.columnName,
      'internal name of the due date column (indexed)',
    ),
    amountDue: defaulted('LIST_COLUMN_AMOUNT_DUE', 'AmountDue', rules.columnName, 'internal name of the amount column'),
    currency: defaulted('LIST_COLUMN_CURRENCY', 'Currency', rules.columnName, 'internal name of the currency column'),
    status: defaulted('LIST_COLUMN_STATUS', 'Status', rules.columnName, 'internal name of the status column'),
    language: defaulted(
      'LIST_COLUMN_LANGUAGE',
      'Language',
      rules.columnName,
      "internal name of the customer's language column (optional; a BCP 47 tag such as `de` or `fr-CH`)",
    ),
  },
} as const satisfies SettingTree;

export type SettingSchema = typeof SETTING_SCHEMA;

type NamesOf<S extends SettingTree> = {
  readonly [K in keyof S]: S[K] extends SettingDeclaration ? string : S[K] extends SettingTree ? NamesOf<S[K]> : never;
};

type DefaultsOf<S extends SettingTree> = {
  readonly [
    K in keyof S as S[K] extends SettingDeclaration<unknown, Required | Conditional> ? never : K
  ]: S[K] extends SettingDeclaration ? string : S[K] extends SettingTree ? DefaultsOf<S[K]> : never;
};

/** Names of the settings, as they appear in app settings and `local.settings.json`. */
export const SETTINGS = mapTree(SETTING_SCHEMA, (declaration) => declaration.name) as NamesOf<SettingSchema>;

/** Values used for settings that are absent (or empty), as text. */
export const SETTING_DEFAULTS = mapTree(SETTING_SCHEMA, ({ presence }) =>
  presence.kind === 'default' ? presence.value : undefined,
) as DefaultsOf<SettingSchema>;

/** Every declaration, in order. */
export const SETTING_DECLARATIONS: readonly SettingDeclaration[] = Object.freeze(declarationsOf(SETTING_SCHEMA));
