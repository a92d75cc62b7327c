/**
 * Rules for the settings of the e-mail (MAIL_*): the default language, the text of the footer, and the
 * payment link template.
 */
import * as v from 'valibot';
import { canonicalLanguageTag } from '../reminders/language.js';
import { expandPaymentUrl, PAYMENT_URL_PLACEHOLDERS, unknownPlaceholders } from '../reminders/payment-link.js';
import { NO_REASON, quote, reasoned } from './rule.js';
import type { Rule } from './rule.js';

export const languageTag: Rule<string> = {
  expected: 'a BCP 47 language tag such as "en", "de" or "fr-CH"',
  schema: v.pipe(
    v.string(),
    v.check((text) => canonicalLanguageTag(text) !== undefined, NO_REASON),
    v.transform((text) => canonicalLanguageTag(text) ?? text),
  ),
};

/** Text for the e-mail: one line (a literal `\n` may stand for a line break), without control characters. */
export function mailText(maxLength: number): Rule<string> {
  return {
    expected: `text of at most ${maxLength} characters, without control characters`,
    schema: v.pipe(v.string(), v.maxLength(maxLength, NO_REASON), v.regex(/^\P{Cc}*$/u, NO_REASON)),
  };
}

const PAYMENT_URL_SAMPLE = { reference: 'INV-1', amount: '1.00', currency: 'EUR' };

function paymentUrlProblem(text: string): string | undefined {
  const unknown = unknownPlaceholders(text);
  if (unknown.length > 0) return `unknown placeholder {${unknown[0]}}`;
  const expanded = expandPaymentUrl(text, PAYMENT_URL_SAMPLE);
  if (!URL.canParse(expanded)) return 'not an absolute URL';
  const url = new URL(expanded);
  if (url.protocol !== 'https:') return 'https is required';
  if (url.username !== '' || url.password !== '') return 'a URL with credentials in it';
  return undefined;
}

export const paymentUrl: Rule<string> = {
  expected: `an https URL template, e.g. "https://pay.example.com/invoice?ref={reference}&amount={amount}&currency={currency}" (placeholders: ${PAYMENT_URL_PLACEHOLDERS.map((name) => `{${name}}`).join(', ')})`,
  show: (text) => quote(text),
  schema: v.pipe(v.string(), reasoned(paymentUrlProblem)),
};
