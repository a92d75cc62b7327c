/**
 * The reminder e-mail: subject, HTML body and plain-text body, rendered from a reminder message with
 * the template files (logic-less Mustache, docs/email-templates.md) and the strings of the customer's
 * language. Pure: the files are read elsewhere and handed in; no clock (the days left are passed in).
 *
 * compileMailTemplates checks everything a send could trip over (syntax, unknown fields, a missing or
 * unknown string) once, when the runtime is built and when the build bundles the files, and fails with
 * one line naming the file and the fix. Values are HTML-escaped in the HTML body (names and references
 * are customer data); triple mustaches, which would not escape them, are refused there.
 */
import Mustache from 'mustache';
import { DueNotifierError } from '../base/errors.js';
import { chooseMailLocale, describeDaysLeft, formatAmount, formatDueDate } from './mail-locale.js';
import { canonicalLanguageTag } from './language.js';
import type { MailLocale } from './mail-locale.js';
import { expandPaymentUrl } from './payment-link.js';
import type { ReminderMessage } from './rules.js';

/** A template file as read: its path (for messages) and its text. */
export interface TemplateFile {
  readonly file: string;
  readonly text: string;
}

/** The files of one template set; each strings file is named after its language, `<language>.json`. */
export interface MailTemplateFiles {
  readonly html: TemplateFile;
  readonly text: TemplateFile;
  readonly strings: readonly TemplateFile[];
}

/** What the settings add to every e-mail (MAIL_SENDER_NAME, MAIL_SIGNATURE, MAIL_CONTACT, MAIL_PAYMENT_URL). */
export interface MailBranding {
  readonly senderName?: string;
  /** Lines separated by newlines (or a literal `\n`, as app settings are one line). */
  readonly signature?: string;
  readonly contact?: string;
  /** URL template with `{reference}`, `{amount}`, `{currency}` (payment-link.ts). */
  readonly paymentUrl?: string;
}

export interface ReminderMail {
  /** One line of plain text. */
  readonly subject: string;
  readonly text: string;
  /** A complete HTML document. */
  readonly html: string;
  readonly locale: MailLocale;
}

export interface RenderMailOptions {
  /** Days from the day of sending to the due date (0: due today); default: the message's `daysLeft`. */
  readonly daysLeft?: number;
  readonly branding?: MailBranding;
  /** The language of customers without one, or with one that has no strings (MAIL_DEFAULT_LANGUAGE). */
  readonly defaultLanguage: string;
}

export interface MailTemplates {
  /** The languages that have strings, e.g. `de`, `en`. */
  readonly languages: ReadonlySet<string>;
  render(reminder: ReminderMessage, options: RenderMailOptions): ReminderMail;
}

/** The fields every template and every string may use (docs/email-templates.md lists them). */
export const MAIL_FIELDS = [
  'lang',
  'customerName',
  'reference',
  'amount',
  'amountValue',
  'currency',
  'dueDate',
  'dueDateIso',
  'dueIn',
  'daysLeft',
  'senderName',
  'signatureLines',
  'contact',
  'paymentUrl',
] as const;

/** The strings every language file must have; the templates use them as `t.<name>`. */
export const MAIL_STRINGS = [
  'subject',
  'preheader',
  'heading',
  'greeting',
  'intro',
  'amountLabel',
  'dueDateLabel',
  'referenceLabel',
  'payButton',
  'alreadyPaid',
  'questions',
  'automated',
] as const;

/** Optional key of a strings file: the `Intl` locale for customers who give the bare language (`en` → `en-GB`). */
const FORMAT_LOCALE_KEY = 'formatLocale';
const DOCS = 'docs/email-templates.md';

type Strings = Readonly<Record<(typeof MAIL_STRINGS)[number], string>>;
type Token = [string, string, number, number, Token[]?, ...unknown[]];

/** A template file that cannot be used; the message names the file and what to do. */
export class MailTemplateError extends DueNotifierError<'MailTemplateInvalid'> {
  readonly file: string;

  constructor(file: string, message: string, options: { readonly cause?: unknown } = {}) {
    super('MailTemplateInvalid', `${file}: ${message}`, options);
    this.file = file;
  }
}

/** Checks and compiles a template set; throws MailTemplateError for the first problem found. */
export function compileMailTemplates(files: MailTemplateFiles): MailTemplates {
  const stringNames = MAIL_STRINGS.map((name) => `t.${name}`);
  checkTemplate(files.html, [...MAIL_FIELDS, ...stringNames], { html: true });
  checkTemplate(files.text, [...MAIL_FIELDS, ...stringNames], { html: false });
  const byLanguage = new Map<string, { readonly strings: Strings; readonly formatLocale: string }>();
  for (const file of files.strings) {
    const language = /([^/\\]+)\.json$/.exec(file.file)?.[1] ?? '';
    if (canonicalLanguageTag(language) !== language) {
      throw new MailTemplateError(
        file.file,
        `"${language}" is not a language tag: name the file after one, e.g. de.json or de-CH.json.`,
      );
    }
    byLanguage.set(language, readStrings(file, language));
  }
  const languages: ReadonlySet<string> = new Set(byLanguage.keys());

  return {
    languages,
    render(reminder, options) {
      const locale = chooseMailLocale(
        reminder.language,
        languages,
        options.defaultLanguage,
        (language) => byLanguage.get(language)?.formatLocale ?? language,
      );
      const strings = byLanguage.get(locale.language)?.strings;
      if (strings === undefined) {
        throw new RangeError(`No strings for the default language "${options.defaultLanguage}".`);
      }
      const fields = fieldsOf(reminder, options.daysLeft ?? reminder.daysLeft, locale.locale, options.branding ?? {});
      const t = Object.fromEntries(MAIL_STRINGS.map((name) => [name, plain(strings[name], fields)]));
      const view = { ...fields, t };
      return {
        subject: (t['subject'] ?? '').replace(/\s+/g, ' ').trim(),
        text: `${plain(files.text.text, view)
          .replace(/[ \t]+$/gm, '')
          .replace(/\n{3,}/g, '\n\n')
          .trim()}\n`,
        html: Mustache.render(files.html.text, view),
        locale,
      };
    },
  };
}

function fieldsOf(reminder: ReminderMessage, daysLeft: number, locale: string, branding: MailBranding) {
  const reference = reminder.reference.trim();
  const signatureLines = (branding.signature ?? '')
    .split(/\\n|\n/)
    .map((line) => line.trim())
    .filter((line) => line !== '');
  return {
    lang: locale,
    customerName: reminder.customer.name.trim(),
    reference,
    amount: formatAmount(reminder.amount, reminder.currency, locale),
    amountValue: reminder.amount,
    currency: reminder.currency,
    dueDate: formatDueDate(reminder.dueDate, locale),
    dueDateIso: reminder.dueDate,
    dueIn: describeDaysLeft(daysLeft, locale),
    daysLeft,
    senderName: branding.senderName ?? '',
    signatureLines,
    contact: branding.contact ?? '',
    paymentUrl:
      branding.paymentUrl === undefined
        ? ''
        : expandPaymentUrl(branding.paymentUrl, { reference, amount: reminder.amount, currency: reminder.currency }),
  } satisfies Record<(typeof MAIL_FIELDS)[number], unknown>;
}

/** Renders without HTML escaping: strings, the subject and the text body are plain text. */
function plain(template: string, view: object): string {
  return Mustache.render(template, view, {}, { escape: (value: string) => value });
}

function checkTemplate(file: TemplateFile, allowed: readonly string[], options: { readonly html: boolean }): void {
  let tokens: Token[];
  try {
    tokens = Mustache.parse(file.text) as Token[];
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    throw new MailTemplateError(file.file, `${reason}; fix the Mustache syntax (see ${DOCS}).`, { cause: error });
  }
  const lineOf = (index: number) => file.text.slice(0, index).split('\n').length;
  const walk = (list: readonly Token[], inSection: boolean): void => {
    for (const [type, name, start, , children] of list) {
      if (type === 'text' || type === '!' || type === '=') continue;
      const where = `line ${lineOf(start)}`;
      if (type === '>') {
        throw new MailTemplateError(
          file.file,
          `${where}: partials ({{> ${name}}}) are not supported; inline the markup.`,
        );
      }
      if ((type === '&' || type === '{') && options.html) {
        throw new MailTemplateError(
          file.file,
          `${where}: {{{${name}}}} / {{& ${name}}} would not HTML-escape customer data; write {{${name}}}.`,
        );
      }
      if (!(allowed.includes(name) || (name === '.' && inSection))) {
        throw new MailTemplateError(
          file.file,
          `${where}: unknown field {{${name}}}; use one of ${allowed.join(', ')} (see ${DOCS}).`,
        );
      }
      if (children) walk(children, inSection || type === '#');
    }
  };
  walk(tokens, false);
}

function readStrings(file: TemplateFile, language: string): { strings: Strings; formatLocale: string } {
  let parsed: unknown;
  try {
    parsed = JSON.parse(file.text);
  } catch (error) {
    throw new MailTemplateError(file.file, `not valid JSON (${String(error)}); fix the file's syntax.`, {
      cause: error,
    });
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    throw new MailTemplateError(file.file, 'must hold one JSON object of strings.');
  }
  const entries = Object.entries(parsed);
  const known: readonly string[] = [...MAIL_STRINGS, FORMAT_LOCALE_KEY];
  const unknown = entries.find(([key]) => !known.includes(key));
  if (unknown) {
    throw new MailTemplateError(
      file.file,
      `unknown string "${unknown[0]}"; the strings are ${MAIL_STRINGS.join(', ')}.`,
    );
  }
  const notText = entries.find(([, value]) => typeof value !== 'string');
  if (notText) {
    throw new MailTemplateError(file.file, `"${notText[0]}" must be a string.`);
  }
  const strings = parsed as Record<string, string>;
  const missing = MAIL_STRINGS.find((name) => strings[name] === undefined);
  if (missing) {
    throw new MailTemplateError(file.file, `missing string "${missing}"; add it (en.json has every string).`);
  }
  for (const name of MAIL_STRINGS) {
    checkTemplate({ file: `${file.file} "${name}"`, text: strings[name] ?? '' }, MAIL_FIELDS, { html: false });
  }
  const formatLocale = strings[FORMAT_LOCALE_KEY] ?? language;
  if (canonicalLanguageTag(formatLocale) !== formatLocale) {
    throw new MailTemplateError(file.file, `"${FORMAT_LOCALE_KEY}" must be a BCP 47 tag such as "en-GB".`);
  }
  return { strings: strings as Strings, formatLocale };
}
