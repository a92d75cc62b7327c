/**
 * `npm run settings:docs`: rewrites the README's settings table and local.settings.sample.json from
 * the settings schema (shared/config/schema.ts).
 */
import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { README_FILE, renderSettingsSample, SAMPLE_FILE, withSettingsTable } from './support/settings-docs.js';

const updates = [
  { file: README_FILE, render: (current: string) => withSettingsTable(current) },
  { file: SAMPLE_FILE, render: () => renderSettingsSample() },
];
for (const { file, render } of updates) {
  const current = await readFile(file, 'utf8');
  const next = render(current);
  if (next !== current) await writeFile(file, next);
  process.stdout.write(`${path.basename(file)}: ${next === current ? 'up to date' : 'updated'}\n`);
}
