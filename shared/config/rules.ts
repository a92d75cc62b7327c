/** Reusable rules for single settings (see rule.ts); the schema picks one per setting. */
import * as v from 'valibot';
import { isValidTimeZone } from '../reminders/calendar.js';
import { isPlausibleEmailAddress } from '../reminders/email-address.js';
import { normalizeCurrencyCode } from '../reminders/money.js';
import type { MinimumAmount } from '../reminders/money.js';
import { EMPTY_STATUS, statusListEntry } from '../reminders/status.js';
import { ncrontabProblem } from './ncrontab.js';
import { matching, NO_REASON, quote, reasoned } from './rule.js';
import type { Rule } from './rule.js';

const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const DNS_LABEL = /^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$/i;
const TOP_LEVEL_DOMAIN = /^[a-z]{2,63}$/i;
/** Accepted by Entra for interactive sign-in only: an app-only token needs one specific tenant. */
const MULTI_TENANT_ALIASES: ReadonlySet<string> = new Set(['common', 'organizations', 'consumers']);
/** Characters SharePoint does not allow in list names (plus control characters and the URL path separator). */
const LIST_TITLE = /^[^\p{Cc}~"#%&*:<>?/\\{|}]{1,255}$/u;
/** SharePoint internal column names: `_x0020_`-style escapes keep them to letters, digits and `_`. */
const COLUMN_INTERNAL_NAME = /^[A-Za-z_][A-Za-z0-9_]{0,254}$/;
const QUEUE_NAME_PATTERN = /^[a-z0-9]+(?:-[a-z0-9]+)*$/;
const DAY_LIST_ITEM = /^\d{1,3}$/;
const MAX_REMINDER_DAY = 365;
/** `5` (every currency) or `JPY 500` (one currency): below 10^15, at most six fraction digits. */
const MINIMUM_AMOUNT_ENTRY = /^(?:([A-Za-z]{3})\s+)?(\d{1,15}(?:\.\d{1,6})?)$/;

/** The host moves a message that keeps failing to `<queue>-poison`, which must be a valid queue name too. */
export const POISON_QUEUE_SUFFIX = '-poison';
const MAX_QUEUE_NAME_LENGTH = 63 - POISON_QUEUE_SUFFIX.length;

function isDomainName(text: string): boolean {
  const labels = text.split('.');
  return (
    labels.length >= 2 && labels.every((label) => DNS_LABEL.test(label)) && TOP_LEVEL_DOMAIN.test(labels.at(-1) ?? '')
  );
}

export function guid(what: string): Rule<string> {
  return matching(`${what}, a GUID such as "00000000-0000-0000-0000-000000000000"`, GUID);
}

export const tenantId: Rule<string> = {
  expected: 'the directory (tenant) ID, a GUID, or a verified domain of the tenant such as "contoso.onmicrosoft.com"',
  schema: v.pipe(
    v.string(),
    v.check(
      (text) => !MULTI_TENANT_ALIASES.has(text.toLowerCase()),
      'an app-only token must come from one specific tenant',
    ),
    v.check((text) => GUID.test(text) || isDomainName(text), NO_REASON),
  ),
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

function httpsUrlProblem(text: string): string | undefined {
  if (!URL.canParse(text)) return 'not an absolute URL';
  const url = new URL(text);
  if (url.protocol === 'http:') return 'https is required, locally too';
  if (url.protocol !== 'https:') return 'not an https URL';
  if (url.username !== '' || url.password !== '') return 'a URL with credentials in it';
  if (url.search !== '' || url.hash !== '') return 'a URL with a query or fragment';
  return undefined;
}

/** An https origin: scheme, host and port only. Normalised to `https://host[:port]`. */
export function httpsOrigin(example: string): Rule<string> {
  return {
    expected: `an https URL of the host alone, e.g. "https://${example}"`,
    show: showUrl,
    schema: v.pipe(
      v.string(),
      reasoned(httpsUrlProblem),
      v.check((text) => new URL(text).pathname === '/', 'a path is not expected'),
      v.transform((text) => new URL(text).origin),
    ),
  };
}

/** An https base URL, path allowed. Normalised without a trailing slash. */
export function httpsBaseUrl(example: string): Rule<string> {
  return {
    expected: `an https URL, e.g. "https://${example}"`,
    show: showUrl,
    schema: v.pipe(
      v.string(),
      reasoned(httpsUrlProblem),
      v.transform((text) => {
        const url = new URL(text);
        return `${url.origin}${url.pathname.replace(/\/+$/, '')}`;
      }),
    ),
  };
}

/** An OTLP/HTTP collector's base URL: http or https (a local collector is often plain http), no credentials or query. */
export const otlpEndpoint: Rule<string> = {
  expected: 'an http(s) URL of an OTLP/HTTP collector, e.g. "http://localhost:4318"',
  show: showUrl,
  schema: v.pipe(
    v.string(),
    reasoned((text) => {
      if (!URL.canParse(text)) return 'not an absolute URL';
      const url = new URL(text);
      if (url.protocol !== 'http:' && url.protocol !== 'https:') return 'not an http(s) URL';
      if (url.username !== '' || url.password !== '') return 'a URL with credentials in it';
      return url.search !== '' || url.hash !== '' ? 'a URL with a query or fragment' : undefined;
    }),
  ),
};

/** An Application Insights connection string: never shown (it carries the ingestion key). */
export const applicationInsightsConnectionString: Rule<string> = {
  expected: 'an Application Insights connection string, "InstrumentationKey=…;IngestionEndpoint=https://…"',
  show: () => undefined,
  schema: v.pipe(
    v.string(),
    reasoned((text) =>
      /(^|;)\s*InstrumentationKey=[^;]+/i.test(text)
        ? undefined
        : 'it has no InstrumentationKey, and is not shown as it may hold a key',
    ),
  ),
};

export const siteId = matching(
  'the Graph site ID "{hostname},{site collection GUID},{web GUID}" that GET /sites/{hostname}:/sites/{path} returns, e.g. "contoso.sharepoint.com,00000000-0000-0000-0000-000000000000,00000000-0000-0000-0000-000000000000"',
  (text) => {
    const [hostname = '', siteCollectionId = '', webId = '', ...rest] = text.split(',');
    return (
      rest.length === 0 &&
      GUID.test(siteCollectionId) &&
      GUID.test(webId) &&
      (isDomainName(hostname) || hostname === 'localhost')
    );
  },
);

export const listId = matching(
  'the list ID (a GUID) or the list title',
  (text) => GUID.test(text) || LIST_TITLE.test(text),
);

function repeatedDay(days: readonly number[]): number | undefined {
  return days.find((day, index) => days.indexOf(day) !== index);
}

export const reminderDays: Rule<readonly number[]> = {
  expected: `a comma-separated list of distinct whole days between 0 and ${MAX_REMINDER_DAY}, e.g. "7,3,1"`,
  schema: v.pipe(
    v.string(),
    v.transform((text) => text.split(',').map((item) => item.trim())),
    v.everyItem((item) => DAY_LIST_ITEM.test(item) && Number(item) <= MAX_REMINDER_DAY, NO_REASON),
    v.transform((items) => items.map(Number)),
    v.check(
      (days) => repeatedDay(days) === undefined,
      (issue) => `${repeatedDay(issue.input)} is listed twice`,
    ),
    v.transform((days) => days.sort((a, b) => a - b)),
  ),
};

export const timeZone = matching(
  'an IANA time zone name such as "Europe/Berlin": the SharePoint site\'s (Site settings > Regional settings > Time zone)',
  isValidTimeZone,
);

export function wholeNumber(unit: string, min: number, max: number): Rule<number> {
  return {
    expected: `a whole number of ${unit} from ${min} to ${max}`,
    schema: v.pipe(
      v.string(),
      v.regex(/^\d{1,9}$/, NO_REASON),
      v.transform(Number),
      v.minValue(min, NO_REASON),
      v.maxValue(max, NO_REASON),
    ),
  };
}

export const schedule: Rule<string> = {
  expected:
    'a six-field NCRONTAB expression "{second} {minute} {hour} {day} {month} {day-of-week}", e.g. "0 0 7 * * *"',
  schema: v.pipe(
    v.string(),
    reasoned(ncrontabProblem),
    v.transform((text) => text.split(/\s+/).join(' ')),
  ),
};

export const queueName: Rule<string> = {
  expected: `a storage queue name: 3 to ${MAX_QUEUE_NAME_LENGTH} lower-case letters, digits and single hyphens, starting and ending with a letter or digit`,
  schema: v.pipe(
    v.string(),
    v.regex(QUEUE_NAME_PATTERN, NO_REASON),
    v.minLength(3, NO_REASON),
    v.maxLength(
      MAX_QUEUE_NAME_LENGTH,
      `the host's poison queue, this name + "${POISON_QUEUE_SUFFIX}", would be longer than the 63 characters a queue name may have`,
    ),
  ),
};

export const secretName = matching(
  'a Key Vault secret name: 1 to 127 letters, digits and hyphens',
  /^[0-9a-zA-Z-]{1,127}$/,
);

export const tableName = matching(
  'a storage table name: 3 to 63 letters and digits, starting with a letter (not "tables")',
  (text) => /^[A-Za-z][A-Za-z0-9]{2,62}$/.test(text) && text.toLowerCase() !== 'tables',
);

/** A mailbox as Graph names it in `/users/{id}`: a user principal name or an object id. */
export function isMailboxName(text: string): boolean {
  return GUID.test(text) || isPlausibleEmailAddress(text);
}

export const mailbox = matching(
  'the user principal name (e.g. "billing@contoso.com") or object id (a GUID) of the mailbox reminders are sent from',
  isMailboxName,
);

export const boolean: Rule<boolean> = {
  expected: '"true" or "false"',
  schema: v.pipe(
    v.string(),
    v.transform((text) => text.toLowerCase()),
    v.picklist(['true', 'false'], NO_REASON),
    v.transform((text) => text === 'true'),
  ),
};

export const columnName = matching(
  'the internal name of a list column (letters, digits and _, not starting with a digit), e.g. "DueDate"',
  COLUMN_INTERNAL_NAME,
);

export const storageAccount = matching(
  'a storage account name: 3 to 24 lower-case letters and digits',
  /^[a-z0-9]{3,24}$/,
);

/** A comma-separated list of statuses, each compared as status.ts does; `(empty)` stands for an absent or empty status. */
export const statusList: Rule<readonly string[]> = {
  expected: `a comma-separated list of statuses, ${EMPTY_STATUS} standing for an absent or empty one, e.g. "${EMPTY_STATUS},Open,Overdue"`,
  schema: v.pipe(
    v.string(),
    v.transform((text) => text.split(',').map(statusListEntry)),
    v.check(
      (entries) => !entries.includes(undefined),
      `an entry is blank (write ${EMPTY_STATUS} for an absent or empty status)`,
    ),
    v.transform((entries) => [...new Set(entries.filter((entry) => entry !== undefined))]),
  ),
};

/** MINIMUM_AMOUNT's text as a MinimumAmount, or why it is not one. */
function readMinimumAmount(text: string): MinimumAmount | string {
  let allCurrencies: string | undefined;
  const byCurrency: Record<string, string> = {};
  for (const entry of text.split(',').map((item) => item.trim())) {
    const match = MINIMUM_AMOUNT_ENTRY.exec(entry);
    if (match === null) return `${quote(entry)} is neither an amount nor "CUR amount"`;
    const [, code, amount = ''] = match;
    if (code === undefined) {
      if (allCurrencies !== undefined) return 'two amounts for every currency';
      allCurrencies = amount;
      continue;
    }
    const currency = normalizeCurrencyCode(code);
    if (currency === undefined) return `${quote(code)} is not an ISO 4217 currency code`;
    if (byCurrency[currency] !== undefined) return `${currency} is listed twice`;
    byCurrency[currency] = amount;
  }
  return { allCurrencies: allCurrencies ?? '0', byCurrency };
}

export const minimumAmount: Rule<MinimumAmount> = {
  expected:
    'an amount for every currency and/or "CUR amount" entries for single currencies, comma-separated, e.g. "5, JPY 500"',
  schema: v.pipe(
    v.string(),
    v.rawTransform(({ dataset, addIssue, NEVER }) => {
      const read = readMinimumAmount(dataset.value);
      if (typeof read !== 'string') return read;
      addIssue({ message: read });
      return NEVER;
    }),
  ),
};
