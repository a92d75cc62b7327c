/**
 * The daemon's settings, read and validated once: the entry point the rest of the app imports. One
 * declaration per setting lives in schema.ts; the loader in load.ts.
 */
export type {
  AppConfig,
  ClientCredentialSource,
  DeliveryAppConfig,
  DeliveryConfig,
  LoadConfigOptions,
  SettingsSource,
  StorageConnection,
} from './types.js';
export { CLAIM_RECORD_MARGIN_MS } from './dependent.js';
export { loadConfig, standaloneValue } from './load.js';
export { SETTING_DECLARATIONS, SETTING_DEFAULTS, SETTING_SCHEMA, SETTINGS } from './schema.js';
