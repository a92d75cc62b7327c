import { describe, expect, it } from 'vitest';
import {
  chooseMailLocale,
  describeDaysLeft,
  formatAmount,
  formatDueDate,
} from '../../../shared/reminders/mail-locale.js';

const LANGUAGES: ReadonlySet<string> = new Set(['de', 'en', 'fr', 'fr-CA']);
const FORMAT_LOCALES: Readonly<Record<string, string>> = { de: 'de-DE', en: 'en-GB' };
const formatLocaleOf = (language: string) => FORMAT_LOCALES[language] ?? language;

describe('chooseMailLocale', () => {
  it("keeps the customer's own tag for formatting when its language has strings", () => {
    expect(chooseMailLocale('de-CH', LANGUAGES, 'en', formatLocaleOf)).toEqual({ language: 'de', locale: 'de-CH' });
    expect(chooseMailLocale('fr-ca', LANGUAGES, 'en', formatLocaleOf)).toEqual({ language: 'fr-CA', locale: 'fr-CA' });
  });

  it("formats a bare language with its strings' locale", () => {
    expect(chooseMailLocale('de', LANGUAGES, 'en', formatLocaleOf)).toEqual({ language: 'de', locale: 'de-DE' });
  });

  it('falls back to the default language for no tag, an unknown language or a malformed tag', () => {
    for (const requested of [undefined, 'sv-SE', 'not a tag', '']) {
      expect(chooseMailLocale(requested, LANGUAGES, 'en', formatLocaleOf)).toEqual({ language: 'en', locale: 'en-GB' });
    }
  });
});

describe('formatAmount', () => {
  it('formats the decimal string for its currency and locale', () => {
    expect(formatAmount('1250.00', 'EUR', 'en-GB')).toBe('€1,250.00');
    expect(formatAmount('1250.00', 'EUR', 'de-DE')).toBe('1.250,00\u00a0€');
    expect(formatAmount('2400.00', 'CHF', 'de-CH')).toBe("CHF\u00a02'400.00");
    expect(formatAmount('1500', 'JPY', 'en-GB')).toBe('JP¥1,500');
    expect(formatAmount('1.235', 'BHD', 'en-GB')).toBe('BHD\u00a01.235');
  });

  it('keeps every digit of large amounts (no binary floating point on the way)', () => {
    // 99999999999999.99 is not representable as a double: Number() would print ...100.00.
    expect(formatAmount('99999999999999.99', 'USD', 'en-GB')).toBe('US$99,999,999,999,999.99');
  });

  it('refuses anything that is not a non-negative decimal string', () => {
    for (const amount of ['', '-1', '1e3', 'NaN', '12,50']) {
      expect(() => formatAmount(amount, 'EUR', 'en-GB')).toThrow(RangeError);
    }
  });
});

describe('formatDueDate', () => {
  it('writes the calendar date in words, the same date whatever the zone of the host', () => {
    expect(formatDueDate('2026-12-01', 'en-GB')).toBe('Tuesday, 1 December 2026');
    expect(formatDueDate('2028-02-29', 'en-GB')).toBe('Tuesday, 29 February 2028');
    expect(formatDueDate('2026-12-31', 'de-DE')).toBe('Donnerstag, 31. Dezember 2026');
    expect(() => formatDueDate('2026-12-1', 'en-GB')).toThrow(RangeError);
  });
});

describe('describeDaysLeft', () => {
  it('says today, tomorrow or in N days, in each language', () => {
    expect([0, 1, 3].map((days) => describeDaysLeft(days, 'en-GB'))).toEqual(['today', 'tomorrow', 'in 3 days']);
    expect([0, 1, 3].map((days) => describeDaysLeft(days, 'de-DE'))).toEqual(['heute', 'morgen', 'in 3 Tagen']);
    expect([0, 1, 3].map((days) => describeDaysLeft(days, 'fr-FR'))).toEqual(['aujourd’hui', 'demain', 'dans 3 jours']);
    expect([0, 1, 3].map((days) => describeDaysLeft(days, 'it-IT'))).toEqual(['oggi', 'domani', 'tra 3 giorni']);
    expect([0, 1, 3].map((days) => describeDaysLeft(days, 'nl-NL'))).toEqual(['vandaag', 'morgen', 'over 3 dagen']);
    expect([0, 1, 3].map((days) => describeDaysLeft(days, 'es-ES'))).toEqual(['hoy', 'mañana', 'dentro de 3 días']);
    expect(() => describeDaysLeft(-1, 'en-GB')).toThrow(RangeError);
  });
});
