import { describe, expect, it } from 'vitest';
import { readMailTemplateFiles } from '../../../shared/delivery/mail-template-files.js';
import { compileMailTemplates, MAIL_STRINGS, MailTemplateError } from '../../../shared/reminders/mail-template.js';
import type { MailTemplateFiles } from '../../../shared/reminders/mail-template.js';
import type { ReminderMessage } from '../../../shared/reminders/rules.js';
import { renderTestMail, repositoryTemplates } from '../../support/mail-templates.js';
import { reminderMessage } from '../../support/reminder-messages.js';

function reminder(overrides: Partial<ReminderMessage> = {}): ReminderMessage {
  return reminderMessage({
    reference: 'INV-2026-1001',
    customer: { name: 'Müller Logistik GmbH', email: 'accounts@mueller-logistik.de' },
    dueDate: '2026-12-03',
    amount: '1250.00',
    createdAt: '2026-11-26T06:00:00.000Z',
    ...overrides,
  });
}

/** Intl separates with no-break and narrow no-break spaces; the expectations below write plain ones. */
const spaces = (text: string) => text.replace(/[\u00a0\u202f]/g, ' ');

const KEY_FACTS: Readonly<Record<string, { lang: string; amount: string; date: string; dueIn: string }>> = {
  en: { lang: 'en-GB', amount: '€1,250.00', date: 'Thursday, 3 December 2026', dueIn: 'due in 7 days' },
  de: { lang: 'de-DE', amount: '1.250,00 €', date: 'Donnerstag, 3. Dezember 2026', dueIn: 'fällig in 7 Tagen' },
  fr: { lang: 'fr-FR', amount: '1 250,00 €', date: 'jeudi 3 décembre 2026', dueIn: 'à régler dans 7 jours' },
  it: { lang: 'it-IT', amount: '1250,00 €', date: 'giovedì 3 dicembre 2026', dueIn: 'in scadenza tra 7 giorni' },
  nl: { lang: 'nl-NL', amount: '€ 1.250,00', date: 'donderdag 3 december 2026', dueIn: 'vervalt over 7 dagen' },
  es: { lang: 'es-ES', amount: '1250,00 €', date: 'jueves, 3 de diciembre de 2026', dueIn: 'vence dentro de 7 días' },
};

describe('the repository templates', () => {
  it('have strings for at least German, English, French, Italian, Dutch and Spanish', () => {
    expect([...repositoryTemplates.languages]).toEqual(expect.arrayContaining(Object.keys(KEY_FACTS)));
  });

  it.each(Object.entries(KEY_FACTS))('render amount, due date and reference for %s', (language, facts) => {
    const mail = renderTestMail(reminder({ language }));
    expect(mail.locale).toEqual({ language, locale: facts.lang });
    expect(spaces(mail.subject)).toContain(`INV-2026-1001 – ${facts.amount} ${facts.dueIn}`);
    for (const body of [mail.text, mail.html].map(spaces)) {
      expect(body).toContain(facts.amount);
      expect(body).toContain(facts.date);
      expect(body).toContain('INV-2026-1001');
    }
    expect(mail.html).toMatch(new RegExp(`^<!DOCTYPE html>\\n<html lang="${facts.lang}"`));
  });

  it("formats for the customer's region and falls back to the default language", () => {
    const swiss = renderTestMail(reminder({ language: 'de-CH', currency: 'CHF' }));
    expect(spaces(swiss.subject)).toBe("Zahlungserinnerung: INV-2026-1001 – CHF 1'250.00 fällig in 7 Tagen");
    expect(renderTestMail(reminder({ language: 'sv' })).locale).toEqual({ language: 'en', locale: 'en-GB' });
    expect(renderTestMail(reminder(), { defaultLanguage: 'nl' }).subject).toMatch(/^Betalingsherinnering: /);
  });

  it('renders the English e-mail as before: subject, greeting and reminder sentence', () => {
    const mail = renderTestMail(reminder());
    expect(mail.subject).toBe('Payment reminder: INV-2026-1001 – €1,250.00 due in 7 days');
    expect(mail.text).toContain(
      'Dear Müller Logistik GmbH,\n\nThis is a friendly reminder that the payment of €1,250.00 for INV-2026-1001 is due in 7 days, on Thursday, 3 December 2026.',
    );
    expect(mail.text).toContain('If you have already paid, please disregard this message. Thank you.');
    expect(mail.html).toContain('<meta charset="utf-8">');
    expect(mail.html).toContain('max-width:600px');
  });

  it('uses the days left at send time (a reminder that waited in the queue)', () => {
    expect(renderTestMail(reminder({ daysLeft: 2 }), { daysLeft: 1 }).subject).toMatch(/due tomorrow$/);
    expect(renderTestMail(reminder({ daysLeft: 0 })).text).toContain('is due today, on Thursday, 3 December 2026');
    expect(renderTestMail(reminder({ language: 'de', daysLeft: 0 })).subject).toMatch(/fällig heute$/);
  });

  it('HTML-escapes every value taken from the list, and keeps the text body verbatim', () => {
    const mail = renderTestMail(
      reminder({
        reference: 'INV-<b>1</b>',
        customer: { name: `<script>alert("x")</script> O'Brien & Co`, email: 'x@example.com' },
      }),
    );
    expect(mail.html).not.toContain('<script>');
    expect(mail.html).not.toContain('<b>');
    expect(mail.html).toContain('Dear &lt;script&gt;alert(&quot;x&quot;)&lt;&#x2F;script&gt; O&#39;Brien &amp; Co,');
    expect(mail.html).toContain('INV-&lt;b&gt;1&lt;&#x2F;b&gt;');
    expect(mail.text).toContain(`Dear <script>alert("x")</script> O'Brien & Co,`);
    expect(mail.subject).toBe('Payment reminder: INV-<b>1</b> – €1,250.00 due in 7 days');
  });

  it('does without a name or a reference', () => {
    const mail = renderTestMail(reminder({ reference: ' ', customer: { name: '', email: 'x@example.com' } }));
    expect(mail.subject).toBe('Payment reminder: €1,250.00 due in 7 days');
    expect(mail.text).toContain('\nDear customer,\n');
    expect(mail.text).toContain('the payment of €1,250.00 is due in 7 days');
    expect(mail.html).not.toContain('Reference');
  });

  it('adds the sender name, signature, contact line and payment link from the settings', () => {
    const branding = {
      senderName: 'Contoso Bank',
      signature: 'Contoso Bank AG\\nAccounts receivable',
      contact: '+49 30 1234567',
      paymentUrl: 'https://pay.contoso.example/i?ref={reference}&amount={amount}&cur={currency}',
    };
    const mail = renderTestMail(reminder({ reference: 'INV 1/2' }), { branding });
    expect(mail.text).toContain('Pay now: https://pay.contoso.example/i?ref=INV%201%2F2&amount=1250.00&cur=EUR');
    expect(mail.text).toContain('Questions about this payment? +49 30 1234567');
    expect(mail.text).toContain('\nContoso Bank AG\nAccounts receivable\n');
    expect(mail.html).toContain(
      'href="https:&#x2F;&#x2F;pay.contoso.example&#x2F;i?ref&#x3D;INV%201%2F2&amp;amount&#x3D;',
    );
    expect(mail.html).toContain('>Contoso Bank AG</p>');
    expect(mail.html).toContain('sent automatically by Contoso Bank.');
    const plainMail = renderTestMail(reminder());
    expect(plainMail.html).not.toContain('href=');
    expect(plainMail.text).not.toContain('Questions');
  });

  it('never puts the e-mail address into the mail', () => {
    const mail = renderTestMail(reminder());
    for (const part of [mail.subject, mail.text, mail.html]) {
      expect(part).not.toContain('accounts@mueller-logistik.de');
    }
  });
});

describe('compileMailTemplates: a bad template fails before any send, naming the file and the fix', () => {
  const files = readMailTemplateFiles();
  const withHtml = (text: string): MailTemplateFiles => ({ ...files, html: { file: 'templates/x.html', text } });
  const withStrings = (text: string, file = 'templates/strings/de.json'): MailTemplateFiles => ({
    ...files,
    strings: [...files.strings, { file, text }],
  });
  const failure = (broken: MailTemplateFiles): MailTemplateError => {
    try {
      compileMailTemplates(broken);
    } catch (error) {
      if (error instanceof MailTemplateError) return error;
      throw error;
    }
    throw new Error('expected a MailTemplateError');
  };

  it.each([
    [
      'a syntax error',
      withHtml('<p>{{#reference}}x</p>'),
      /^templates\/x\.html: Unclosed section "reference" at \d+; fix/,
    ],
    [
      'an unknown field',
      withHtml('<p>\n{{amont}}</p>'),
      /^templates\/x\.html: line 2: unknown field \{\{amont\}\}; use one of lang, /,
    ],
    ['a triple mustache', withHtml('{{{reference}}}'), /would not HTML-escape customer data; write \{\{reference\}\}/],
    ['a partial', withHtml('{{> footer}}'), /partials \(\{\{> footer\}\}\) are not supported/],
    [
      'a missing string',
      withStrings('{"subject": "x"}'),
      /^templates\/strings\/de\.json: missing string "preheader"; add it/,
    ],
    ['an unknown string', withStrings('{"subjekt": "x"}'), /unknown string "subjekt"; the strings are subject, /],
    ['invalid JSON', withStrings('{"subject": '), /^templates\/strings\/de\.json: not valid JSON/],
    [
      'an unknown field in a string',
      withStrings(
        JSON.stringify({
          ...Object.fromEntries(MAIL_STRINGS.map((name) => [name, 'x'])),
          intro: '{{t.heading}}',
        }),
      ),
      /de\.json "intro": line 1: unknown field \{\{t\.heading\}\}/,
    ],
    [
      'a file not named after a language',
      withStrings('{}', 'templates/strings/de_DE.json'),
      /"de_DE" is not a language tag/,
    ],
  ])('%s', (_, broken, message) => {
    const error = failure(broken);
    expect(error.code).toBe('MailTemplateInvalid');
    expect(error.message).toMatch(message);
    expect(error.message).not.toContain('\n');
  });
});
