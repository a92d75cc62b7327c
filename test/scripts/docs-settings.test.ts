import { readFile } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import { loadConfig, SETTING_DECLARATIONS } from '../../shared/config/config.js';
import type { SettingsSource } from '../../shared/config/config.js';
import { DOCS_COMMAND, readSection, README_FILE, SAMPLE_FILE } from '../../scripts/docs/readme-sections.js';
import { renderSettingsSample, renderSettingsTable } from '../../scripts/docs/settings.js';
import { REQUIRED_SETTINGS } from '../support/settings.js';

const PLACEHOLDER = /<[^>]+>/;

async function sampleValues(): Promise<Record<string, string>> {
  return (JSON.parse(await readFile(SAMPLE_FILE, 'utf8')) as { Values: Record<string, string> }).Values;
}

describe('settings docs, generated from shared/config/schema.ts', () => {
  it("README.md's settings table matches the schema", async () => {
    const readme = await readFile(README_FILE, 'utf8');
    expect(readSection(readme, 'settings'), `README.md's settings table is out of date: run \`${DOCS_COMMAND}\``).toBe(
      renderSettingsTable(),
    );
  });

  it('local.settings.sample.json matches the schema', async () => {
    expect(
      await readFile(SAMPLE_FILE, 'utf8'),
      `local.settings.sample.json is out of date: run \`${DOCS_COMMAND}\``,
    ).toBe(renderSettingsSample());
  });

  it('the sample holds no secret, marks what must be filled in, and is valid once that is done', async () => {
    const values = await sampleValues();
    const placeholders = Object.keys(values).filter((name) => PLACEHOLDER.test(values[name] ?? ''));
    const appSettings = new Set(SETTING_DECLARATIONS.map((declaration) => declaration.name));
    // Every required setting is in the sample; the app's placeholders are exactly the ones the tests fill in.
    for (const declaration of SETTING_DECLARATIONS) {
      if (declaration.presence.kind === 'required') expect(values).toHaveProperty(declaration.name);
    }
    const required: SettingsSource = REQUIRED_SETTINGS;
    const filledIn = Object.fromEntries(
      placeholders.filter((name) => appSettings.has(name)).map((name) => [name, required[name]]),
    );
    expect(Object.values(filledIn).every((value) => value !== undefined)).toBe(true);
    expect(() => loadConfig({ ...values, ...filledIn }, { requireDelivery: true })).not.toThrow();
    expect(Object.values(values).join('\n')).not.toMatch(/AccountKey|SharedAccessSignature|password/i);
  });
});
