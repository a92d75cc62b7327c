/**
 * The body of `POST /api/reminders/run`: `{ "dryRun"?: boolean, "now"?: ISO instant }`, `now` only
 * with `dryRun: true` (a real run always uses the clock, so a caller cannot enqueue reminders for
 * another day). Anything else is rejected with the field it concerns.
 */
import { DueNotifierError } from '../../shared/base/errors.js';
import type { DueNotifierErrorOptions } from '../../shared/base/errors.js';
import type { HttpRequest } from '@azure/functions';

export const MAX_RUN_REQUEST_BYTES = 16 * 1024;

export interface RunRequest {
  readonly dryRun: boolean;
  /** Only on dry runs. */
  readonly now?: Date;
}

export type RunRequestErrorCode =
  'InvalidRequest' | 'MethodNotAllowed' | 'RequestBodyTooLarge' | 'UnsupportedMediaType';

const STATUS_BY_CODE: Readonly<Record<RunRequestErrorCode, number>> = {
  InvalidRequest: 400,
  MethodNotAllowed: 405,
  RequestBodyTooLarge: 413,
  UnsupportedMediaType: 415,
};

export class RunRequestError extends DueNotifierError<RunRequestErrorCode> {
  readonly status: number;
  /** The request part at fault: a body field, `body`, or a header such as `content-type`. */
  readonly field: string;

  constructor(code: RunRequestErrorCode, field: string, message: string, options?: DueNotifierErrorOptions) {
    super(code, message, options);
    this.status = STATUS_BY_CODE[code];
    this.field = field;
  }
}

const KNOWN_FIELDS = new Set(['dryRun', 'now']);

/** `2026-12-01T07:00:00Z`, `2026-12-01T08:00:00.5+01:00`: date, time and an explicit offset. */
const ISO_INSTANT = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})(?::(\d{2})(?:\.\d{1,9})?)?(?:Z|[+-](\d{2}):(\d{2}))$/;

export async function readRunRequest(request: HttpRequest): Promise<RunRequest> {
  if (request.method.toUpperCase() !== 'POST') {
    throw new RunRequestError('MethodNotAllowed', 'method', `Method ${request.method} is not allowed; use POST.`);
  }
  const bytes = await readBody(request);
  if (bytes.length === 0) {
    return { dryRun: false };
  }
  const contentType = request.headers.get('content-type');
  if (!isJsonMediaType(contentType)) {
    throw new RunRequestError(
      'UnsupportedMediaType',
      'content-type',
      'The request body must be JSON (Content-Type: application/json).',
    );
  }
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch (error) {
    throw new RunRequestError('InvalidRequest', 'body', 'The request body is not valid UTF-8.', { cause: error });
  }
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch (error) {
    throw new RunRequestError('InvalidRequest', 'body', 'The request body is not valid JSON.', { cause: error });
  }
  return parseRunRequest(body);
}

export function parseRunRequest(body: unknown): RunRequest {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    throw new RunRequestError('InvalidRequest', 'body', 'The request body must be a JSON object.');
  }
  const fields = body as Record<string, unknown>;
  for (const name of Object.keys(fields)) {
    if (!KNOWN_FIELDS.has(name)) {
      throw new RunRequestError('InvalidRequest', name, `Unknown field '${name}'; allowed fields are dryRun and now.`);
    }
  }
  const { dryRun = false, now } = fields;
  if (typeof dryRun !== 'boolean') {
    throw new RunRequestError('InvalidRequest', 'dryRun', 'dryRun must be true or false.');
  }
  if (now === undefined) {
    return { dryRun };
  }
  const instant = typeof now === 'string' ? parseIsoInstant(now) : undefined;
  if (!instant) {
    throw new RunRequestError(
      'InvalidRequest',
      'now',
      'now must be an ISO 8601 instant with an offset, e.g. "2026-12-01T07:00:00Z".',
    );
  }
  if (!dryRun) {
    throw new RunRequestError('InvalidRequest', 'now', 'now is only allowed together with "dryRun": true.');
  }
  return { dryRun, now: instant };
}

/** Strict ISO 8601 instant: calendar-valid date, time within range, explicit `Z` or offset. */
export function parseIsoInstant(text: string): Date | undefined {
  const match = ISO_INSTANT.exec(text);
  if (!match) {
    return undefined;
  }
  const [year, month, day, hour, minute, second = 0, offsetHours = 0, offsetMinutes = 0] = match
    .slice(1)
    .map((part) => (part === undefined ? undefined : Number(part)));
  if (year === undefined || month === undefined || day === undefined || hour === undefined || minute === undefined) {
    return undefined;
  }
  const calendarDay = new Date(Date.UTC(year, month - 1, day));
  const validDate =
    calendarDay.getUTCFullYear() === year &&
    calendarDay.getUTCMonth() === month - 1 &&
    calendarDay.getUTCDate() === day;
  if (!validDate || hour > 23 || minute > 59 || second > 59 || offsetHours > 23 || offsetMinutes > 59) {
    return undefined;
  }
  const instant = new Date(text);
  return Number.isNaN(instant.getTime()) ? undefined : instant;
}

async function readBody(request: HttpRequest): Promise<Uint8Array> {
  const declaredLength = Number(request.headers.get('content-length') ?? 0);
  if (declaredLength > MAX_RUN_REQUEST_BYTES) {
    throw tooLarge();
  }
  if (!request.body) {
    return new Uint8Array();
  }
  const chunks: Uint8Array[] = [];
  let length = 0;
  for await (const chunk of request.body as AsyncIterable<Uint8Array>) {
    length += chunk.byteLength;
    if (length > MAX_RUN_REQUEST_BYTES) {
      throw tooLarge();
    }
    chunks.push(chunk);
  }
  return Buffer.concat(chunks);
}

function tooLarge(): RunRequestError {
  return new RunRequestError(
    'RequestBodyTooLarge',
    'body',
    `The request body must be at most ${MAX_RUN_REQUEST_BYTES} bytes.`,
  );
}

function isJsonMediaType(contentType: string | null): boolean {
  const mediaType = contentType?.split(';')[0]?.trim().toLowerCase();
  return mediaType === 'application/json' || (mediaType?.endsWith('+json') ?? false);
}
