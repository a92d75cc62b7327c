/**
 * The reminder e-mail renderer of a configuration: the template files read and checked once, when the
 * delivery's runtime is built, so that a bad template or a default language without strings fails
 * there, naming the file or the setting, not at the first send.
 */
import { ConfigError } from '../base/errors.js';
import type { MailConfig } from '../config/types.js';
import { compileMailTemplates } from '../reminders/mail-template.js';
import type { ReminderMail } from '../reminders/mail-template.js';
import type { ReminderMessage } from '../reminders/rules.js';
import { readMailTemplateFiles } from './mail-template-files.js';

export type MailRenderer = (reminder: ReminderMessage, daysLeft: number) => ReminderMail;

export function createMailRenderer(mail: MailConfig): MailRenderer {
  const templates = compileMailTemplates(readMailTemplateFiles());
  const { defaultLanguage, branding } = mail;
  if (!templates.languages.has(defaultLanguage)) {
    throw new ConfigError(
      'MAIL_DEFAULT_LANGUAGE',
      `MAIL_DEFAULT_LANGUAGE is "${defaultLanguage}", which has no strings file: set it to one of ${[...templates.languages].join(', ')}, or add templates/strings/${defaultLanguage}.json`,
    );
  }
  return (reminder, daysLeft) => templates.render(reminder, { daysLeft, branding, defaultLanguage });
}
