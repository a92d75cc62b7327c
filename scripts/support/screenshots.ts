/**
 * Photographs HTML e-mails in headless Chromium (Debian's `chromium` package, driven by playwright-core)
 * at phone and desktop widths, and reads back the text a reader sees.
 */
import { existsSync } from 'node:fs';
import { chromium } from 'playwright-core';
import { DueNotifierError } from '../../shared/base/errors.js';

/** Where Debian's package installs the browser; CHROMIUM_PATH for another. */
const CHROMIUM = process.env['CHROMIUM_PATH'] ?? '/usr/bin/chromium';

/** Whether the browser is installed (the screenshot test needs it; CI installs it). */
export function isChromiumInstalled(): boolean {
  return existsSync(CHROMIUM);
}

/** A phone and a desktop mail window. */
export const SCREENSHOT_WIDTHS = [375, 800] as const;

export interface Screenshot {
  readonly width: number;
  readonly png: string;
  /** The rendered text (`innerText`): what the reader sees, not the markup. */
  readonly text: string;
}

/** One full-page PNG per width, `<htmlFile without .html>.<width>.png`, beside the HTML file. */
export async function screenshotMails(
  htmlFiles: readonly { html: string; content: string }[],
): Promise<Screenshot[][]> {
  if (!isChromiumInstalled()) {
    throw new DueNotifierError(
      'ChromiumMissing',
      `No Chromium at ${CHROMIUM}: install it (apt-get install chromium) or set CHROMIUM_PATH.`,
    );
  }
  const browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox'] });
  try {
    const page = await browser.newPage();
    const shots: Screenshot[][] = [];
    for (const file of htmlFiles) {
      const perWidth: Screenshot[] = [];
      for (const width of SCREENSHOT_WIDTHS) {
        await page.setViewportSize({ width, height: 700 });
        // Images and scripts are not loaded: the e-mail must be meaningful without them.
        await page.setContent(file.content, { waitUntil: 'load' });
        const png = file.html.replace(/\.html$/, `.${width}.png`);
        await page.screenshot({ path: png, fullPage: true });
        perWidth.push({ width, png, text: await page.innerText('body') });
      }
      shots.push(perWidth);
    }
    return shots;
  } finally {
    await browser.close();
  }
}
