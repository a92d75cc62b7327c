/**
 * The settings of the reminder e-mail's content (language, sender name, signature, contact, payment
 * link): a group of the one schema (schema.ts), kept beside their rules (mail-rules.ts).
 */
import { conditional, defaulted } from './declaration.js';
import type { SettingTree } from './declaration.js';
import * as mailRules from './mail-rules.js';

export const MAIL_SETTING_SCHEMA = {
  defaultLanguage: defaulted(
    'MAIL_DEFAULT_LANGUAGE',
    'en',
    mailRules.languageTag,
    "language of the e-mail when the customer's `Language` is empty or has no strings in `templates/strings/`",
  ),
  senderName: conditional('MAIL_SENDER_NAME', mailRules.mailText(100), {
    description:
      "name in the e-mail's header and sign-off, e.g. `Contoso Bank`; the From name is the sender mailbox's display name",
    when: 'optional',
    sample: 'Contoso Payments',
  }),
  signature: conditional('MAIL_SIGNATURE', mailRules.mailText(500), {
    description: 'signature block under the message; `\\n` starts a new line',
    when: 'optional',
  }),
  contact: conditional('MAIL_CONTACT', mailRules.mailText(300), {
    description: 'contact line for questions, e.g. a phone number and an address',
    when: 'optional',
  }),
  paymentUrl: conditional('MAIL_PAYMENT_URL', mailRules.paymentUrl, {
    description:
      'payment link (https): `{reference}`, `{amount}` (decimal, e.g. `1250.00`) and `{currency}` are filled in, URL-encoded',
    when: 'optional',
  }),
} as const satisfies SettingTree;
