/**
 * App settings as the Functions host uses them in binding metadata: `%NAME%` stands for the value of
 * the app setting NAME (locally, `local.settings.json` Values; in Azure, the app's environment).
 */
import { devHostError } from './errors.js';

export type AppSettings = Readonly<Record<string, string | undefined>>;

const SETTING_REFERENCE = /%([^%]+)%/g;

/** Replaces every `%NAME%` in `value`; a reference to a missing or empty setting is an error, as in the host. */
export function resolveAppSettingReferences(value: string, settings: AppSettings): string {
  return value.replace(SETTING_REFERENCE, (_reference, name: string) => {
    const resolved = settings[name];
    if (resolved === undefined || resolved === '') {
      throw devHostError('SettingNotFound', `'%${name}%' does not resolve to a value: set the app setting ${name}.`);
    }
    return resolved;
  });
}

/** A binding's options with every string option's `%NAME%` references resolved. */
export function resolveBindingOptions<T extends Readonly<Record<string, unknown>>>(
  binding: T,
  settings: AppSettings,
): T {
  const resolved: Record<string, unknown> = {};
  for (const [key, option] of Object.entries(binding)) {
    resolved[key] = typeof option === 'string' ? resolveAppSettingReferences(option, settings) : option;
  }
  return resolved as T;
}
