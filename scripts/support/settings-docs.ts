/**
 * The README's settings table and local.settings.sample.json, rendered from the settings schema
 * (shared/config/schema.ts). `npm run settings:docs` writes them; test/scripts/settings-docs.test.ts
 * fails when either drifts from the schema.
 */
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { SETTING_DECLARATIONS } from '../../shared/config/config.js';

const appRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
export const README_FILE = path.join(appRoot, 'README.md');
export const SAMPLE_FILE = path.join(appRoot, 'local.settings.sample.json');
export const SETTINGS_DOCS_COMMAND = 'npm run settings:docs';

const TABLE_BEGIN = '<!-- settings:begin: generated from shared/config/schema.ts by `npm run settings:docs` -->';
const TABLE_END = '<!-- settings:end -->';

/**
 * Settings of a local run that are not the app's: the worker runtime Core Tools needs, and what the
 * local stack (emulators/stack) fills in when it writes local.settings.json.
 */
const LOCAL_RUN_SETTINGS = {
  head: { FUNCTIONS_WORKER_RUNTIME: 'node' },
  tail: {
    IDENTITY_ENDPOINT: 'http://127.0.0.1:<managed identity port: run `npm run stack -- --write-settings`>/msi/token',
    IDENTITY_HEADER: '<printed by `npm run stack -- --write-settings`>',
    NODE_EXTRA_CA_CERTS: '.local/ca/ca.pem',
  },
} as const;

export function renderSettingsTable(): string {
  const rows = SETTING_DECLARATIONS.map(({ name, presence, description }) => {
    const requirement =
      presence.kind === 'default' ? `\`${presence.value}\`` : presence.kind === 'required' ? 'required' : presence.when;
    return `| \`${name}\` | ${requirement} | ${description.replaceAll('|', '\\|')} |`;
  });
  return ['| setting | default | meaning |', '|---|---|---|', ...rows].join('\n');
}

/** `readme` with the text between the settings markers replaced by the table. */
export function withSettingsTable(readme: string): string {
  const begin = readme.indexOf(TABLE_BEGIN);
  const end = readme.indexOf(TABLE_END);
  if (begin < 0 || end < begin) {
    throw new Error(`README.md must hold the settings table between "${TABLE_BEGIN}" and "${TABLE_END}"`);
  }
  return `${readme.slice(0, begin + TABLE_BEGIN.length)}\n${renderSettingsTable()}\n${readme.slice(end)}`;
}

/** The sample a user copies to local.settings.json: placeholders in <angle brackets>, defaults as they are. */
export function renderSettingsSample(): string {
  const values: Record<string, string> = { ...LOCAL_RUN_SETTINGS.head };
  for (const { name, presence } of SETTING_DECLARATIONS) {
    const sample = presence.kind === 'default' ? presence.value : presence.sample;
    if (sample !== undefined) values[name] = sample;
  }
  Object.assign(values, LOCAL_RUN_SETTINGS.tail);
  return `${JSON.stringify({ IsEncrypted: false, Values: values }, null, 2)}\n`;
}
