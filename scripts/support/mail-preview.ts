/**
 * The reminder e-mails of the demo data (or of given reminders) rendered to files, for `npm run
 * preview`, the demo's sample and the screenshot test; optionally photographed in headless Chromium.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadSeedFile, resolveSeedDate } from '../../emulators/stack/seed.js';
import { readMailTemplateFiles } from '../../shared/delivery/mail-template-files.js';
import { compileMailTemplates } from '../../shared/reminders/mail-template.js';
import type { MailBranding, ReminderMail } from '../../shared/reminders/mail-template.js';
import { decideReminder } from '../../shared/reminders/rules.js';
import type { ListColumns, ReminderMessage } from '../../shared/reminders/rules.js';

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

const COLUMNS: ListColumns = {
  reference: 'Title',
  customerName: 'CustomerName',
  customerEmail: 'CustomerEmail',
  dueDate: 'DueDate',
  amountDue: 'AmountDue',
  currency: 'Currency',
  status: 'Status',
};
const TIME_ZONE = 'Europe/Berlin';

/** The reminders the demo data gives today (default rules), each in the item's `Language` when it has one. */
export async function demoReminders(now = new Date(), seedFile = DEMO_SEED): Promise<ReminderMessage[]> {
  const seed = await loadSeedFile(seedFile);
  const items = (seed.graph?.sites ?? []).flatMap((site) => (site.lists ?? []).flatMap((list) => list.items ?? []));
  const rules = { reminderDays: [7, 3, 1], timeZone: TIME_ZONE, catchUpDays: 2, columns: COLUMNS };
  return items.flatMap((item, index) => {
    const due = item.fields['DueDate'];
    const resolved = typeof due === 'string' ? resolveSeedDate(due, TIME_ZONE, now) : undefined;
    const fields = { ...item.fields, DueDate: resolved?.kind === 'date' ? resolved.date : due };
    const decision = decideReminder({ id: String(index + 1), fields }, rules, now);
    if (decision.kind !== 'remind') return [];
    const language = item.fields['Language'];
    return [typeof language === 'string' && language !== '' ? { ...decision.message, language } : decision.message];
  });
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
