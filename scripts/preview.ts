/**
 * `npm run preview -- [--locale de] [--reminder FILE] [--screenshots]`: renders the reminder e-mails of
 * the demo data (or of one reminder message in a JSON file) to HTML and text files under `.local/preview/`
 * and prints their paths; `--screenshots` adds PNGs from headless Chromium at 375 and 800 px.
 */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { readReminderMessage } from '../shared/reminders/reminder-message.js';
import { commandLineError, failureLine } from './support/cli-errors.js';
import { demoReminders, writePreviews } from './support/mail-preview.js';
import { screenshotMails } from './support/screenshots.js';

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      locale: { type: 'string' },
      reminder: { type: 'string' },
      screenshots: { type: 'boolean', default: false },
    },
  });
  const reminders = values.reminder === undefined ? await demoReminders() : [await reminderFrom(values.reminder)];
  const files = await writePreviews(reminders, values.locale === undefined ? {} : { locale: values.locale });
  const shots = values.screenshots
    ? await screenshotMails(files.map((file) => ({ html: file.html, content: file.mail.html })))
    : [];
  files.forEach((file, index) => {
    console.log(`${file.mail.subject}`);
    for (const written of [file.html, file.text, ...(shots[index] ?? []).map((shot) => shot.png)]) {
      console.log(`  ${path.relative(process.cwd(), written)}`);
    }
  });
}

async function reminderFrom(file: string) {
  let json: unknown;
  try {
    json = JSON.parse(await readFile(file, 'utf8'));
  } catch (error) {
    throw commandLineError(`--reminder ${file}: not a readable JSON file (${String(error)}).`, { cause: error });
  }
  const read = readReminderMessage(json);
  if (!read.ok) throw commandLineError(`--reminder ${file}: ${read.field}: ${read.problem}`);
  return read.reminder;
}

main().catch((error: unknown) => {
  console.error(failureLine(error));
  process.exitCode = 1;
});
