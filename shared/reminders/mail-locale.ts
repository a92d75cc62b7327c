/**
 * The reminder e-mail in the customer's language: which template language a BCP 47 tag gets, and the
 * amount, the due date and the days left formatted for that locale with `Intl`.
 */

import { canonicalLanguageTag } from './language.js';

/** The language an e-mail is written in, and the locale its amount and dates are formatted for. */
export interface MailLocale {
  /** A template language (a strings file name), e.g. `de`. */
  readonly language: string;
  /** BCP 47 locale for `Intl` and the HTML `lang` attribute, e.g. `de-CH`. */
  readonly locale: string;
}

const DECIMAL = /^\d+(?:\.\d+)?$/;
const CALENDAR_DATE = /^(\d{4})-(\d{2})-(\d{2})$/;

/**
 * The template language for `requested` (the customer's tag, e.g. `de-CH`): the tag itself if it has
 * strings, else its base language (`de`), else `fallback`. The customer's own tag stays the formatting
 * locale when its language was found (Swiss German amounts for `de-CH`); a bare language or the fallback
 * uses `formatLocaleOf(language)` (English strings format day-first, as `en-GB`).
 */
export function chooseMailLocale(
  requested: string | undefined,
  languages: ReadonlySet<string>,
  fallback: string,
  formatLocaleOf: (language: string) => string,
): MailLocale {
  const tag = requested === undefined ? undefined : canonicalLanguageTag(requested);
  if (tag !== undefined) {
    const base = new Intl.Locale(tag).language;
    for (const language of [tag, base]) {
      if (languages.has(language)) {
        return { language, locale: tag === language ? formatLocaleOf(language) : tag };
      }
    }
  }
  return { language: fallback, locale: formatLocaleOf(fallback) };
}

/**
 * The amount (a decimal string such as `"1250.00"`) in the locale's currency format, e.g. `1.250,00 €`
 * in German. Intl formats a numeric string as the exact decimal: no binary floating point is involved.
 */
export function formatAmount(amount: string, currency: string, locale: string): string {
  if (!DECIMAL.test(amount)) {
    throw new RangeError(`The amount must be a non-negative decimal string, got ${JSON.stringify(amount)}.`);
  }
  return new Intl.NumberFormat(locale, { style: 'currency', currency }).format(amount as `${number}`);
}

/** A calendar date `YYYY-MM-DD` in words, e.g. `Dienstag, 8. Dezember 2026` (the date as given, in no time zone). */
export function formatDueDate(date: string, locale: string): string {
  const match = CALENDAR_DATE.exec(date);
  if (!match) {
    throw new RangeError(`The due date must be a calendar date YYYY-MM-DD, got ${JSON.stringify(date)}.`);
  }
  const [, year, month, day] = match.map(Number);
  // Midnight UTC of that date, formatted in UTC: the same calendar date whatever the host's zone.
  const instant = Date.UTC(year ?? 0, (month ?? 1) - 1, day ?? 1);
  return new Intl.DateTimeFormat(locale, { dateStyle: 'full', timeZone: 'UTC' }).format(instant);
}

/** When the payment is due, in the locale's words: `today`, `tomorrow`, `in 3 days` (`heute`, `morgen`, …). */
export function describeDaysLeft(daysLeft: number, locale: string): string {
  if (!Number.isInteger(daysLeft) || daysLeft < 0) {
    throw new RangeError(`Days left must be a whole number of at least 0, got ${daysLeft}.`);
  }
  return new Intl.RelativeTimeFormat(locale, { numeric: 'auto' }).format(daysLeft, 'day');
}
