/**
 * The reminder e-mails of the demo data (or of given reminders) rendered to files, for `npm run
 * preview`, the demo's sample and the screenshot test; optionally photographed in headless Chromium.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadSeedFile } from '../../emulators/stack/seed-file.js';
import { resolveSeedDate } from '../../emulators/stack/seed-dates.js';
import { readMailTemplateFiles } from '../../shared/delivery/mail-template-files.js';
import { compileMailTemplates } from '../../shared/reminders/mail-template.js';
import type { MailBranding, ReminderMail } from '../../shared/reminders/mail-template.js';
import { decideReminder } from '../../shared/reminders/rules.js';
import type { ReminderMessage, ReminderRules } from '../../shared/reminders/rules.js';
import { SETTING_DEFAULTS, SETTING_SCHEMA, standaloneValue } from '../../shared/config/config.js';

const APP_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

/** Where previews go (git-ignored). */
export const PREVIEW_DIR = path.join(APP_ROOT, '.local/preview');
export const DEMO_SEED = path.join(APP_ROOT, 'emulators/data/demo-seed.json');

/** What the previews show for the MAIL_ settings: every optional part, so that each can be looked at. */
export const PREVIEW_BRANDING: MailBranding = {
  senderName: 'Contoso Payments',
  signature: 'Contoso Payments GmbH\\nAccounts receivable\\nFriedrichstraße 100, 10117 Berlin',
  contact: '+49 30 1234 5678 · billing@contoso-payments.example',
  paymentUrl: 'https://pay.contoso-payments.example/invoice?ref={reference}&amount={amount}&currency={currency}',
};

const TIME_ZONE = 'Europe/Berlin';

/** The reminders the demo data gives today (default rules), each in the item's `Language` when it has one. */
export async function demoReminders(now = new Date(), seedFile = DEMO_SEED): Promise<ReminderMessage[]> {
  const seed = await loadSeedFile(seedFile);
  const items = (seed.graph?.sites ?? []).flatMap((site) => (site.lists ?? []).flatMap((list) => list.items ?? []));
  const rules = defaultRules();
  return items.flatMap((item, index) => {
    const due = item.fields['DueDate'];
    const resolved = typeof due === 'string' ? resolveSeedDate(due, TIME_ZONE, now) : undefined;
    const fields = { ...item.fields, DueDate: resolved?.kind === 'date' ? resolved.date : due };
    const decision = decideReminder({ id: String(index + 1), fields }, rules, now);
    return decision.kind === 'remind' ? [decision.message] : [];
  });
}

/** The rules as the app applies them with its default settings, in the demo site's zone. */
function defaultRules(): ReminderRules {
  const defaultOf = <T>(declaration: Parameters<typeof standaloneValue<T>>[0]): T => {
    const value = standaloneValue(declaration, {});
    if (value === undefined) throw new TypeError(`${declaration.name} has no valid default.`);
    return value;
  };
  return {
    reminderDays: defaultOf(SETTING_SCHEMA.reminderDays),
    timeZone: TIME_ZONE,
    catchUpDays: defaultOf(SETTING_SCHEMA.catchUpDays),
    columns: SETTING_DEFAULTS.columns,
    statuses: { open: defaultOf(SETTING_SCHEMA.openStatuses), closed: defaultOf(SETTING_SCHEMA.closedStatuses) },
    minimumAmount: defaultOf(SETTING_SCHEMA.minimumAmount),
  };
}

export interface PreviewFile {
  readonly reminder: ReminderMessage;
  readonly mail: ReminderMail;
  readonly html: string;
  readonly text: string;
}

/** Renders each reminder (in `locale` when given) and writes `<reference>.<language>.html` and `.txt` under `dir`. */
export async function writePreviews(
  reminders: readonly ReminderMessage[],
  options: { readonly locale?: string; readonly dir?: string; readonly defaultLanguage?: string } = {},
): Promise<PreviewFile[]> {
  const templates = compileMailTemplates(readMailTemplateFiles());
  const dir = options.dir ?? PREVIEW_DIR;
  await mkdir(dir, { recursive: true });
  const written: PreviewFile[] = [];
  for (const original of reminders) {
    const reminder = options.locale === undefined ? original : { ...original, language: options.locale };
    const mail = templates.render(reminder, {
      branding: PREVIEW_BRANDING,
      defaultLanguage: options.defaultLanguage ?? 'en',
    });
    const name = `${(reminder.reference || reminder.obligationId).replace(/[^\w.-]+/g, '_')}.${mail.locale.locale}`;
    const html = path.join(dir, `${name}.html`);
    const text = path.join(dir, `${name}.txt`);
    await writeFile(html, mail.html);
    await writeFile(text, `Subject: ${mail.subject}\n\n${mail.text}`);
    written.push({ reminder, mail, html, text });
  }
  return written;
}
