/** The repository's e-mail templates, checked and compiled once, for tests that render or send reminders. */
import { readMailTemplateFiles } from '../../shared/delivery/mail-template-files.js';
import { compileMailTemplates } from '../../shared/reminders/mail-template.js';
import type { MailBranding, ReminderMail } from '../../shared/reminders/mail-template.js';
import type { ReminderMessage } from '../../shared/reminders/rules.js';

export const repositoryTemplates = compileMailTemplates(readMailTemplateFiles());

/** The e-mail as the delivery renders it with default settings (English, no branding) unless told otherwise. */
export function renderTestMail(
  reminder: ReminderMessage,
  options: { readonly daysLeft?: number; readonly branding?: MailBranding; readonly defaultLanguage?: string } = {},
): ReminderMail {
  return repositoryTemplates.render(reminder, {
    defaultLanguage: options.defaultLanguage ?? 'en',
    ...(options.daysLeft === undefined ? {} : { daysLeft: options.daysLeft }),
    ...(options.branding === undefined ? {} : { branding: options.branding }),
  });
}
