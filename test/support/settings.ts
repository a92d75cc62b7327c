/** App settings for tests that load the configuration: the required ones, each with a valid value. */
import { expect } from 'vitest';
import { ConfigError } from '../../shared/base/errors.js';
import { loadConfig } from '../../shared/config/config.js';
import type { AppConfig, SettingsSource } from '../../shared/config/config.js';

/** The required settings, nothing else. */
export const REQUIRED_SETTINGS = Object.freeze({
  ENTRA_TENANT_ID: 'd5107405-6029-4802-9ba8-b9a2eb2643ab',
  ENTRA_CLIENT_ID: '3ec1f266-be0f-4037-877a-3c76e500f47b',
  KEY_VAULT_URL: 'https://contoso-vault.vault.azure.net',
  CLIENT_SECRET_NAME: 'due-notifier-client-secret',
  OBLIGATIONS_SITE_ID:
    'contoso.sharepoint.com,ea690cf3-e3dd-42ac-80e7-8d7dc71c4c88,7be73803-d371-4b1e-9275-4c9a059bafef',
  OBLIGATIONS_LIST_ID: 'cb76cdf4-2136-45fe-bd0a-ad6bd2d198c8',
  REMINDER_TIME_ZONE: 'UTC',
  NOTIFY_SCHEDULE: '0 0 7 * * *',
  NOTIFICATION_QUEUE: 'reminders',
  AzureWebJobsStorage: 'UseDevelopmentStorage=true',
}) satisfies SettingsSource;

/** The configuration loaded from the required settings with `overrides` on top. */
export function testConfig(overrides: SettingsSource = {}): AppConfig {
  return loadConfig({ ...REQUIRED_SETTINGS, ...overrides });
}

/** The ConfigError that loading `env` throws (the test fails when none is thrown). */
export function configError(env: SettingsSource): ConfigError {
  try {
    loadConfig(env);
  } catch (error) {
    if (error instanceof ConfigError) return error;
    throw error;
  }
  throw new Error('expected a ConfigError');
}

/** The ConfigError for `overrides` on top of the required settings: one line that names `setting`. */
export function problemWith(overrides: SettingsSource, setting: string): string {
  const error = configError({ ...REQUIRED_SETTINGS, ...overrides });
  expect(error.setting).toBe(setting);
  expect(error.message).toContain(setting);
  expect(error.message).not.toContain('\n');
  return error.message;
}
