import { describe, expect, it } from 'vitest';
import { problemWith, testConfig } from '../../support/settings.js';

describe('MAIL_ settings', () => {
  it('default to English and no branding', () => {
    expect(testConfig().mail).toEqual({ defaultLanguage: 'en', branding: {} });
  });

  it('read the language as a canonical BCP 47 tag', () => {
    expect(testConfig({ MAIL_DEFAULT_LANGUAGE: 'de-ch' }).mail.defaultLanguage).toBe('de-CH');
    expect(problemWith({ MAIL_DEFAULT_LANGUAGE: 'german!' }, 'MAIL_DEFAULT_LANGUAGE')).toBe(
      'MAIL_DEFAULT_LANGUAGE must be a BCP 47 language tag such as "en", "de" or "fr-CH" (got "german!")',
    );
  });

  it('carry the sender name, signature, contact line and payment link when set', () => {
    const config = testConfig({
      MAIL_SENDER_NAME: ' Contoso Bank ',
      MAIL_SIGNATURE: 'Contoso Bank AG\\nAccounts receivable',
      MAIL_CONTACT: '+49 30 1234567',
      MAIL_PAYMENT_URL: 'https://pay.contoso.example/i?ref={reference}&amount={amount}&cur={currency}',
    });
    expect(config.mail.branding).toEqual({
      senderName: 'Contoso Bank',
      signature: 'Contoso Bank AG\\nAccounts receivable',
      contact: '+49 30 1234567',
      paymentUrl: 'https://pay.contoso.example/i?ref={reference}&amount={amount}&cur={currency}',
    });
  });

  it('refuse a payment link that is not https, has credentials or an unknown placeholder', () => {
    expect(problemWith({ MAIL_PAYMENT_URL: 'http://pay.example.com/{reference}' }, 'MAIL_PAYMENT_URL')).toContain(
      '(got "http://pay.example.com/{reference}": https is required)',
    );
    expect(problemWith({ MAIL_PAYMENT_URL: 'https://u:p@pay.example.com/' }, 'MAIL_PAYMENT_URL')).toContain(
      'a URL with credentials in it',
    );
    expect(problemWith({ MAIL_PAYMENT_URL: 'https://pay.example.com/{ref}' }, 'MAIL_PAYMENT_URL')).toContain(
      'unknown placeholder {ref}',
    );
    expect(problemWith({ MAIL_PAYMENT_URL: '{reference}' }, 'MAIL_PAYMENT_URL')).toContain('not an absolute URL');
  });

  it('refuse control characters and overlong text', () => {
    expect(problemWith({ MAIL_SENDER_NAME: 'Contoso\u0007' }, 'MAIL_SENDER_NAME')).toContain(
      'text of at most 100 characters, without control characters',
    );
    expect(problemWith({ MAIL_CONTACT: 'x'.repeat(301) }, 'MAIL_CONTACT')).toContain('at most 300 characters');
  });
});
