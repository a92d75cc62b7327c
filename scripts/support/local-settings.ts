/** `local.settings.json`, the file Core Tools reads app settings from (`{ "IsEncrypted": false, "Values": {...} }`). */
import { access, readFile } from 'node:fs/promises';
import { connect } from 'node:net';
import path from 'node:path';
import { DueNotifierError } from '../../shared/base/errors.js';
import { commandLineError } from './cli-errors.js';
import { relaunchTrustingCa } from './trust-ca.js';

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

/**
 * What a command does with `local.settings.json` before it runs, as the host does with app settings:
 * reads it (a missing file is fine unless `required`), checks it ({@link checkLocalSettings}), trusts the
 * local CA it names (the process runs itself again if it must) and makes its values the environment
 * (the environment's own values win).
 */
export async function applyLocalSettings(file: string, options: { readonly required: boolean }): Promise<void> {
  const fileSettings = await readLocalSettings(file, options);
  // The local stack's settings name its CA; Node must trust it from the start (relative to the file).
  const caPath = fileSettings.NODE_EXTRA_CA_CERTS
    ? path.resolve(path.dirname(file), fileSettings.NODE_EXTRA_CA_CERTS)
    : undefined;
  const fileOnly = Object.fromEntries(Object.entries(fileSettings).filter(([name]) => process.env[name] === undefined));
  await checkLocalSettings(path.relative(process.cwd(), file) || file, fileOnly, {
    ...(caPath ? { caPath } : {}),
    environment: process.env,
  });
  if (caPath) {
    await relaunchTrustingCa(caPath);
  }
  // As the host does with app settings: they become the environment (DefaultAzureCredential reads it too).
  for (const [name, value] of Object.entries(fileSettings)) {
    process.env[name] ??= value;
  }
}

/** The fix for a file the local stack wrote for another start, or never wrote. */
export const STACK_HINT = 'is `npm run stack` running? its ports change at every start, and it rewrites the file';
const PLACEHOLDER = /<[^<>]*>/;
/** The settings whose URL names a local stack's emulator (Entra ID, Key Vault, Graph). */
const STACK_URL_SETTINGS = ['GRAPH_BASE_URL', 'ENTRA_AUTHORITY_HOST', 'KEY_VAULT_URL'] as const;
const PROBE_TIMEOUT_MS = 1000;

/**
 * Recognises the three ways a `local.settings.json` for the local stack goes wrong before any request:
 * values still in `<angle brackets>` (copied from local.settings.sample.json), a local CA file
 * (NODE_EXTRA_CA_CERTS) that does not exist, and a stale file whose emulator ports nothing listens on
 * (the stack's ports change at every start). Each is one error naming the fix. `fromFile` are the values
 * taken from the file (the environment's own are not the file's problem); a loopback endpoint from the
 * `environment` is probed too, so that a stopped stack is one line rather than a storm of retries.
 */
export async function checkLocalSettings(
  file: string,
  fromFile: Readonly<Record<string, string>>,
  options: { readonly caPath?: string; readonly environment?: Readonly<Record<string, string | undefined>> } = {},
): Promise<void> {
  const placeholders = Object.entries(fromFile)
    .filter(([, value]) => PLACEHOLDER.test(value))
    .map(([name]) => name);
  if (placeholders.length > 0) {
    throw new DueNotifierError(
      'LocalSettingsPlaceholder',
      `${file} still has placeholders in <angle brackets> (${placeholders.join(', ')}): copied from local.settings.sample.json? Replace them with your values, or run \`npm run stack\`, which writes the file for the local stack.`,
    );
  }
  if (options.caPath !== undefined && !(await exists(options.caPath))) {
    throw new DueNotifierError(
      'LocalCaMissing',
      `The local CA ${options.caPath} (NODE_EXTRA_CA_CERTS in ${file}) does not exist: ${STACK_HINT}; \`npm run stack\` creates the CA.`,
    );
  }
  for (const name of STACK_URL_SETTINGS) {
    const inFile = fromFile[name] !== undefined;
    const url = parseUrl(fromFile[name] ?? options.environment?.[name]);
    if (!url || !isLoopback(url.hostname)) {
      continue;
    }
    const port = Number(url.port || (url.protocol === 'https:' ? 443 : 80));
    if (!(await listening(url.hostname, port))) {
      throw inFile
        ? new DueNotifierError(
            'LocalSettingsStale',
            `${file} is stale: nothing listens on ${url.origin} (${name}); ${STACK_HINT}.`,
          )
        : new DueNotifierError(
            'LocalStackDown',
            `Nothing listens on ${url.origin} (${name}, from the environment): is \`npm run stack\` running? its ports change at every start.`,
          );
    }
  }
}

async function exists(file: string): Promise<boolean> {
  try {
    await access(file);
    return true;
  } catch {
    return false;
  }
}

function parseUrl(value: string | undefined): URL | undefined {
  try {
    return value === undefined ? undefined : new URL(value);
  } catch {
    return undefined;
  }
}

function isLoopback(hostname: string): boolean {
  return hostname === 'localhost' || hostname === '[::1]' || hostname.startsWith('127.');
}

/** Whether a TCP connection to the port comes up (nothing is sent). */
async function listening(host: string, port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host: host.replace(/^\[|\]$/g, ''), port, timeout: PROBE_TIMEOUT_MS });
    const done = (up: boolean): void => {
      socket.destroy();
      resolve(up);
    };
    socket.once('connect', () => done(true));
    socket.once('timeout', () => done(false));
    socket.once('error', () => done(false));
  });
}
