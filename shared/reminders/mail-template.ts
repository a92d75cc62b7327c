/**
 * The reminder e-mail: subject, plain-text body and HTML body, rendered from a reminder message. Pure:
 * no I/O, no clock (the days left are passed in, computed at send time).
 *
 * Graph's sendMail takes one body; the HTML one is sent. The text one says the same for logs, tests and
 * any channel without HTML. Every value from the list is HTML-escaped in the HTML body (names and
 * references are customer data and may contain markup); the subject and text body are plain text.
 */
import type { ReminderMessage } from './rules.js';

export interface ReminderMail {
  /** One line of plain text. */
  readonly subject: string;
  readonly text: string;
  /** A complete HTML document. */
  readonly html: string;
}

export interface ReminderMailOptions {
  /** Days from the day of sending to the due date (0: due today); default: the message's `daysLeft`. */
  readonly daysLeft?: number;
  /** BCP 47 locale for the amount and the date; default {@link DEFAULT_MAIL_LOCALE}. */
  readonly locale?: string;
}

/** The wording is English; British conventions write dates day-first ("Tuesday, 1 December 2026"). */
export const DEFAULT_MAIL_LOCALE = 'en-GB';

const HTML_ESCAPES: Readonly<Record<string, string>> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&#39;',
};

/** Text made safe for HTML element content and quoted attribute values. */
export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (character) => HTML_ESCAPES[character] ?? character);
}

/**
 * The amount (a decimal string such as `"1250.00"`) in the currency's format, e.g. `€1,250.00`.
 * Intl formats a numeric string as the exact decimal, so no binary floating point is involved.
 */
export function formatAmount(amount: string, currency: string, locale: string = DEFAULT_MAIL_LOCALE): string {
  if (!/^\d+(?:\.\d+)?$/.test(amount)) {
    throw new RangeError(`The amount must be a non-negative decimal string, got ${JSON.stringify(amount)}.`);
  }
  return new Intl.NumberFormat(locale, { style: 'currency', currency }).format(amount as `${number}`);
}

/** A calendar date `YYYY-MM-DD` in words, e.g. `Tuesday, 1 December 2026` (the date as given, in no time zone). */
export function formatDueDate(date: string, locale: string = DEFAULT_MAIL_LOCALE): string {
  const match = /^(\d{4})-(\d{2})-(\d{2})$/.exec(date);
  if (!match) {
    throw new RangeError(`The due date must be a calendar date YYYY-MM-DD, got ${JSON.stringify(date)}.`);
  }
  const [, year, month, day] = match.map(Number);
  // Midnight UTC of that date, formatted in UTC: the same calendar date whatever the host's zone.
  const instant = Date.UTC(year ?? 0, (month ?? 1) - 1, day ?? 1);
  return new Intl.DateTimeFormat(locale, { dateStyle: 'full', timeZone: 'UTC' }).format(instant);
}

/** `today`, `tomorrow` or `in N days`. */
export function describeDaysLeft(daysLeft: number): string {
  if (!Number.isInteger(daysLeft) || daysLeft < 0) {
    throw new RangeError(`Days left must be a whole number of at least 0, got ${daysLeft}.`);
  }
  if (daysLeft === 0) return 'today';
  if (daysLeft === 1) return 'tomorrow';
  return `in ${daysLeft} days`;
}

export function renderReminderMail(reminder: ReminderMessage, options: ReminderMailOptions = {}): ReminderMail {
  const locale = options.locale ?? DEFAULT_MAIL_LOCALE;
  const when = describeDaysLeft(options.daysLeft ?? reminder.daysLeft);
  const amount = formatAmount(reminder.amount, reminder.currency, locale);
  const dueDate = formatDueDate(reminder.dueDate, locale);
  const reference = reminder.reference.trim();
  const name = reminder.customer.name.trim();

  const subject =
    reference === ''
      ? `Payment reminder: ${amount} due ${when}`
      : `Payment reminder: ${reference} – ${amount} due ${when}`;
  const greeting = name === '' ? 'Dear customer,' : `Dear ${name},`;
  const forReference = reference === '' ? '' : ` for ${reference}`;
  const reminderLine = `This is a friendly reminder that the payment of ${amount}${forReference} is due ${when}, on ${dueDate}.`;
  const paidLine = 'If you have already paid, please disregard this message. Thank you.';

  const text = [greeting, '', reminderLine, '', paidLine, ''].join('\n');

  const htmlForReference = reference === '' ? '' : ` for <strong>${escapeHtml(reference)}</strong>`;
  const html = [
    '<!DOCTYPE html>',
    `<html lang="${escapeHtml(locale)}">`,
    '<head><meta charset="utf-8"><title>Payment reminder</title></head>',
    '<body>',
    `<p>${escapeHtml(greeting)}</p>`,
    `<p>This is a friendly reminder that the payment of <strong>${escapeHtml(amount)}</strong>${htmlForReference} is due ${escapeHtml(when)}, on <strong>${escapeHtml(dueDate)}</strong>.</p>`,
    `<p>${escapeHtml(paidLine)}</p>`,
    '</body>',
    '</html>',
    '',
  ].join('\n');

  return { subject, text, html };
}
