/** `local.settings.json`, the file Core Tools reads app settings from (`{ "IsEncrypted": false, "Values": {...} }`). */
import { readFile } from 'node:fs/promises';
import { commandLineError } from './cli-errors.js';

/** The file's Values; a missing file gives none unless `required`. */
export async function readLocalSettings(file: string, options: { required: boolean }): Promise<Record<string, string>> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT' && !options.required) {
      return {};
    }
    throw commandLineError(`Cannot read settings file ${file}.`, { cause: error });
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (error) {
    throw commandLineError(`Settings file ${file} is not valid JSON.`, { cause: error });
  }
  const values = typeof parsed === 'object' && parsed !== null ? (parsed as { Values?: unknown }).Values : undefined;
  if (typeof values !== 'object' || values === null || Array.isArray(values)) {
    throw commandLineError(`Settings file ${file} has no "Values" object.`);
  }
  if ((parsed as { IsEncrypted?: unknown }).IsEncrypted === true) {
    throw commandLineError(`Settings file ${file} is encrypted; decrypt it with "func settings decrypt".`);
  }
  const settings: Record<string, string> = {};
  for (const [name, value] of Object.entries(values)) {
    if (typeof value !== 'string') {
      throw commandLineError(`Settings file ${file}: Values.${name} must be a string.`);
    }
    settings[name] = value;
  }
  return settings;
}
