import { describe, expect, it } from 'vitest';
import {
  describeDaysLeft,
  escapeHtml,
  formatAmount,
  formatDueDate,
  renderReminderMail,
} from '../../../shared/reminders/mail-template.js';
import type { ReminderMessage } from '../../../shared/reminders/rules.js';
import { reminderMessage } from '../../support/reminder-messages.js';

function reminder(overrides: Partial<ReminderMessage> = {}): ReminderMessage {
  return reminderMessage({
    reference: 'INV-2026-1001',
    customer: { name: 'Müller Logistik GmbH', email: 'accounts@mueller-logistik.de' },
    amount: '1250.00',
    createdAt: '2026-12-01T06:00:00.000Z',
    ...overrides,
  });
}

describe('escapeHtml', () => {
  it('escapes the five characters that matter in content and quoted attributes', () => {
    expect(escapeHtml(`<a href="x" title='y'>Tom & Jerry</a>`)).toBe(
      '&lt;a href=&quot;x&quot; title=&#39;y&#39;&gt;Tom &amp; Jerry&lt;/a&gt;',
    );
    expect(escapeHtml('Müller')).toBe('Müller');
  });
});

describe('formatAmount', () => {
  it('formats the decimal string for its currency, with the currency minor units', () => {
    expect(formatAmount('1250.00', 'EUR')).toBe('€1,250.00');
    expect(formatAmount('1500', 'JPY')).toBe('JP¥1,500');
    expect(formatAmount('1.235', 'BHD')).toBe('BHD\u00a01.235');
    expect(formatAmount('2400.00', 'CHF')).toBe('CHF\u00a02,400.00');
    expect(formatAmount('1250.00', 'EUR', 'de-DE')).toBe('1.250,00\u00a0€');
  });

  it('keeps every digit of large amounts (no binary floating point on the way)', () => {
    // 99999999999999.99 is not representable as a double: Number() would print ...100.00.
    expect(formatAmount('99999999999999.99', 'USD')).toBe('US$99,999,999,999,999.99');
    expect(formatAmount('0.30', 'EUR')).toBe('€0.30');
  });

  it('refuses anything that is not a non-negative decimal string', () => {
    for (const amount of ['', '-1', '1e3', 'NaN', '12,50']) {
      expect(() => formatAmount(amount, 'EUR')).toThrow(RangeError);
    }
  });
});

describe('formatDueDate', () => {
  it('writes the calendar date in words, the same date whatever the zone of the host', () => {
    expect(formatDueDate('2026-12-01')).toBe('Tuesday, 1 December 2026');
    expect(formatDueDate('2028-02-29')).toBe('Tuesday, 29 February 2028');
    expect(formatDueDate('2026-12-31', 'de-DE')).toBe('Donnerstag, 31. Dezember 2026');
    expect(() => formatDueDate('2026-12-1')).toThrow(RangeError);
  });
});

describe('describeDaysLeft', () => {
  it('says today, tomorrow or in N days', () => {
    expect(describeDaysLeft(0)).toBe('today');
    expect(describeDaysLeft(1)).toBe('tomorrow');
    expect(describeDaysLeft(3)).toBe('in 3 days');
    expect(() => describeDaysLeft(-1)).toThrow(RangeError);
  });
});

describe('renderReminderMail', () => {
  it('renders subject, text and HTML from the reminder', () => {
    const mail = renderReminderMail(reminder());
    expect(mail.subject).toBe('Payment reminder: INV-2026-1001 – €1,250.00 due in 7 days');
    expect(mail.text).toBe(
      [
        'Dear Müller Logistik GmbH,',
        '',
        'This is a friendly reminder that the payment of €1,250.00 for INV-2026-1001 is due in 7 days, on Tuesday, 8 December 2026.',
        '',
        'If you have already paid, please disregard this message. Thank you.',
        '',
      ].join('\n'),
    );
    expect(mail.html).toMatch(/^<!DOCTYPE html>\n<html lang="en-GB">/);
    expect(mail.html).toContain('<meta charset="utf-8">');
    expect(mail.html).toContain('<p>Dear Müller Logistik GmbH,</p>');
    expect(mail.html).toContain(
      'the payment of <strong>€1,250.00</strong> for <strong>INV-2026-1001</strong> is due in 7 days, on <strong>Tuesday, 8 December 2026</strong>.',
    );
  });

  it('uses the days left at send time when given (a reminder that waited in the queue)', () => {
    const mail = renderReminderMail(reminder({ daysLeft: 2 }), { daysLeft: 1 });
    expect(mail.subject).toMatch(/due tomorrow$/);
    expect(renderReminderMail(reminder({ daysLeft: 0 })).text).toContain('is due today, on Tuesday, 8 December 2026');
  });

  it('HTML-escapes every value taken from the list, and keeps the text body verbatim', () => {
    const mail = renderReminderMail(
      reminder({
        reference: 'INV-<b>1</b>',
        customer: { name: `<script>alert("x")</script> O'Brien & Co`, email: 'x@example.com' },
      }),
    );
    expect(mail.html).not.toContain('<script>');
    expect(mail.html).not.toContain('<b>');
    expect(mail.html).toContain('Dear &lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; O&#39;Brien &amp; Co,');
    expect(mail.html).toContain('<strong>INV-&lt;b&gt;1&lt;/b&gt;</strong>');
    expect(mail.text).toContain(`Dear <script>alert("x")</script> O'Brien & Co,`);
    expect(mail.subject).toBe('Payment reminder: INV-<b>1</b> – €1,250.00 due in 7 days');
  });

  it('does without a name or a reference', () => {
    const mail = renderReminderMail(reminder({ reference: ' ', customer: { name: '', email: 'x@example.com' } }));
    expect(mail.subject).toBe('Payment reminder: €1,250.00 due in 7 days');
    expect(mail.text).toMatch(/^Dear customer,\n/);
    expect(mail.text).toContain('the payment of €1,250.00 is due in 7 days');
  });

  it('never puts the e-mail address into the mail text', () => {
    const mail = renderReminderMail(reminder());
    for (const part of [mail.subject, mail.text, mail.html]) {
      expect(part).not.toContain('accounts@mueller-logistik.de');
    }
  });
});
