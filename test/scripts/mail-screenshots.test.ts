/**
 * The demo's e-mails as a reader sees them: rendered in headless Chromium at phone and desktop widths
 * (PNGs under the git-ignored .local/screenshots/), each in a customer language, with the amount, the
 * due date and the reference in that language's format in the rendered text.
 */
import { readFile, rm } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { demoReminders, writePreviews } from '../../scripts/support/mail-preview.js';
import { isChromiumInstalled, SCREENSHOT_WIDTHS, screenshotMails } from '../../scripts/support/screenshots.js';
import { REPO_ROOT } from './run-command.js';

const OUT = path.join(REPO_ROOT, '.local/screenshots');
const LANGUAGES = ['de', 'en', 'fr', 'it', 'nl', 'es'];
const spaces = (text: string) => text.replace(/[\u00a0\u202f]/g, ' ');

// A developer machine without the browser skips this test (the README says how to install it); CI installs
// it, and there the test always runs: without Chromium it fails.
const RUN_SCREENSHOTS = isChromiumInstalled() || process.env['CI'] === 'true';

describe('the demo e-mails in Chromium', () => {
  it.runIf(RUN_SCREENSHOTS)(
    'show amount, due date and reference in the customer language at 375 and 800 px',
    async () => {
      await rm(OUT, { recursive: true, force: true });
      const now = new Date('2026-12-01T06:00:00Z');
      const reminders = (await demoReminders(now)).slice(0, LANGUAGES.length);
      expect(reminders).toHaveLength(LANGUAGES.length);
      const withLanguages = reminders.map((reminder, index) => ({ ...reminder, language: LANGUAGES[index] ?? 'en' }));
      const files = await writePreviews(withLanguages, { dir: OUT });
      const shots = await screenshotMails(files.map((file) => ({ html: file.html, content: file.mail.html })));

      const first = files[0];
      expect(first?.reminder).toMatchObject({ reference: 'INV-2026-1001', amount: '1250.00', dueDate: '2026-12-08' });
      expect(spaces(shots[0]?.[0]?.text ?? '')).toContain('1.250,00 €');
      expect(shots[0]?.[0]?.text).toContain('Dienstag, 8. Dezember 2026');

      for (const [index, file] of files.entries()) {
        const { amount, currency, dueDate, reference } = file.reminder;
        const { locale } = file.mail.locale;
        const expectedAmount = new Intl.NumberFormat(locale, { style: 'currency', currency }).format(
          amount as `${number}`,
        );
        const expectedDate = new Intl.DateTimeFormat(locale, { dateStyle: 'full', timeZone: 'UTC' }).format(
          new Date(`${dueDate}T00:00:00Z`),
        );
        expect(file.mail.locale.language).toBe(LANGUAGES[index]);
        for (const [position, shot] of (shots[index] ?? []).entries()) {
          expect(shot.width).toBe(SCREENSHOT_WIDTHS[position]);
          expect(spaces(shot.text)).toContain(spaces(expectedAmount));
          expect(shot.text).toContain(expectedDate);
          expect(shot.text).toContain(reference);
          // A PNG whose IHDR width is the viewport's: the page does not overflow the phone.
          const png = await readFile(shot.png);
          expect(png.subarray(1, 4).toString('latin1')).toBe('PNG');
          expect(png.readUInt32BE(16)).toBe(shot.width);
        }
      }
    },
    120_000,
  );
});
