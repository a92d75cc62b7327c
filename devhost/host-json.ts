/** The parts of `host.json` the local host honours. */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { devHostError } from './errors.js';

export type QueueMessageEncoding = 'base64' | 'none';

export interface HostJson {
  /** `extensions.queues.messageEncoding`; the Storage extension's default is base64. */
  readonly queueMessageEncoding: QueueMessageEncoding;
}

export async function readHostJson(appRoot: string): Promise<HostJson> {
  const file = path.join(appRoot, 'host.json');
  let parsed: unknown;
  try {
    parsed = JSON.parse(await readFile(file, 'utf8'));
  } catch (error) {
    throw devHostError('HostJsonInvalid', `Cannot read ${file} as JSON.`, { cause: error });
  }
  if (!isRecord(parsed) || parsed.version !== '2.0') {
    throw devHostError('HostJsonInvalid', `${file} must be an object with "version": "2.0".`);
  }
  const queues = isRecord(parsed.extensions) && isRecord(parsed.extensions.queues) ? parsed.extensions.queues : {};
  const encoding = queues.messageEncoding ?? 'base64';
  if (encoding !== 'base64' && encoding !== 'none') {
    throw devHostError('HostJsonInvalid', `${file}: extensions.queues.messageEncoding must be "base64" or "none".`);
  }
  return { queueMessageEncoding: encoding };
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
