/** The parts of `host.json` the local host honours. */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { devHostError } from './errors.js';

export type QueueMessageEncoding = 'base64' | 'none';

export interface HostJson {
  /** `extensions.queues.messageEncoding`; the Storage extension's default is base64. */
  readonly queueMessageEncoding: QueueMessageEncoding;
  /** The queue trigger's other `extensions.queues` settings that are set (absent: the extension's default). */
  readonly queues: QueueTriggerSettings;
}

export interface QueueTriggerSettings {
  readonly batchSize?: number;
  readonly newBatchThreshold?: number;
  readonly maxDequeueCount?: number;
  /** `visibilityTimeout` (a `hh:mm:ss` timespan) in milliseconds. */
  readonly visibilityTimeoutMs?: number;
  /** `maxPollingInterval` (a timespan) in milliseconds. */
  readonly maxPollingIntervalMs?: number;
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
  return { queueMessageEncoding: encoding, queues: queueTriggerSettings(file, queues) };
}

function queueTriggerSettings(file: string, queues: Record<string, unknown>): QueueTriggerSettings {
  const count = (key: string): number | undefined => {
    const value = queues[key];
    if (value === undefined) return undefined;
    if (typeof value !== 'number' || !Number.isInteger(value) || value < 0) {
      throw devHostError('HostJsonInvalid', `${file}: extensions.queues.${key} must be a whole number.`);
    }
    return value;
  };
  const timespan = (key: string): number | undefined => {
    const value = queues[key];
    if (value === undefined) return undefined;
    const match = typeof value === 'string' ? /^(\d+):(\d{2}):(\d{2}(?:\.\d+)?)$/.exec(value) : null;
    if (!match) {
      throw devHostError('HostJsonInvalid', `${file}: extensions.queues.${key} must be a timespan "hh:mm:ss".`);
    }
    return Math.round(((Number(match[1]) * 60 + Number(match[2])) * 60 + Number(match[3])) * 1000);
  };
  const settings = {
    batchSize: count('batchSize'),
    newBatchThreshold: count('newBatchThreshold'),
    maxDequeueCount: count('maxDequeueCount'),
    visibilityTimeoutMs: timespan('visibilityTimeout'),
    maxPollingIntervalMs: timespan('maxPollingInterval'),
  };
  return Object.fromEntries(Object.entries(settings).filter(([, value]) => value !== undefined));
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
