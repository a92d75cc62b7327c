/**
 * Microsoft Graph's response envelope: every answer carries `request-id` and `client-request-id`
 * (the caller's own id echoed, else the request id) and errors have Graph's JSON shape:
 * `{ error: { code, message, innerError: { date, request-id, client-request-id } } }`.
 */
import { randomUUID } from 'node:crypto';
import type { EmulatorRequest, EmulatorResponse } from '../stack/types.js';

/** A request Graph refuses; `code` is Graph's error code (`invalidRequest`, `ErrorInvalidUser`, ...). */
export class GraphRequestError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    /** Extra response headers, e.g. `WWW-Authenticate` on a 401. */
    readonly headers: Readonly<Record<string, string>> = {},
    options?: ErrorOptions,
  ) {
    super(message, options);
    this.name = 'GraphRequestError';
  }
}

export interface GraphResponder {
  json(request: EmulatorRequest, status: number, body: unknown): EmulatorResponse;
  /** A response without a body, e.g. sendMail's 202. */
  empty(request: EmulatorRequest, status: number): EmulatorResponse;
  error(request: EmulatorRequest, error: GraphRequestError): EmulatorResponse;
}

/** Longest caller-supplied `client-request-id` echoed back; longer ones are replaced by the request id. */
const MAX_CLIENT_REQUEST_ID_LENGTH = 128;

function correlationHeaders(request: EmulatorRequest): { 'request-id': string; 'client-request-id': string } {
  const requestId = randomUUID();
  const supplied = request.headers['client-request-id'];
  const clientRequestId =
    typeof supplied === 'string' && supplied.length > 0 && supplied.length <= MAX_CLIENT_REQUEST_ID_LENGTH
      ? supplied
      : requestId;
  return { 'request-id': requestId, 'client-request-id': clientRequestId };
}

export function createGraphResponder(clock: () => number): GraphResponder {
  return {
    json(request, status, body) {
      return { status, headers: correlationHeaders(request), body };
    },
    empty(request, status) {
      return { status, headers: correlationHeaders(request), body: '' };
    },
    error(request, error) {
      const correlation = correlationHeaders(request);
      return {
        status: error.status,
        headers: { ...correlation, ...error.headers },
        body: {
          error: {
            code: error.code,
            message: error.message,
            innerError: {
              // Graph writes this timestamp without a zone designator.
              date: new Date(clock()).toISOString().slice(0, 19),
              ...correlation,
            },
          },
        },
      };
    },
  };
}
