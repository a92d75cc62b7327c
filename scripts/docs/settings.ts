/**
 * The README's settings table and local.settings.sample.json, rendered from the settings schema
 * (shared/config/schema.ts). `npm run docs` writes them; test/scripts/docs-settings.test.ts fails when
 * either drifts from the schema.
 */
import { SETTING_DECLARATIONS } from '../../shared/config/config.js';

/**
 * Settings of a local run that are not the app's: the worker runtime Core Tools needs, and what the
 * local stack (emulators/stack) fills in when it writes local.settings.json.
 */
const LOCAL_RUN_SETTINGS = {
  head: { FUNCTIONS_WORKER_RUNTIME: 'node' },
  tail: {
    IDENTITY_ENDPOINT: 'http://127.0.0.1:<managed identity port: written by `npm run stack`>/msi/token',
    IDENTITY_HEADER: '<written by `npm run stack`>',
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
