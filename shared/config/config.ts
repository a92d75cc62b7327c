/**
 * The daemon's settings, read and validated once. (Types first: `loadConfig` is implemented below them.)
 */

import { isValidTimeZone } from '../reminders/calendar.js';
import { ConfigError } from '../base/errors.js';
import { ncrontabProblem } from './ncrontab.js';
import { isPlausibleEmailAddress } from '../reminders/rules.js';
import type { ListColumns } from '../reminders/rules.js';

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

/** What reminderDeliver needs besides the daemon's settings. */
export interface DeliveryConfig {
  /** User principal name or object id of the mailbox reminders are sent from; undefined when not set. */
  readonly senderMailbox: string | undefined;
  /** Keep a copy of each reminder in the sender's Sent Items. */
  readonly saveToSentItems: boolean;
  /** How long a delivery's claim on a reminder holds (see shared/ledger.ts). */
  readonly claimDurationMs: number;
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
  /** NCRONTAB (6 fields), as given. */
  readonly schedule: string;
  readonly queueName: string;
  readonly storage: StorageConnection;
  /** Per-request timeout for Graph, Key Vault and token requests. */
  readonly httpTimeoutMs: number;
  /**
   * How long one run (a sweep, its retries included) may take; then it stops with RunTimeBudgetExceeded.
   * Below host.json `functionTimeout`, so that a run fails with a reason instead of being killed.
   */
  readonly runTimeBudgetMs: number;
  /** How long a secret read from Key Vault is reused before it is read again. */
  readonly secretCacheTtlMs: number;
  /** How many due-date ranges are fetched from Graph at once. */
  readonly graphConcurrency: number;
  /** Table of the idempotency ledger, in the AzureWebJobsStorage account. */
  readonly ledgerTable: string;
  readonly delivery: DeliveryConfig;
}

/** The configuration reminderDeliver runs with: the sender mailbox is set. */
export type DeliveryAppConfig = AppConfig & { readonly delivery: DeliveryConfig & { readonly senderMailbox: string } };

export interface LoadConfigOptions {
  /** Also require what only reminderDeliver needs (SENDER_MAILBOX), so that one error lists every problem. */
  readonly requireDelivery?: boolean;
}

/** The settings as the process sees them (environment, or `local.settings.json` `Values`). */
export type SettingsSource = Readonly<Record<string, string | undefined>>;

/** Names of the settings, as they appear in app settings and `local.settings.json`. */
export const SETTINGS = Object.freeze({
  tenantId: 'ENTRA_TENANT_ID',
  clientId: 'ENTRA_CLIENT_ID',
  authorityHost: 'ENTRA_AUTHORITY_HOST',
  keyVaultUrl: 'KEY_VAULT_URL',
  clientSecretName: 'CLIENT_SECRET_NAME',
  clientCertificateName: 'CLIENT_CERTIFICATE_NAME',
  graphBaseUrl: 'GRAPH_BASE_URL',
  siteId: 'OBLIGATIONS_SITE_ID',
  listId: 'OBLIGATIONS_LIST_ID',
  reminderDays: 'REMINDER_DAYS',
  timeZone: 'REMINDER_TIME_ZONE',
  catchUpDays: 'CATCH_UP_DAYS',
  schedule: 'NOTIFY_SCHEDULE',
  queueName: 'NOTIFICATION_QUEUE',
  storage: 'AzureWebJobsStorage',
  storageQueueServiceUri: 'AzureWebJobsStorage__queueServiceUri',
  storageTableServiceUri: 'AzureWebJobsStorage__tableServiceUri',
  storageAccountName: 'AzureWebJobsStorage__accountName',
  httpTimeoutSeconds: 'HTTP_TIMEOUT_SECONDS',
  runTimeBudgetSeconds: 'RUN_TIME_BUDGET_SECONDS',
  secretCacheTtlSeconds: 'SECRET_CACHE_TTL_SECONDS',
  graphConcurrency: 'GRAPH_CONCURRENCY',
  ledgerTable: 'LEDGER_TABLE',
  senderMailbox: 'SENDER_MAILBOX',
  saveToSentItems: 'SAVE_TO_SENT_ITEMS',
  deliveryClaimSeconds: 'DELIVERY_CLAIM_SECONDS',
  columns: Object.freeze({
    reference: 'LIST_COLUMN_REFERENCE',
    customerName: 'LIST_COLUMN_CUSTOMER_NAME',
    customerEmail: 'LIST_COLUMN_CUSTOMER_EMAIL',
    dueDate: 'LIST_COLUMN_DUE_DATE',
    amountDue: 'LIST_COLUMN_AMOUNT_DUE',
    currency: 'LIST_COLUMN_CURRENCY',
    status: 'LIST_COLUMN_STATUS',
  }),
});

/**
 * A delivery stops sending this long before its claim on a reminder ends, to record the outcome while
 * the claim is still its own; DELIVERY_CLAIM_SECONDS must leave room for a request on top of it.
 */
export const CLAIM_RECORD_MARGIN_MS = 30_000;

/** Values used for settings that are absent (or empty). */
export const SETTING_DEFAULTS = Object.freeze({
  authorityHost: 'https://login.microsoftonline.com',
  graphBaseUrl: 'https://graph.microsoft.com/v1.0',
  reminderDays: '7,3,1',
  timeZone: 'UTC',
  catchUpDays: '2',
  schedule: '0 0 7 * * *',
  queueName: 'reminders',
  httpTimeoutSeconds: '30',
  /** 9 minutes: host.json's functionTimeout is 10. */
  runTimeBudgetSeconds: '540',
  secretCacheTtlSeconds: '3600',
  graphConcurrency: '4',
  ledgerTable: 'reminderledger',
  saveToSentItems: 'false',
  deliveryClaimSeconds: '300',
  columns: Object.freeze({
    reference: 'Title',
    customerName: 'CustomerName',
    customerEmail: 'CustomerEmail',
    dueDate: 'DueDate',
    amountDue: 'AmountDue',
    currency: 'Currency',
    status: 'Status',
  } satisfies ListColumns),
});

/**
 * Reads and validates every setting. Problems are collected, not stopped at, so that one error lists
 * all of them: a ConfigError whose `setting` is the first bad setting and whose one-line message
 * names each bad setting, what was found and what is expected. Values that may hold secrets (storage
 * connection strings) are never echoed. Returns a deep-frozen AppConfig.
 */
export function loadConfig(env: SettingsSource): AppConfig;
export function loadConfig(
  env: SettingsSource,
  options: LoadConfigOptions & { readonly requireDelivery: true },
): DeliveryAppConfig;
export function loadConfig(env: SettingsSource, options?: LoadConfigOptions): AppConfig;
export function loadConfig(env: SettingsSource, options: LoadConfigOptions = {}): AppConfig {
  const settings = new SettingsReader(env);
  // Read in the order of the settings table, so that problems are listed in that order too.
  const config: Settled<AppConfig> = {
    tenantId: settings.required(SETTINGS.tenantId, tenantIdRule),
    clientId: settings.required(SETTINGS.clientId, guidRule('the application (client) ID')),
    authorityHost: settings.optional(
      SETTINGS.authorityHost,
      SETTING_DEFAULTS.authorityHost,
      httpsOriginRule('login.microsoftonline.com'),
    ),
    keyVaultUrl: settings.required(SETTINGS.keyVaultUrl, httpsOriginRule('my-vault.vault.azure.net')),
    credential: readCredentialSource(settings),
    graphBaseUrl: settings.optional(
      SETTINGS.graphBaseUrl,
      SETTING_DEFAULTS.graphBaseUrl,
      httpsBaseUrlRule('graph.microsoft.com/v1.0'),
    ),
    siteId: settings.required(SETTINGS.siteId, siteIdRule),
    listId: settings.required(SETTINGS.listId, listIdRule),
    columns: settledOrUndefined(readColumns(settings)),
    reminderDays: settings.optional(SETTINGS.reminderDays, SETTING_DEFAULTS.reminderDays, reminderDaysRule),
    timeZone: settings.optional(SETTINGS.timeZone, SETTING_DEFAULTS.timeZone, timeZoneRule),
    catchUpDays: settings.optional(SETTINGS.catchUpDays, SETTING_DEFAULTS.catchUpDays, wholeNumberRule('days', 0, 30)),
    schedule: settings.optional(SETTINGS.schedule, SETTING_DEFAULTS.schedule, scheduleRule),
    queueName: settings.optional(SETTINGS.queueName, SETTING_DEFAULTS.queueName, queueNameRule),
    storage: readStorageConnection(settings),
    httpTimeoutMs: secondsToMs(
      settings.optional(
        SETTINGS.httpTimeoutSeconds,
        SETTING_DEFAULTS.httpTimeoutSeconds,
        wholeNumberRule('seconds', 1, 230),
      ),
    ),
    runTimeBudgetMs: secondsToMs(
      settings.optional(
        SETTINGS.runTimeBudgetSeconds,
        SETTING_DEFAULTS.runTimeBudgetSeconds,
        wholeNumberRule('seconds', 1, 86_400),
      ),
    ),
    secretCacheTtlMs: secondsToMs(
      settings.optional(
        SETTINGS.secretCacheTtlSeconds,
        SETTING_DEFAULTS.secretCacheTtlSeconds,
        wholeNumberRule('seconds', 0, 86_400),
      ),
    ),
    graphConcurrency: settings.optional(
      SETTINGS.graphConcurrency,
      SETTING_DEFAULTS.graphConcurrency,
      wholeNumberRule('requests', 1, 16),
    ),
    ledgerTable: settings.optional(SETTINGS.ledgerTable, SETTING_DEFAULTS.ledgerTable, tableNameRule),
    delivery: readDeliveryConfig(settings, options.requireDelivery ?? false),
  };
  if (settings.problems.length > 0 || !isSettled(config)) {
    throw configErrorFor(settings.problems);
  }
  return deepFreeze(config);
}

// ---------------------------------------------------------------------------------------------
// Reading settings and collecting problems

interface Problem {
  readonly setting: string;
  readonly message: string;
}

/** A value that does not fit; `reason`, if given, says why (the rule's `expected` says what fits). */
class Rejection {
  constructor(readonly reason?: string) {}
}

interface SettingRule<T> {
  /** What a valid value looks like, completing "SETTING must be …". */
  readonly expected: string;
  readonly parse: (text: string) => T | Rejection;
  /** How the found value may be quoted in a message; undefined: not at all (it may be a secret). */
  readonly show?: (text: string) => string | undefined;
}

/** Each field possibly undefined: what was read before knowing whether everything was valid. */
type Settled<T> = { [K in keyof T]: T[K] | undefined };

function isSettled<T extends object>(values: Settled<T>): values is T {
  return Object.values(values).every((value) => value !== undefined);
}

function settledOrUndefined<T extends object>(values: Settled<T>): T | undefined {
  return isSettled(values) ? values : undefined;
}

const MAX_SHOWN_LENGTH = 80;

function quote(text: string): string {
  return JSON.stringify(text.length > MAX_SHOWN_LENGTH ? `${text.slice(0, MAX_SHOWN_LENGTH)}…` : text);
}

class SettingsReader {
  readonly problems: Problem[] = [];

  constructor(private readonly env: SettingsSource) {}

  /** The trimmed value, or undefined when absent or blank (blank counts as not set). */
  text(setting: string): string | undefined {
    const value = this.env[setting]?.trim();
    return value === '' ? undefined : value;
  }

  report(setting: string, message: string): undefined {
    this.problems.push({ setting, message });
    return undefined;
  }

  required<T>(setting: string, rule: SettingRule<T>): T | undefined {
    const text = this.text(setting);
    return text === undefined
      ? this.report(setting, `${setting} is required: set it to ${rule.expected}`)
      : this.parse(setting, text, rule);
  }

  optional<T>(setting: string, defaultText: string, rule: SettingRule<T>): T | undefined {
    return this.parse(setting, this.text(setting) ?? defaultText, rule);
  }

  parse<T>(setting: string, text: string, rule: SettingRule<T>): T | undefined {
    const parsed = rule.parse(text);
    if (!(parsed instanceof Rejection)) {
      return parsed;
    }
    const shown = (rule.show ?? quote)(text);
    const found =
      shown === undefined ? '' : ` (got ${shown}${parsed.reason === undefined ? '' : `: ${parsed.reason}`})`;
    const unshownReason = shown === undefined && parsed.reason !== undefined ? ` (${parsed.reason})` : '';
    return this.report(setting, `${setting} must be ${rule.expected}${found}${unshownReason}`);
  }
}

function configErrorFor(problems: readonly Problem[]): ConfigError {
  const [first] = problems;
  if (first === undefined) {
    // Unreachable while every reader reports a problem whenever it returns undefined.
    return new ConfigError('(unknown)', 'The configuration is incomplete');
  }
  if (problems.length === 1) {
    return new ConfigError(first.setting, first.message);
  }
  const listed = problems.map((problem, index) => `(${index + 1}) ${problem.message}`).join(' ');
  return new ConfigError(first.setting, `${problems.length} settings are invalid: ${listed}`);
}

function secondsToMs(seconds: number | undefined): number | undefined {
  return seconds === undefined ? undefined : seconds * 1000;
}

function deepFreeze<T>(value: T): T {
  if (typeof value === 'object' && value !== null && !Object.isFrozen(value)) {
    for (const nested of Object.values(value)) {
      deepFreeze(nested);
    }
    Object.freeze(value);
  }
  return value;
}

// ---------------------------------------------------------------------------------------------
// Rules for single settings

const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const DNS_LABEL = /^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$/i;
const TOP_LEVEL_DOMAIN = /^[a-z]{2,63}$/i;
/** Accepted by Entra for interactive sign-in only: an app-only token needs one specific tenant. */
const MULTI_TENANT_ALIASES: ReadonlySet<string> = new Set(['common', 'organizations', 'consumers']);
/** Key Vault secret names. */
const SECRET_NAME = /^[0-9a-zA-Z-]{1,127}$/;
/** Characters SharePoint does not allow in list names (plus control characters and the URL path separator). */
const LIST_TITLE = /^[^\p{Cc}~"#%&*:<>?/\\{|}]{1,255}$/u;
/** SharePoint internal column names: `_x0020_`-style escapes keep them to letters, digits and `_`. */
const COLUMN_INTERNAL_NAME = /^[A-Za-z_][A-Za-z0-9_]{0,254}$/;
const QUEUE_NAME_PATTERN = /^[a-z0-9]+(?:-[a-z0-9]+)*$/;
const TABLE_NAME = /^[A-Za-z][A-Za-z0-9]{2,62}$/;
const STORAGE_ACCOUNT_NAME = /^[a-z0-9]{3,24}$/;
const DAY_LIST_ITEM = /^\d{1,3}$/;
const MAX_REMINDER_DAY = 365;

function isDomainName(text: string): boolean {
  const labels = text.split('.');
  return (
    labels.length >= 2 && labels.every((label) => DNS_LABEL.test(label)) && TOP_LEVEL_DOMAIN.test(labels.at(-1) ?? '')
  );
}

function guidRule(what: string): SettingRule<string> {
  return {
    expected: `${what}, a GUID such as "00000000-0000-0000-0000-000000000000"`,
    parse: (text) => (GUID.test(text) ? text : new Rejection()),
  };
}

const tenantIdRule: SettingRule<string> = {
  expected: 'the directory (tenant) ID, a GUID, or a verified domain of the tenant such as "contoso.onmicrosoft.com"',
  parse(text) {
    if (MULTI_TENANT_ALIASES.has(text.toLowerCase())) {
      return new Rejection('an app-only token must come from one specific tenant');
    }
    return GUID.test(text) || isDomainName(text) ? text : new Rejection();
  },
};

/** Shows a URL without credentials, query or fragment; unparseable text only if plainly harmless. */
function showUrl(text: string): string | undefined {
  try {
    const url = new URL(text);
    return quote(`${url.protocol}//${url.host}${url.pathname}`);
  } catch {
    return /^[\w.:/-]*$/.test(text) ? quote(text) : undefined;
  }
}

function parseHttpsUrl(text: string): URL | Rejection {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    return new Rejection('not an absolute URL');
  }
  if (url.protocol === 'http:') {
    return new Rejection('https is required, locally too');
  }
  if (url.protocol !== 'https:') {
    return new Rejection('not an https URL');
  }
  if (url.username !== '' || url.password !== '') {
    return new Rejection('a URL with credentials in it');
  }
  if (url.search !== '' || url.hash !== '') {
    return new Rejection('a URL with a query or fragment');
  }
  return url;
}

/** An https origin: scheme, host and port only. Normalised to `https://host[:port]`. */
function httpsOriginRule(example: string): SettingRule<string> {
  return {
    expected: `an https URL of the host alone, e.g. "https://${example}"`,
    show: showUrl,
    parse(text) {
      const url = parseHttpsUrl(text);
      if (url instanceof Rejection) return url;
      return url.pathname === '/' ? url.origin : new Rejection('a path is not expected');
    },
  };
}

/** An https base URL, path allowed. Normalised without a trailing slash. */
function httpsBaseUrlRule(example: string): SettingRule<string> {
  return {
    expected: `an https URL, e.g. "https://${example}"`,
    show: showUrl,
    parse(text) {
      const url = parseHttpsUrl(text);
      return url instanceof Rejection ? url : `${url.origin}${url.pathname.replace(/\/+$/, '')}`;
    },
  };
}

const siteIdRule: SettingRule<string> = {
  expected:
    'the Graph site ID "{hostname},{site collection GUID},{web GUID}" that GET /sites/{hostname}:/sites/{path} returns, e.g. "contoso.sharepoint.com,00000000-0000-0000-0000-000000000000,00000000-0000-0000-0000-000000000000"',
  parse(text) {
    const [hostname = '', siteCollectionId = '', webId = '', ...rest] = text.split(',');
    const valid =
      rest.length === 0 &&
      GUID.test(siteCollectionId) &&
      GUID.test(webId) &&
      (isDomainName(hostname) || hostname === 'localhost');
    return valid ? text : new Rejection();
  },
};

const listIdRule: SettingRule<string> = {
  expected: 'the list ID (a GUID) or the list title',
  parse: (text) => (GUID.test(text) || LIST_TITLE.test(text) ? text : new Rejection()),
};

const reminderDaysRule: SettingRule<readonly number[]> = {
  expected: `a comma-separated list of distinct whole days between 0 and ${MAX_REMINDER_DAY}, e.g. "7,3,1"`,
  parse(text) {
    const items = text.split(',').map((item) => item.trim());
    if (!items.every((item) => DAY_LIST_ITEM.test(item) && Number(item) <= MAX_REMINDER_DAY)) {
      return new Rejection();
    }
    const days = items.map(Number);
    const repeated = days.find((day, index) => days.indexOf(day) !== index);
    if (repeated !== undefined) {
      return new Rejection(`${repeated} is listed twice`);
    }
    return days.sort((a, b) => a - b);
  },
};

const timeZoneRule: SettingRule<string> = {
  expected: 'an IANA time zone name such as "Europe/Berlin" or "UTC"',
  parse: (text) => (isValidTimeZone(text) ? text : new Rejection()),
};

function wholeNumberRule(unit: string, min: number, max: number): SettingRule<number> {
  return {
    expected: `a whole number of ${unit} from ${min} to ${max}`,
    parse: (text) =>
      /^\d{1,9}$/.test(text) && Number(text) >= min && Number(text) <= max ? Number(text) : new Rejection(),
  };
}

const scheduleRule: SettingRule<string> = {
  expected:
    'a six-field NCRONTAB expression "{second} {minute} {hour} {day} {month} {day-of-week}", e.g. "0 0 7 * * *"',
  parse(text) {
    const problem = ncrontabProblem(text);
    return problem === undefined ? text.split(/\s+/).join(' ') : new Rejection(problem);
  },
};

const queueNameRule: SettingRule<string> = {
  expected:
    'a storage queue name: 3 to 63 lower-case letters, digits and single hyphens, starting and ending with a letter or digit',
  parse: (text) => (text.length >= 3 && text.length <= 63 && QUEUE_NAME_PATTERN.test(text) ? text : new Rejection()),
};

const secretNameRule: SettingRule<string> = {
  expected: 'a Key Vault secret name: 1 to 127 letters, digits and hyphens',
  parse: (text) => (SECRET_NAME.test(text) ? text : new Rejection()),
};

const tableNameRule: SettingRule<string> = {
  expected: 'a storage table name: 3 to 63 letters and digits, starting with a letter (not "tables")',
  parse: (text) => (TABLE_NAME.test(text) && text.toLowerCase() !== 'tables' ? text : new Rejection()),
};

const mailboxRule: SettingRule<string> = {
  expected:
    'the user principal name (e.g. "billing@contoso.com") or object id (a GUID) of the mailbox reminders are sent from',
  parse: (text) => (GUID.test(text) || isPlausibleEmailAddress(text) ? text : new Rejection()),
};

const booleanRule: SettingRule<boolean> = {
  expected: '"true" or "false"',
  parse(text) {
    const value = text.toLowerCase();
    return value === 'true' ? true : value === 'false' ? false : new Rejection();
  },
};

const columnNameRule: SettingRule<string> = {
  expected: 'the internal name of a list column (letters, digits and _, not starting with a digit), e.g. "DueDate"',
  parse: (text) => (COLUMN_INTERNAL_NAME.test(text) ? text : new Rejection()),
};

// ---------------------------------------------------------------------------------------------
// Settings that depend on each other

function readColumns(settings: SettingsReader): Settled<ListColumns> {
  const names = SETTINGS.columns;
  const defaults = SETTING_DEFAULTS.columns;
  return {
    reference: settings.optional(names.reference, defaults.reference, columnNameRule),
    customerName: settings.optional(names.customerName, defaults.customerName, columnNameRule),
    customerEmail: settings.optional(names.customerEmail, defaults.customerEmail, columnNameRule),
    dueDate: settings.optional(names.dueDate, defaults.dueDate, columnNameRule),
    amountDue: settings.optional(names.amountDue, defaults.amountDue, columnNameRule),
    currency: settings.optional(names.currency, defaults.currency, columnNameRule),
    status: settings.optional(names.status, defaults.status, columnNameRule),
  };
}

/** Exactly one of CLIENT_SECRET_NAME and CLIENT_CERTIFICATE_NAME. */
function readCredentialSource(settings: SettingsReader): ClientCredentialSource | undefined {
  const secretSetting = SETTINGS.clientSecretName;
  const certificateSetting = SETTINGS.clientCertificateName;
  const secretText = settings.text(secretSetting);
  const certificateText = settings.text(certificateSetting);
  if (secretText !== undefined && certificateText !== undefined) {
    return settings.report(
      secretSetting,
      `${secretSetting} and ${certificateSetting} are both set: set only one, naming the Key Vault secret that holds the client secret or the one that holds the certificate`,
    );
  }
  if (secretText !== undefined) {
    const secretName = settings.parse(secretSetting, secretText, secretNameRule);
    return secretName === undefined ? undefined : { kind: 'secret', secretName };
  }
  if (certificateText !== undefined) {
    const secretName = settings.parse(certificateSetting, certificateText, secretNameRule);
    return secretName === undefined ? undefined : { kind: 'certificate', secretName };
  }
  return settings.report(
    secretSetting,
    `${secretSetting} is required: set it to the name of the Key Vault secret that holds the app's client secret, or set ${certificateSetting} to the one that holds its certificate (PEM)`,
  );
}

/** Delivery settings; SENDER_MAILBOX is required only with `requireDelivery`. */
function readDeliveryConfig(settings: SettingsReader, requireDelivery: boolean): DeliveryConfig | undefined {
  const senderText = settings.text(SETTINGS.senderMailbox);
  const senderMailbox =
    senderText === undefined && !requireDelivery ? undefined : settings.required(SETTINGS.senderMailbox, mailboxRule);
  const saveToSentItems = settings.optional(SETTINGS.saveToSentItems, SETTING_DEFAULTS.saveToSentItems, booleanRule);
  const claimSeconds = settings.optional(
    SETTINGS.deliveryClaimSeconds,
    SETTING_DEFAULTS.deliveryClaimSeconds,
    wholeNumberRule('seconds', 60, 3600),
  );
  const timeoutSeconds = Number(settings.text(SETTINGS.httpTimeoutSeconds) ?? SETTING_DEFAULTS.httpTimeoutSeconds);
  const minimumClaimSeconds = timeoutSeconds + CLAIM_RECORD_MARGIN_MS / 1000;
  if (claimSeconds !== undefined && claimSeconds < minimumClaimSeconds) {
    // A claim shorter than one request would expire while its holder still sends.
    return settings.report(
      SETTINGS.deliveryClaimSeconds,
      `${SETTINGS.deliveryClaimSeconds} must be at least ${SETTINGS.httpTimeoutSeconds} + ${CLAIM_RECORD_MARGIN_MS / 1000}, i.e. ${minimumClaimSeconds} (got ${claimSeconds}): a claim must outlast a sendMail request and the recording of its outcome`,
    );
  }
  const senderMissing = senderMailbox === undefined && (requireDelivery || senderText !== undefined);
  if (senderMissing || saveToSentItems === undefined || claimSeconds === undefined) {
    return undefined;
  }
  return { senderMailbox, saveToSentItems, claimDurationMs: claimSeconds * 1000 };
}

const CONNECTION_STRING_EXPECTED =
  'a storage connection string: "UseDevelopmentStorage=true" locally, "DefaultEndpointsProtocol=https;AccountName=…;AccountKey=…;EndpointSuffix=core.windows.net", or a QueueEndpoint with a SharedAccessSignature';
const BASE64 = /^[A-Za-z0-9+/]+={0,2}$/;

/** Whether `text` is a connection string the queue client can use; nothing of it is ever shown. */
function isUsableConnectionString(text: string): boolean {
  const pairs = new Map<string, string>();
  for (const segment of text.split(';')) {
    if (segment.trim() === '') continue;
    const separator = segment.indexOf('=');
    if (separator < 1) return false;
    pairs.set(segment.slice(0, separator).trim().toLowerCase(), segment.slice(separator + 1).trim());
  }
  if (pairs.get('usedevelopmentstorage')?.toLowerCase() === 'true') {
    return true;
  }
  const protocol = pairs.get('defaultendpointsprotocol')?.toLowerCase();
  if (protocol !== undefined && protocol !== 'https' && protocol !== 'http') {
    return false;
  }
  const queueEndpoint = pairs.get('queueendpoint');
  if (queueEndpoint !== undefined && !URL.canParse(queueEndpoint)) {
    return false;
  }
  const accountKey = pairs.get('accountkey');
  const hasAccountKey = pairs.has('accountname') && accountKey !== undefined && BASE64.test(accountKey);
  const hasSharedAccessSignature = (pairs.get('sharedaccesssignature') ?? '') !== '';
  return hasAccountKey || (queueEndpoint !== undefined && hasSharedAccessSignature);
}

const connectionStringRule: SettingRule<StorageConnection> = {
  expected: CONNECTION_STRING_EXPECTED,
  show: () => undefined,
  parse: (text) =>
    isUsableConnectionString(text)
      ? { kind: 'connectionString', connectionString: text }
      : new Rejection('the value set is not one, and is not shown as it may hold a key'),
};

const storageAccountRule: SettingRule<string> = {
  expected: 'a storage account name: 3 to 24 lower-case letters and digits',
  parse: (text) => (STORAGE_ACCOUNT_NAME.test(text) ? text : new Rejection()),
};

/**
 * `AzureWebJobsStorage` (a connection string) or, identity-based, `AzureWebJobsStorage__queueServiceUri`
 * (+ optional `__tableServiceUri`) or `AzureWebJobsStorage__accountName`, in that order of precedence,
 * as the Functions host resolves them.
 */
function readStorageConnection(settings: SettingsReader): StorageConnection | undefined {
  const connectionString = settings.text(SETTINGS.storage);
  if (connectionString !== undefined) {
    return settings.parse(SETTINGS.storage, connectionString, connectionStringRule);
  }
  const queueText = settings.text(SETTINGS.storageQueueServiceUri);
  if (queueText !== undefined) {
    const queueServiceUri = settings.parse(
      SETTINGS.storageQueueServiceUri,
      queueText,
      httpsBaseUrlRule('mystorageaccount.queue.core.windows.net'),
    );
    // The ledger is a table: with service URIs, the table service's must be given too.
    const tableServiceUri = settings.required(
      SETTINGS.storageTableServiceUri,
      httpsBaseUrlRule('mystorageaccount.table.core.windows.net'),
    );
    return queueServiceUri === undefined || tableServiceUri === undefined
      ? undefined
      : { kind: 'identity', queueServiceUri, tableServiceUri };
  }
  const tableText = settings.text(SETTINGS.storageTableServiceUri);
  const tableServiceUri =
    tableText === undefined
      ? undefined
      : settings.parse(
          SETTINGS.storageTableServiceUri,
          tableText,
          httpsBaseUrlRule('mystorageaccount.table.core.windows.net'),
        );
  const accountText = settings.text(SETTINGS.storageAccountName);
  if (accountText !== undefined) {
    const account = settings.parse(SETTINGS.storageAccountName, accountText, storageAccountRule);
    return account === undefined
      ? undefined
      : {
          kind: 'identity',
          queueServiceUri: `https://${account}.queue.core.windows.net`,
          tableServiceUri: tableServiceUri ?? `https://${account}.table.core.windows.net`,
        };
  }
  return settings.report(
    SETTINGS.storage,
    `${SETTINGS.storage} is required: set it to ${CONNECTION_STRING_EXPECTED}, or connect with the app's identity through ${SETTINGS.storageQueueServiceUri} or ${SETTINGS.storageAccountName}`,
  );
}
