import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import type { AppConfig } from '../../../shared/config/config.js';
import { SETTING_DEFAULTS, SETTINGS, loadConfig } from '../../../shared/config/config.js';
import { ConfigError, DueNotifierError } from '../../../shared/base/errors.js';
import { configError, problemWith, REQUIRED_SETTINGS, testConfig } from '../../support/settings.js';

const TENANT = REQUIRED_SETTINGS.ENTRA_TENANT_ID;
const CLIENT = REQUIRED_SETTINGS.ENTRA_CLIENT_ID;
const SITE = REQUIRED_SETTINGS.OBLIGATIONS_SITE_ID;
const LIST = REQUIRED_SETTINGS.OBLIGATIONS_LIST_ID;

describe('loadConfig: defaults', () => {
  it('fills in every optional setting', () => {
    expect(testConfig()).toEqual({
      tenantId: TENANT,
      clientId: CLIENT,
      authorityHost: 'https://login.microsoftonline.com',
      keyVaultUrl: 'https://contoso-vault.vault.azure.net',
      credential: { kind: 'secret', secretName: 'due-notifier-client-secret' },
      graphBaseUrl: 'https://graph.microsoft.com/v1.0',
      siteId: SITE,
      listId: LIST,
      columns: {
        reference: 'Title',
        customerName: 'CustomerName',
        customerEmail: 'CustomerEmail',
        dueDate: 'DueDate',
        amountDue: 'AmountDue',
        currency: 'Currency',
        status: 'Status',
        language: 'Language',
      },
      reminderDays: [1, 3, 7],
      timeZone: 'UTC',
      catchUpDays: 2,
      statuses: {
        open: ['', 'open', 'unpaid', 'due', 'overdue', 'partially paid'],
        closed: expect.arrayContaining([
          'paid',
          'cancelled',
          'canceled',
          'closed',
          'disputed',
          'written off',
          'bezahlt',
        ]),
      },
      minimumAmount: { allCurrencies: '0', byCurrency: {} },
      schedule: '0 0 7 * * *',
      queueName: 'reminders',
      storage: { kind: 'connectionString', connectionString: 'UseDevelopmentStorage=true' },
      httpTimeoutMs: 30_000,
      runTimeBudgetMs: 540_000,
      secretCacheTtlMs: 3_600_000,
      graphConcurrency: 4,
      verifySnapshotMs: 300_000,
      ledgerTable: 'reminderledger',
      runHistory: { table: 'reminderruns', retentionDays: 90 },
      delivery: {
        senderMailbox: undefined,
        senders: [],
        retryDelayMs: 60_000,
        saveToSentItems: false,
        claimDurationMs: 300_000,
      },
      mail: { defaultLanguage: 'en', branding: {} },
    } satisfies AppConfig);
  });

  it('treats blank values as not set and trims the others', () => {
    const config = testConfig({ REMINDER_DAYS: '   ', CATCH_UP_DAYS: '', NOTIFICATION_QUEUE: '  outbox  ' });
    expect(config.reminderDays).toEqual([1, 3, 7]);
    expect(config.catchUpDays).toBe(2);
    expect(config.queueName).toBe('outbox');
  });

  it('exports the setting names and defaults it uses', () => {
    expect(SETTINGS.reminderDays).toBe('REMINDER_DAYS');
    expect(SETTINGS.columns.dueDate).toBe('LIST_COLUMN_DUE_DATE');
    expect(SETTING_DEFAULTS.reminderDays).toBe('7,3,1');
    expect(Object.isFrozen(SETTINGS) && Object.isFrozen(SETTING_DEFAULTS.columns)).toBe(true);
  });
});

describe('loadConfig: the result', () => {
  it('is deeply frozen', () => {
    const config = testConfig();
    for (const part of [config, config.columns, config.reminderDays, config.credential, config.storage]) {
      expect(Object.isFrozen(part)).toBe(true);
    }
    expect(() => {
      (config.reminderDays as number[]).push(30);
    }).toThrow(TypeError);
    expect(() => {
      (config.columns as { dueDate: string }).dueDate = 'Other';
    }).toThrow(TypeError);
  });

  it('does not change the settings it was given', () => {
    const env = { ...REQUIRED_SETTINGS, REMINDER_DAYS: '7,3,1' };
    loadConfig(env);
    expect(env).toEqual({ ...REQUIRED_SETTINGS, REMINDER_DAYS: '7,3,1' });
  });
});

describe('loadConfig: problems', () => {
  it('throws a ConfigError (code ConfigInvalid) naming the setting', () => {
    const error = configError({ ...REQUIRED_SETTINGS, CATCH_UP_DAYS: 'two' });
    expect(error).toBeInstanceOf(DueNotifierError);
    expect(error.code).toBe('ConfigInvalid');
    expect(error.setting).toBe('CATCH_UP_DAYS');
    expect(error.message).toBe('CATCH_UP_DAYS must be a whole number of days from 0 to 30 (got "two")');
  });

  it('lists every problem in one line, the first one as `setting`', () => {
    const error = configError({ REMINDER_DAYS: '7,x', NOTIFICATION_QUEUE: 'Bad_Queue' });
    expect(error.setting).toBe('ENTRA_TENANT_ID');
    expect(error.message).not.toContain('\n');
    expect(error.message).toMatch(/^11 settings are invalid: \(1\) ENTRA_TENANT_ID is required/);
    for (const setting of [
      'ENTRA_CLIENT_ID is required',
      'KEY_VAULT_URL is required',
      'CLIENT_SECRET_NAME is required',
      'OBLIGATIONS_SITE_ID is required',
      'OBLIGATIONS_LIST_ID is required',
      'REMINDER_DAYS must be',
      'REMINDER_TIME_ZONE is required',
      'NOTIFY_SCHEDULE is required',
      'NOTIFICATION_QUEUE must be',
      'AzureWebJobsStorage is required',
    ]) {
      expect(error.message).toContain(setting);
    }
  });
});

describe('ENTRA_TENANT_ID and ENTRA_CLIENT_ID', () => {
  it('accept a GUID; the tenant also a verified domain', () => {
    expect(testConfig({ ENTRA_TENANT_ID: 'contoso.onmicrosoft.com' }).tenantId).toBe('contoso.onmicrosoft.com');
    expect(testConfig({ ENTRA_TENANT_ID: 'fabrikam.co.uk' }).tenantId).toBe('fabrikam.co.uk');
    expect(testConfig({ ENTRA_CLIENT_ID: CLIENT.toUpperCase() }).clientId).toBe(CLIENT.toUpperCase());
  });

  it('reject anything else, and multi-tenant aliases for the tenant', () => {
    for (const tenant of ['contoso', 'not a tenant', '12345', 'contoso.onmicrosoft.', '-contoso.com']) {
      expect(problemWith({ ENTRA_TENANT_ID: tenant }, 'ENTRA_TENANT_ID')).toContain(`(got ${JSON.stringify(tenant)})`);
    }
    for (const alias of ['common', 'organizations', 'Consumers']) {
      expect(problemWith({ ENTRA_TENANT_ID: alias }, 'ENTRA_TENANT_ID')).toContain('one specific tenant');
    }
    expect(problemWith({ ENTRA_CLIENT_ID: 'due-notifier' }, 'ENTRA_CLIENT_ID')).toBe(
      'ENTRA_CLIENT_ID must be the application (client) ID, a GUID such as "00000000-0000-0000-0000-000000000000" (got "due-notifier")',
    );
    expect(problemWith({ ENTRA_CLIENT_ID: `${CLIENT}0` }, 'ENTRA_CLIENT_ID')).toContain('GUID');
  });

  it('are required', () => {
    expect(problemWith({ ENTRA_CLIENT_ID: undefined }, 'ENTRA_CLIENT_ID')).toMatch(
      /^ENTRA_CLIENT_ID is required: set it to the application \(client\) ID/,
    );
  });
});

describe('ENTRA_AUTHORITY_HOST and KEY_VAULT_URL (https origins)', () => {
  it('are normalised to the origin', () => {
    expect(testConfig({ ENTRA_AUTHORITY_HOST: 'https://login.microsoftonline.us/' }).authorityHost).toBe(
      'https://login.microsoftonline.us',
    );
    expect(testConfig({ ENTRA_AUTHORITY_HOST: 'https://localhost:8443' }).authorityHost).toBe('https://localhost:8443');
    expect(testConfig({ KEY_VAULT_URL: 'https://Contoso-Vault.vault.azure.net/' }).keyVaultUrl).toBe(
      'https://contoso-vault.vault.azure.net',
    );
    expect(testConfig({ KEY_VAULT_URL: 'https://127.0.0.1:9443' }).keyVaultUrl).toBe('https://127.0.0.1:9443');
  });

  it('must be https, even on loopback', () => {
    const message = problemWith({ ENTRA_AUTHORITY_HOST: 'http://localhost:8443' }, 'ENTRA_AUTHORITY_HOST');
    expect(message).toContain('https is required');
    expect(problemWith({ KEY_VAULT_URL: 'http://127.0.0.1:9443' }, 'KEY_VAULT_URL')).toContain('https is required');
    expect(problemWith({ KEY_VAULT_URL: 'ftp://vault.example.com' }, 'KEY_VAULT_URL')).toContain('not an https URL');
  });

  it('must be the host alone', () => {
    expect(
      problemWith({ ENTRA_AUTHORITY_HOST: `https://login.microsoftonline.com/${TENANT}` }, 'ENTRA_AUTHORITY_HOST'),
    ).toContain('a path is not expected');
    expect(problemWith({ KEY_VAULT_URL: 'contoso-vault.vault.azure.net' }, 'KEY_VAULT_URL')).toContain(
      'not an absolute URL',
    );
  });

  it('never show credentials or queries found in the URL', () => {
    const withPassword = problemWith(
      { KEY_VAULT_URL: 'https://admin:hunter2@contoso-vault.vault.azure.net' },
      'KEY_VAULT_URL',
    );
    expect(withPassword).toContain('credentials');
    expect(withPassword).not.toContain('hunter2');
    const withQuery = problemWith(
      { KEY_VAULT_URL: 'https://contoso-vault.vault.azure.net/?sig=s3cr3t' },
      'KEY_VAULT_URL',
    );
    expect(withQuery).toContain('query');
    expect(withQuery).not.toContain('s3cr3t');
    expect(problemWith({ KEY_VAULT_URL: 'not a url; sig=s3cr3t' }, 'KEY_VAULT_URL')).not.toContain('s3cr3t');
  });

  it('KEY_VAULT_URL is required', () => {
    expect(problemWith({ KEY_VAULT_URL: undefined }, 'KEY_VAULT_URL')).toContain('"https://my-vault.vault.azure.net"');
  });
});

describe('GRAPH_BASE_URL', () => {
  it('keeps the path, without a trailing slash', () => {
    expect(testConfig({ GRAPH_BASE_URL: 'https://graph.microsoft.us/v1.0/' }).graphBaseUrl).toBe(
      'https://graph.microsoft.us/v1.0',
    );
    expect(testConfig({ GRAPH_BASE_URL: 'https://localhost:9444/v1.0' }).graphBaseUrl).toBe(
      'https://localhost:9444/v1.0',
    );
    expect(testConfig({ GRAPH_BASE_URL: 'https://graph.microsoft.com' }).graphBaseUrl).toBe(
      'https://graph.microsoft.com',
    );
  });

  it('must be https without a query', () => {
    expect(problemWith({ GRAPH_BASE_URL: 'http://localhost:9444/v1.0' }, 'GRAPH_BASE_URL')).toContain(
      'https is required',
    );
    expect(problemWith({ GRAPH_BASE_URL: 'https://graph.microsoft.com/v1.0?$top=5' }, 'GRAPH_BASE_URL')).toContain(
      'query',
    );
  });
});

describe('CLIENT_SECRET_NAME / CLIENT_CERTIFICATE_NAME', () => {
  it('take exactly one', () => {
    expect(testConfig().credential).toEqual({ kind: 'secret', secretName: 'due-notifier-client-secret' });
    expect(
      testConfig({ CLIENT_SECRET_NAME: undefined, CLIENT_CERTIFICATE_NAME: 'due-notifier-cert' }).credential,
    ).toEqual({
      kind: 'certificate',
      secretName: 'due-notifier-cert',
    });
    expect(testConfig({ CLIENT_SECRET_NAME: '', CLIENT_CERTIFICATE_NAME: 'due-notifier-cert' }).credential.kind).toBe(
      'certificate',
    );
  });

  it('reject both, or neither', () => {
    expect(problemWith({ CLIENT_CERTIFICATE_NAME: 'due-notifier-cert' }, 'CLIENT_SECRET_NAME')).toContain('both set');
    const neither = problemWith({ CLIENT_SECRET_NAME: undefined }, 'CLIENT_SECRET_NAME');
    expect(neither).toContain('is required');
    expect(neither).toContain('CLIENT_CERTIFICATE_NAME');
  });

  it('must be Key Vault secret names, and the message names the setting used', () => {
    expect(testConfig({ CLIENT_SECRET_NAME: 'a'.repeat(127) }).credential.secretName).toHaveLength(127);
    for (const name of ['client_secret', 'client secret', 'a'.repeat(128), 'secret/v1']) {
      problemWith({ CLIENT_SECRET_NAME: name }, 'CLIENT_SECRET_NAME');
    }
    expect(
      problemWith({ CLIENT_SECRET_NAME: undefined, CLIENT_CERTIFICATE_NAME: 'cert.pem' }, 'CLIENT_CERTIFICATE_NAME'),
    ).toContain('a Key Vault secret name');
  });
});

describe('OBLIGATIONS_SITE_ID and OBLIGATIONS_LIST_ID', () => {
  it('accept a composite site id and a list GUID or title', () => {
    expect(testConfig({ OBLIGATIONS_LIST_ID: 'Payment Obligations' }).listId).toBe('Payment Obligations');
    expect(testConfig({ OBLIGATIONS_SITE_ID: `localhost,${LIST},${TENANT}` }).siteId).toBe(
      `localhost,${LIST},${TENANT}`,
    );
  });

  it('reject other site ids and unusable list titles', () => {
    for (const site of [
      'contoso.sharepoint.com',
      `contoso.sharepoint.com,${LIST}`,
      `contoso.sharepoint.com,abc,${LIST}`,
      `${SITE},${LIST}`,
      'contoso.sharepoint.com:/sites/finance',
    ]) {
      expect(problemWith({ OBLIGATIONS_SITE_ID: site }, 'OBLIGATIONS_SITE_ID')).toContain(
        '{hostname},{site collection GUID},{web GUID}',
      );
    }
    for (const list of ['Obligations/2026', 'Q&A', 'a'.repeat(256), 'tab\there']) {
      problemWith({ OBLIGATIONS_LIST_ID: list }, 'OBLIGATIONS_LIST_ID');
    }
  });
});

describe('REMINDER_DAYS', () => {
  it('is sorted ascending', () => {
    expect(testConfig({ REMINDER_DAYS: '7,3,1' }).reminderDays).toEqual([1, 3, 7]);
    expect(testConfig({ REMINDER_DAYS: ' 14 , 0 ' }).reminderDays).toEqual([0, 14]);
    expect(testConfig({ REMINDER_DAYS: '365' }).reminderDays).toEqual([365]);
  });

  it('rejects anything but distinct whole days from 0 to 365', () => {
    expect(problemWith({ REMINDER_DAYS: '7,x' }, 'REMINDER_DAYS')).toBe(
      'REMINDER_DAYS must be a comma-separated list of distinct whole days between 0 and 365, e.g. "7,3,1" (got "7,x")',
    );
    for (const days of ['366', '-1', '7,,1', '1.5', '7;3;1', '1e2', ',']) {
      expect(problemWith({ REMINDER_DAYS: days }, 'REMINDER_DAYS')).toContain(`(got ${JSON.stringify(days)})`);
    }
    expect(problemWith({ REMINDER_DAYS: '7,3,3' }, 'REMINDER_DAYS')).toContain('(got "7,3,3": 3 is listed twice)');
  });
});

describe('REMINDER_TIME_ZONE', () => {
  it('is required: a default other than the site zone would move every date-only due date by a day', () => {
    const message = problemWith({ REMINDER_TIME_ZONE: undefined }, 'REMINDER_TIME_ZONE');
    expect(message).toContain('REMINDER_TIME_ZONE is required');
    expect(message).toContain('Regional settings');
    expect(problemWith({ REMINDER_TIME_ZONE: '  ' }, 'REMINDER_TIME_ZONE')).toContain('is required');
  });

  it('accepts IANA zones', () => {
    expect(testConfig({ REMINDER_TIME_ZONE: 'Pacific/Auckland' }).timeZone).toBe('Pacific/Auckland');
  });

  it('rejects unknown zones and fixed offsets', () => {
    for (const zone of ['Europe/Berln', '+01:00', 'GMT+1 hour']) {
      expect(problemWith({ REMINDER_TIME_ZONE: zone }, 'REMINDER_TIME_ZONE')).toContain('IANA time zone');
    }
  });
});

describe('OPEN_STATUSES and CLOSED_STATUSES', () => {
  it('are read as status.ts compares statuses: NFKC, invisible characters removed, whitespace collapsed, lower case', () => {
    const config = testConfig({
      OPEN_STATUSES: ' Offen , OPEN,Teil\u00A0 bezahlt,\uFF2Fpen,(Empty)',
      CLOSED_STATUSES: 'Be\u200Bzahlt,Storniert',
    });
    expect(config.statuses).toEqual({ open: ['offen', 'open', 'teil bezahlt', ''], closed: ['bezahlt', 'storniert'] });
  });

  it('default to the documented lists', () => {
    expect(SETTING_DEFAULTS.openStatuses).toBe('(empty),Open,Unpaid,Due,Overdue,Partially Paid');
    for (const word of [
      'Paid',
      'Cancelled',
      'Canceled',
      'Disputed',
      'Closed',
      'Written off',
      'Bezahlt',
      'Payé',
      'Betaald',
    ]) {
      expect(SETTING_DEFAULTS.closedStatuses.split(','), word).toContain(word);
    }
  });

  it('refuse a blank entry, pointing to (empty)', () => {
    for (const setting of ['OPEN_STATUSES', 'CLOSED_STATUSES']) {
      for (const text of ['Open,,Due', 'Open,', ',Open', 'Open,\u200B']) {
        expect(problemWith({ [setting]: text }, setting)).toContain('an entry is blank (write (empty)');
      }
    }
  });

  it('refuse a status listed as both open and closed', () => {
    const message = problemWith(
      { OPEN_STATUSES: 'Open,PAID,(empty)', CLOSED_STATUSES: 'paid,(empty)' },
      'CLOSED_STATUSES',
    );
    expect(message).toBe(
      'OPEN_STATUSES and CLOSED_STATUSES both list "paid", (empty): a status is either open or closed',
    );
    // Against the default closed list too.
    expect(problemWith({ OPEN_STATUSES: 'Open,Bezahlt' }, 'CLOSED_STATUSES')).toContain('both list "bezahlt"');
  });
});

describe('MINIMUM_AMOUNT', () => {
  it('takes one amount for every currency and/or one per currency', () => {
    expect(testConfig({ MINIMUM_AMOUNT: '5' }).minimumAmount).toEqual({ allCurrencies: '5', byCurrency: {} });
    expect(testConfig({ MINIMUM_AMOUNT: '2.50, jpy 500,CHF  0.5' }).minimumAmount).toEqual({
      allCurrencies: '2.50',
      byCurrency: { JPY: '500', CHF: '0.5' },
    });
    expect(testConfig({ MINIMUM_AMOUNT: 'JPY 500' }).minimumAmount).toEqual({
      allCurrencies: '0',
      byCurrency: { JPY: '500' },
    });
  });

  it('refuses what is not an amount, an unknown currency and repeats', () => {
    for (const [text, reason] of [
      ['-1', '"-1" is neither an amount nor "CUR amount"'],
      ['5 EUR', '"5 EUR" is neither an amount nor "CUR amount"'],
      ['1,5', 'two amounts for every currency'],
      ['XYZ 5', '"XYZ" is not an ISO 4217 currency code'],
      ['EUR 5, eur 6', 'EUR is listed twice'],
      ['5,', '"" is neither an amount nor "CUR amount"'],
    ]) {
      expect(problemWith({ MINIMUM_AMOUNT: text }, 'MINIMUM_AMOUNT'), text).toContain(reason);
    }
  });
});

describe('whole-number settings', () => {
  it('accept their bounds and convert seconds to milliseconds', () => {
    expect(testConfig({ CATCH_UP_DAYS: '0' }).catchUpDays).toBe(0);
    expect(testConfig({ CATCH_UP_DAYS: '30' }).catchUpDays).toBe(30);
    expect(testConfig({ HTTP_TIMEOUT_SECONDS: '1' }).httpTimeoutMs).toBe(1000);
    expect(testConfig({ HTTP_TIMEOUT_SECONDS: '230' }).httpTimeoutMs).toBe(230_000);
    expect(testConfig({ SECRET_CACHE_TTL_SECONDS: '0' }).secretCacheTtlMs).toBe(0);
    expect(testConfig({ SECRET_CACHE_TTL_SECONDS: '86400' }).secretCacheTtlMs).toBe(86_400_000);
    expect(testConfig({ GRAPH_CONCURRENCY: '1' }).graphConcurrency).toBe(1);
    expect(testConfig({ GRAPH_CONCURRENCY: '16' }).graphConcurrency).toBe(16);
    expect(testConfig({ RUN_TIME_BUDGET_SECONDS: '1' }).runTimeBudgetMs).toBe(1000);
    expect(testConfig({ RUN_TIME_BUDGET_SECONDS: '86400' }).runTimeBudgetMs).toBe(86_400_000);
  });

  it('default RUN_TIME_BUDGET_SECONDS to less than host.json functionTimeout, so that a run fails with a reason before the host kills it', () => {
    const hostJson = JSON.parse(readFileSync(new URL('../../../host.json', import.meta.url), 'utf8')) as {
      functionTimeout: string;
    };
    const [hours = 0, minutes = 0, seconds = 0] = hostJson.functionTimeout.split(':').map(Number);
    const functionTimeoutMs = ((hours * 60 + minutes) * 60 + seconds) * 1000;
    expect(testConfig().runTimeBudgetMs).toBeLessThan(functionTimeoutMs);
    expect(testConfig().runTimeBudgetMs).toBe(Number(SETTING_DEFAULTS.runTimeBudgetSeconds) * 1000);
  });

  it('reject values outside their bounds and non-integers', () => {
    const cases: readonly [string, string, string][] = [
      ['CATCH_UP_DAYS', '31', 'from 0 to 30'],
      ['CATCH_UP_DAYS', '-1', 'from 0 to 30'],
      ['CATCH_UP_DAYS', '1.5', 'from 0 to 30'],
      ['HTTP_TIMEOUT_SECONDS', '0', 'from 1 to 230'],
      ['HTTP_TIMEOUT_SECONDS', '231', 'from 1 to 230'],
      ['HTTP_TIMEOUT_SECONDS', '30s', 'from 1 to 230'],
      ['SECRET_CACHE_TTL_SECONDS', '86401', 'from 0 to 86400'],
      ['GRAPH_CONCURRENCY', '0', 'from 1 to 16'],
      ['GRAPH_CONCURRENCY', '17', 'from 1 to 16'],
      ['RUN_TIME_BUDGET_SECONDS', '0', 'from 1 to 86400'],
      ['RUN_TIME_BUDGET_SECONDS', '9m', 'from 1 to 86400'],
    ];
    for (const [setting, value, expected] of cases) {
      expect(problemWith({ [setting]: value }, setting)).toContain(expected);
    }
  });
});

describe('NOTIFY_SCHEDULE', () => {
  it('accepts six-field NCRONTAB expressions', () => {
    for (const schedule of [
      '0 */5 * * * *',
      '0 30 9 * * MON-FRI',
      '0 0 7 1,15 jan-dec *',
      '*/10 * * * * *',
      '0 0 7-19/2 * * 1-5',
      '5/15 0 7 * * *',
    ]) {
      expect(testConfig({ NOTIFY_SCHEDULE: schedule }).schedule).toBe(schedule);
    }
    expect(testConfig({ NOTIFY_SCHEDULE: ' 0  0 7 * *  * ' }).schedule).toBe('0 0 7 * * *');
  });

  it('says what is wrong with a bad one', () => {
    const cases: readonly [string, string][] = [
      ['0 7 * * *', '5 fields instead of 6'],
      ['0 0 7 * * * *', '7 fields instead of 6'],
      ['0 0 24 * * *', 'hour field "24" has a value outside 0-23'],
      ['60 0 7 * * *', 'second field "60"'],
      ['0 0 7 32 * *', 'day field "32"'],
      ['0 0 7 0 * *', 'day field "0"'],
      ['0 0 7 * 13 *', 'month field "13"'],
      ['0 0 7 * * 7', 'day-of-week field "7"'],
      ['0 0 7 * * FOO', 'day-of-week field "FOO"'],
      ['0 0 7 * * MON-', 'day-of-week field "MON-" is not a list'],
      ['0 0 7 5-1 * *', 'range that runs backwards'],
      ['0 */0 * * * *', 'step of 0'],
      ['0 0 7 ? * *', 'day field "?" is not a list'],
    ];
    for (const [schedule, problem] of cases) {
      const message = problemWith({ NOTIFY_SCHEDULE: schedule }, 'NOTIFY_SCHEDULE');
      expect(message).toContain(problem);
      expect(message).toContain('six-field NCRONTAB');
    }
  });
});

describe('NOTIFICATION_QUEUE', () => {
  it('accepts storage queue names', () => {
    for (const name of ['reminders', 'abc', 'due-reminders-2026', 'a'.repeat(56)]) {
      expect(testConfig({ NOTIFICATION_QUEUE: name }).queueName).toBe(name);
    }
  });

  it('rejects invalid queue names', () => {
    for (const name of [
      'ab',
      'Reminders',
      'due--reminders',
      '-reminders',
      'reminders-',
      'a'.repeat(64),
      'due_reminders',
    ]) {
      expect(problemWith({ NOTIFICATION_QUEUE: name }, 'NOTIFICATION_QUEUE')).toContain('storage queue name');
    }
  });

  it('leaves room for the poison queue: "<name>-poison" must be a queue name too, so at most 56 characters', () => {
    for (const name of ['a'.repeat(57), `due-${'x'.repeat(59)}`]) {
      const message = problemWith({ NOTIFICATION_QUEUE: name }, 'NOTIFICATION_QUEUE');
      expect(message).toContain('3 to 56 lower-case letters');
      expect(message).toContain(`(got ${JSON.stringify(name)}: the host's poison queue, this name + "-poison"`);
    }
  });

  it('is required, as are the other binding settings: the host resolves them from app settings alone', () => {
    for (const setting of ['NOTIFY_SCHEDULE', 'NOTIFICATION_QUEUE']) {
      expect(problemWith({ [setting]: undefined }, setting)).toMatch(new RegExp(`^${setting} is required: set it to `));
      expect(problemWith({ [setting]: '  ' }, setting)).toMatch(new RegExp(`^${setting} is required`));
    }
    expect(SETTING_DEFAULTS).not.toHaveProperty('schedule');
    expect(SETTING_DEFAULTS).not.toHaveProperty('queueName');
  });
});

describe('storage connection', () => {
  const ACCOUNT_KEY = 'U3VwZXJTZWNyZXRLZXlWYWx1ZQ==';

  it('accepts connection strings', () => {
    for (const connectionString of [
      'UseDevelopmentStorage=true',
      `DefaultEndpointsProtocol=https;AccountName=contosostore;AccountKey=${ACCOUNT_KEY};EndpointSuffix=core.windows.net`,
      `DefaultEndpointsProtocol=http;AccountName=devstoreaccount1;AccountKey=${ACCOUNT_KEY};QueueEndpoint=http://127.0.0.1:10001/devstoreaccount1;`,
      'QueueEndpoint=https://contosostore.queue.core.windows.net;SharedAccessSignature=sv=2022-11-02&ss=q&sig=abc%3D',
    ]) {
      expect(testConfig({ AzureWebJobsStorage: connectionString }).storage).toEqual({
        kind: 'connectionString',
        connectionString,
      });
    }
  });

  it('rejects unusable connection strings without ever showing them', () => {
    for (const connectionString of [
      'AccountName=contosostore',
      `AccountKey=${ACCOUNT_KEY}`,
      'DefaultEndpointsProtocol=https;AccountName=contosostore;AccountKey=SuperSecret!Key',
      `DefaultEndpointsProtocol=ftp;AccountName=contosostore;AccountKey=${ACCOUNT_KEY}`,
      'QueueEndpoint=https://contosostore.queue.core.windows.net',
      'QueueEndpoint=not a url;SharedAccessSignature=sig=SuperSecret',
      'SuperSecret',
      'UseDevelopmentStorage=false',
    ]) {
      const message = problemWith({ AzureWebJobsStorage: connectionString }, 'AzureWebJobsStorage');
      expect(message).toContain('must be a storage connection string');
      expect(message).toContain('not shown');
      expect(message).not.toContain('SuperSecret');
      expect(message).not.toContain(ACCOUNT_KEY);
      expect(message).not.toContain('contosostore');
    }
  });

  it('accepts identity-based connections: service URIs or an account name', () => {
    const withoutConnectionString = { AzureWebJobsStorage: undefined };
    expect(
      testConfig({
        ...withoutConnectionString,
        AzureWebJobsStorage__queueServiceUri: 'https://127.0.0.1:10001/devstoreaccount1',
        AzureWebJobsStorage__tableServiceUri: 'https://127.0.0.1:10002/devstoreaccount1/',
      }).storage,
    ).toEqual({
      kind: 'identity',
      queueServiceUri: 'https://127.0.0.1:10001/devstoreaccount1',
      tableServiceUri: 'https://127.0.0.1:10002/devstoreaccount1',
    });
    expect(
      testConfig({ ...withoutConnectionString, AzureWebJobsStorage__accountName: 'contosostore' }).storage,
    ).toEqual({
      kind: 'identity',
      queueServiceUri: 'https://contosostore.queue.core.windows.net',
      tableServiceUri: 'https://contosostore.table.core.windows.net',
    });
  });

  it('prefers the connection string, as the Functions host does', () => {
    expect(testConfig({ AzureWebJobsStorage__accountName: 'contosostore' }).storage.kind).toBe('connectionString');
  });

  it('rejects bad identity-based settings, naming them', () => {
    const withoutConnectionString = { AzureWebJobsStorage: undefined };
    // The ledger is a table: service URIs must include the table service's.
    expect(
      problemWith(
        {
          ...withoutConnectionString,
          AzureWebJobsStorage__queueServiceUri: 'https://contosostore.queue.core.windows.net',
        },
        'AzureWebJobsStorage__tableServiceUri',
      ),
    ).toContain('AzureWebJobsStorage__tableServiceUri is required');
    expect(
      problemWith(
        {
          ...withoutConnectionString,
          AzureWebJobsStorage__queueServiceUri: 'http://contosostore.queue.core.windows.net',
        },
        'AzureWebJobsStorage__queueServiceUri',
      ),
    ).toContain('https is required');
    expect(
      problemWith(
        { ...withoutConnectionString, AzureWebJobsStorage__accountName: 'Contoso_Store' },
        'AzureWebJobsStorage__accountName',
      ),
    ).toContain('3 to 24 lower-case letters and digits');
  });

  it('is required, one way or the other', () => {
    const message = problemWith({ AzureWebJobsStorage: undefined }, 'AzureWebJobsStorage');
    expect(message).toContain('AzureWebJobsStorage is required');
    expect(message).toContain('UseDevelopmentStorage=true');
    expect(message).toContain('AzureWebJobsStorage__queueServiceUri');
    expect(message).toContain('AzureWebJobsStorage__accountName');
  });
});

describe('list columns', () => {
  it('can each be overridden with an internal name', () => {
    const config = testConfig({
      LIST_COLUMN_REFERENCE: 'InvoiceNo',
      LIST_COLUMN_CUSTOMER_NAME: 'Kunde',
      LIST_COLUMN_CUSTOMER_EMAIL: 'Mail',
      LIST_COLUMN_DUE_DATE: 'Due_x0020_Date',
      LIST_COLUMN_AMOUNT_DUE: 'OData__Amount',
      LIST_COLUMN_CURRENCY: 'Cur',
      LIST_COLUMN_STATUS: 'State1',
      LIST_COLUMN_LANGUAGE: 'Sprache',
    });
    expect(config.columns).toEqual({
      reference: 'InvoiceNo',
      customerName: 'Kunde',
      customerEmail: 'Mail',
      dueDate: 'Due_x0020_Date',
      amountDue: 'OData__Amount',
      currency: 'Cur',
      status: 'State1',
      language: 'Sprache',
    });
  });

  it('reject display names and other non-internal names', () => {
    for (const [setting, name] of [
      ['LIST_COLUMN_DUE_DATE', 'Due Date'],
      ['LIST_COLUMN_STATUS', '1Status'],
      ['LIST_COLUMN_AMOUNT_DUE', 'Amount-Due'],
      ['LIST_COLUMN_CURRENCY', 'fields/Currency'],
    ] as const) {
      expect(problemWith({ [setting]: name }, setting)).toContain('internal name of a list column');
    }
  });
});

describe('delivery settings', () => {
  it('read the sender mailbox, Sent Items, the claim duration and the ledger table', () => {
    const config = testConfig({
      SENDER_MAILBOX: 'billing@contoso.com',
      SAVE_TO_SENT_ITEMS: 'TRUE',
      DELIVERY_CLAIM_SECONDS: '120',
      LEDGER_TABLE: 'Ledger2026',
    });
    expect(config.delivery).toEqual({
      senderMailbox: 'billing@contoso.com',
      senders: [{ mailbox: 'billing@contoso.com', messagesPerMinute: 30, recipientsPerDay: 10_000 }],
      retryDelayMs: 60_000,
      saveToSentItems: true,
      claimDurationMs: 120_000,
    });
    expect(config.ledgerTable).toBe('Ledger2026');
    expect(testConfig({ SENDER_MAILBOX: '3ec1f266-be0f-4037-877a-3c76e500f47b' }).delivery.senderMailbox).toBe(
      '3ec1f266-be0f-4037-877a-3c76e500f47b',
    );
  });

  it('SENDER_MAILBOXES: several mailboxes, each with the default limits or its own; it replaces SENDER_MAILBOX', () => {
    const config = testConfig({
      SENDER_MAILBOX: 'ignored@contoso.com',
      SENDER_MAILBOXES: 'billing@contoso.com; billing2@contoso.com|20|5000 ,3ec1f266-be0f-4037-877a-3c76e500f47b||800',
      MAIL_MESSAGES_PER_MINUTE: '25',
      DELIVERY_RETRY_DELAY_SECONDS: '5',
    });
    expect(config.delivery.senders).toEqual([
      { mailbox: 'billing@contoso.com', messagesPerMinute: 25, recipientsPerDay: 10_000 },
      { mailbox: 'billing2@contoso.com', messagesPerMinute: 20, recipientsPerDay: 5000 },
      { mailbox: '3ec1f266-be0f-4037-877a-3c76e500f47b', messagesPerMinute: 25, recipientsPerDay: 800 },
    ]);
    expect(config.delivery).toMatchObject({ senderMailbox: 'billing@contoso.com', retryDelayMs: 5000 });
    expect(
      loadConfig({ ...REQUIRED_SETTINGS, SENDER_MAILBOXES: 'a@contoso.com,b@contoso.com' }, { requireDelivery: true })
        .delivery.senders,
    ).toHaveLength(2);
    expect(problemWith({ SENDER_MAILBOXES: 'a@contoso.com,,b@contoso.com' }, 'SENDER_MAILBOXES')).toContain('blank');
    expect(problemWith({ SENDER_MAILBOXES: 'a@contoso.com|x' }, 'SENDER_MAILBOXES')).toContain('whole numbers');
    expect(problemWith({ SENDER_MAILBOXES: 'a@contoso.com,A@contoso.com' }, 'SENDER_MAILBOXES')).toContain('twice');
    expect(problemWith({ SENDER_MAILBOXES: 'billing at contoso' }, 'SENDER_MAILBOXES')).toContain('is not "mailbox"');
  });

  it('SENDER_MAILBOX is optional for the sweep but required for delivery, listed with every other problem', () => {
    expect(testConfig().delivery.senderMailbox).toBeUndefined();
    const delivery = loadConfig(
      { ...REQUIRED_SETTINGS, SENDER_MAILBOX: 'billing@contoso.com' },
      { requireDelivery: true },
    );
    expect(delivery.delivery.senderMailbox).toBe('billing@contoso.com');

    let error: unknown;
    try {
      loadConfig({ ...REQUIRED_SETTINGS, CATCH_UP_DAYS: 'two' }, { requireDelivery: true });
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as ConfigError).message).toMatch(
      /^2 settings are invalid: \(1\) CATCH_UP_DAYS .* \(2\) SENDER_MAILBOX is required: set it to the user principal name/,
    );
  });

  it('reject a bad mailbox, flag, table name or claim duration, naming the setting', () => {
    expect(problemWith({ SENDER_MAILBOX: 'billing at contoso' }, 'SENDER_MAILBOX')).toContain('user principal name');
    expect(problemWith({ SAVE_TO_SENT_ITEMS: 'yes' }, 'SAVE_TO_SENT_ITEMS')).toBe(
      'SAVE_TO_SENT_ITEMS must be "true" or "false" (got "yes")',
    );
    for (const table of ['ab', '1ledger', 'reminder-ledger', 'Tables', 'x'.repeat(64)]) {
      expect(problemWith({ LEDGER_TABLE: table }, 'LEDGER_TABLE')).toContain('storage table name');
    }
    expect(problemWith({ DELIVERY_CLAIM_SECONDS: '59' }, 'DELIVERY_CLAIM_SECONDS')).toContain('from 60 to 3600');
  });

  it('a claim must outlast one request plus the time to record its outcome', () => {
    expect(testConfig({ HTTP_TIMEOUT_SECONDS: '30', DELIVERY_CLAIM_SECONDS: '60' }).delivery.claimDurationMs).toBe(
      60_000,
    );
    expect(problemWith({ HTTP_TIMEOUT_SECONDS: '31', DELIVERY_CLAIM_SECONDS: '60' }, 'DELIVERY_CLAIM_SECONDS')).toBe(
      'DELIVERY_CLAIM_SECONDS must be at least HTTP_TIMEOUT_SECONDS + 30, i.e. 61 (got 60): a claim must outlast a sendMail request and the recording of its outcome',
    );
  });
});
