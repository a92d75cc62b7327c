/**
 * `npm run docs`: rewrites what the README and the settings sample take from the code: the layout
 * (scripts/docs/layout.ts), the settings table and local.settings.sample.json (scripts/docs/settings.ts).
 * Tests fail when any of them drifts.
 */
import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { renderLayout } from './docs/layout.js';
import { APP_ROOT, DOCS_COMMAND, README_FILE, replaceSection, SAMPLE_FILE } from './docs/readme-sections.js';
import { renderSettingsSample, renderSettingsTable } from './docs/settings.js';
import { failureLine } from './support/cli-errors.js';

try {
  await writeDocs();
} catch (error) {
  process.stderr.write(`${failureLine(error)}\n`);
  process.exitCode = 1;
}

async function writeDocs(): Promise<void> {
  const layout = await renderLayout(APP_ROOT);
  const updates = [
    {
      file: README_FILE,
      render: (current: string) =>
        replaceSection(replaceSection(current, 'layout', layout), 'settings', renderSettingsTable()),
    },
    { file: SAMPLE_FILE, render: () => renderSettingsSample() },
  ];
  for (const { file, render } of updates) {
    const current = await readFile(file, 'utf8');
    const next = render(current);
    if (next !== current) await writeFile(file, next);
    process.stdout.write(`${path.basename(file)}: ${next === current ? 'up to date' : 'updated'}\n`);
  }
  process.stdout.write(`(${DOCS_COMMAND} regenerates these; tests fail when they drift)\n`);
}
