/**
 * Hosts one emulated service on a loopback port: routing, bounded body reading, JSON responses,
 * request counting and fault injection. Services only describe routes (`ServiceDefinition`).
 */
import { createServer as createHttpServer, STATUS_CODES } from 'node:http';
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import { setTimeout as delay } from 'node:timers/promises';
import type { CountingRequestCounters } from './counters.js';
import type { DecidingFaultController, TerminalFaultAction } from './faults.js';
import type { EmulatorRequest, EmulatorResponse, Route, ServiceDefinition } from './types.js';

export const DEFAULT_MAX_BODY_BYTES = 1024 * 1024;

export interface EmulatorServerOptions {
  readonly definition: ServiceDefinition;
  /** PEM certificate (chain) and key; absent: plain HTTP (the managed-identity endpoint is http in App Service). */
  readonly tls?: { readonly cert: string; readonly key: string };
  readonly faults: DecidingFaultController;
  readonly counters: CountingRequestCounters;
  /** Interface to listen on; default `127.0.0.1`. The port is always chosen by the OS. */
  readonly host?: string;
  /** Larger request bodies get 413; default 1 MiB. */
  readonly maxBodyBytes?: number;
}

export interface EmulatorServer {
  /** Origin, e.g. `https://127.0.0.1:53211`. */
  readonly url: string;
  /** Stops listening and closes every connection, keep-alive ones included. */
  close(): Promise<void>;
}

export class EmulatorServerError extends Error {
  readonly code = 'EmulatorServerError';
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'EmulatorServerError';
  }
}

interface CompiledRoute {
  readonly route: Route;
  /** Lower-cased literal segments, or `{ param }` for `:name` segments. */
  readonly segments: ReadonlyArray<string | { readonly param: string }>;
}

type RouteMatch =
  | { readonly kind: 'matched'; readonly route: Route; readonly params: Readonly<Record<string, string>> }
  | { readonly kind: 'unmatched' };

export async function startEmulatorServer(options: EmulatorServerOptions): Promise<EmulatorServer> {
  const { definition, faults, counters } = options;
  const host = options.host ?? '127.0.0.1';
  const maxBodyBytes = options.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES;
  const routes = definition.routes.map(compileRoute);
  const closing = new AbortController();
  let origin = '';

  const handleRequest = async (incoming: IncomingMessage, outgoing: ServerResponse): Promise<void> => {
    // Nobody to answer any more: the server is closing or the client left.
    const abandoned = (): boolean => closing.signal.aborted || outgoing.destroyed;

    const body = await readBody(incoming, maxBodyBytes);
    if (body === 'aborted' || abandoned()) return;
    const rawUrl = incoming.url ?? '';
    if (!rawUrl.startsWith('/') || body === 'too-large') {
      counters.increment(`${definition.service}.unmatched`);
      const status = body === 'too-large' ? 413 : 400;
      send(
        outgoing,
        genericError(
          status,
          body === 'too-large' ? `Request body exceeds ${maxBodyBytes} bytes.` : 'Malformed request target.',
        ),
      );
      return;
    }

    const url = new URL(origin + rawUrl);
    const method = (incoming.method ?? 'GET').toUpperCase();
    const match = matchRoute(routes, method, url.pathname);
    const endpoint = match.kind === 'matched' ? match.route.name : `${definition.service}.unmatched`;
    counters.increment(endpoint);
    const request: EmulatorRequest = {
      method,
      url,
      headers: incoming.headers,
      body,
      params: match.kind === 'matched' ? match.params : {},
    };

    const decision = faults.decide({
      service: definition.service,
      endpoint,
      method,
      pathAndQuery: url.pathname + url.search,
    });
    if (decision.latencyMs > 0) {
      const requestGone = new AbortController();
      const onClose = (): void => requestGone.abort();
      outgoing.once('close', onClose);
      try {
        await delay(decision.latencyMs, undefined, { signal: AbortSignal.any([closing.signal, requestGone.signal]) });
      } catch {
        return;
      } finally {
        outgoing.off('close', onClose);
      }
    }
    const terminal = decision.terminal;
    if (terminal?.type === 'reset') {
      incoming.socket.destroy();
      return;
    }
    if (terminal?.type === 'status') {
      send(outgoing, faultResponse(terminal));
      return;
    }

    const response = await answer(definition, match, request);
    if (abandoned()) return;
    if (terminal?.type === 'lostAnswer') {
      incoming.socket.destroy();
      return;
    }
    if (terminal?.type === 'truncate') sendTruncated(outgoing, response);
    else send(outgoing, response);
  };

  const listener = (incoming: IncomingMessage, outgoing: ServerResponse): void => {
    // Writes to a connection the client already dropped must not surface as unhandled errors.
    outgoing.on('error', () => undefined);
    handleRequest(incoming, outgoing).catch((error: unknown) => {
      if (!outgoing.headersSent && !outgoing.destroyed) send(outgoing, genericError(500, describe(error)));
      else outgoing.destroy();
    });
  };

  const server: Server = options.tls
    ? createHttpsServer({ cert: options.tls.cert, key: options.tls.key }, listener)
    : createHttpServer(listener);

  await new Promise<void>((resolve, reject) => {
    const onError = (error: Error): void =>
      reject(new EmulatorServerError(`Cannot listen on ${host}`, { cause: error }));
    server.once('error', onError);
    server.listen(0, host, () => {
      server.off('error', onError);
      resolve();
    });
  });
  const { port } = server.address() as AddressInfo;
  origin = `${options.tls ? 'https' : 'http'}://${host.includes(':') ? `[${host}]` : host}:${port}`;

  let closed: Promise<void> | undefined;
  return {
    url: origin,
    close() {
      closed ??= new Promise<void>((resolve, reject) => {
        closing.abort();
        server.close((error) =>
          error ? reject(new EmulatorServerError('Cannot close the server', { cause: error })) : resolve(),
        );
        server.closeAllConnections();
      });
      return closed;
    },
  };
}

function compileRoute(route: Route): CompiledRoute {
  return {
    route,
    segments: splitPath(route.path).map((segment) =>
      segment.startsWith(':') ? { param: segment.slice(1) } : segment.toLowerCase(),
    ),
  };
}

function splitPath(path: string): string[] {
  const segments = path.split('/').slice(1);
  // A trailing slash is ignored (Key Vault clients send `/secrets/name/`).
  if (segments.length > 0 && segments[segments.length - 1] === '') segments.pop();
  return segments;
}

/** Literal segments match case-insensitively, as on the real services; params are URI-decoded. */
function matchRoute(routes: readonly CompiledRoute[], method: string, pathname: string): RouteMatch {
  const decoded = splitPath(pathname).map(decodeSegment);
  for (const compiled of routes) {
    if (compiled.route.method !== method) continue;
    const params = matchSegments(compiled.segments, decoded);
    if (params) return { kind: 'matched', route: compiled.route, params };
  }
  return { kind: 'unmatched' };
}

function matchSegments(
  pattern: CompiledRoute['segments'],
  segments: ReadonlyArray<string | undefined>,
): Record<string, string> | undefined {
  if (pattern.length !== segments.length) return undefined;
  const params: Record<string, string> = {};
  for (const [index, expected] of pattern.entries()) {
    const actual = segments[index];
    if (actual === undefined || actual === '') return undefined;
    if (typeof expected === 'string') {
      if (expected !== actual.toLowerCase()) return undefined;
    } else {
      params[expected.param] = actual;
    }
  }
  return params;
}

/** `undefined` for a malformed escape: such a segment matches nothing. */
function decodeSegment(segment: string): string | undefined {
  try {
    return decodeURIComponent(segment);
  } catch {
    return undefined;
  }
}

async function answer(
  definition: ServiceDefinition,
  match: RouteMatch,
  request: EmulatorRequest,
): Promise<EmulatorResponse> {
  try {
    return match.kind === 'matched' ? await match.route.handle(request) : definition.notFound(request);
  } catch (error) {
    try {
      return definition.internalError(request, error);
    } catch (secondError) {
      return genericError(500, describe(secondError));
    }
  }
}

function readBody(incoming: IncomingMessage, maxBytes: number): Promise<Buffer | 'too-large' | 'aborted'> {
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    let size = 0;
    incoming.on('data', (chunk: Buffer) => {
      size += chunk.length;
      // Past the limit the rest is drained, not kept, so that the 413 reaches the client.
      if (size <= maxBytes) chunks.push(chunk);
    });
    incoming.on('end', () => resolve(size > maxBytes ? 'too-large' : Buffer.concat(chunks)));
    incoming.on('error', () => resolve('aborted'));
    incoming.on('aborted', () => resolve('aborted'));
  });
}

interface SerializedResponse {
  readonly status: number;
  readonly headers: Record<string, string>;
  readonly body: Buffer;
}

function serialize(response: EmulatorResponse): SerializedResponse {
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(response.headers ?? {})) headers[name.toLowerCase()] = value;
  let body: Buffer;
  if (response.body === undefined || response.status === 204 || response.status === 304) body = Buffer.alloc(0);
  else if (Buffer.isBuffer(response.body)) body = response.body;
  else if (typeof response.body === 'string') body = Buffer.from(response.body, 'utf8');
  else {
    body = Buffer.from(JSON.stringify(response.body), 'utf8');
    headers['content-type'] ??= 'application/json; charset=utf-8';
  }
  headers['content-length'] = String(body.length);
  return { status: response.status, headers, body };
}

function send(outgoing: ServerResponse, response: EmulatorResponse): void {
  if (outgoing.destroyed || outgoing.headersSent) return;
  const { status, headers, body } = serialize(response);
  outgoing.writeHead(status, headers);
  outgoing.end(body);
}

/** Full headers (with the full Content-Length) and half the body, then the connection ends. */
function sendTruncated(outgoing: ServerResponse, response: EmulatorResponse): void {
  if (outgoing.destroyed || outgoing.headersSent) return;
  const { status, headers, body } = serialize(response);
  outgoing.writeHead(status, headers);
  outgoing.flushHeaders();
  const cut = (): void => {
    outgoing.socket?.end();
  };
  const half = body.subarray(0, Math.floor(body.length / 2));
  if (half.length > 0) outgoing.write(half, cut);
  else cut();
}

function faultResponse(fault: Extract<TerminalFaultAction, { type: 'status' }>): EmulatorResponse {
  const response = genericError(fault.status, 'Fault injected by the local Azure stack.');
  return fault.retryAfter === undefined
    ? response
    : { ...response, headers: { ...response.headers, 'retry-after': fault.retryAfter } };
}

/** `{ error: { code, message } }`, the shape Graph and Key Vault use; the code is the status text in PascalCase. */
function genericError(status: number, message: string): EmulatorResponse {
  const code = (STATUS_CODES[status] ?? 'Error').replace(/[^A-Za-z]+(.)?/g, (_, next: string | undefined) =>
    (next ?? '').toUpperCase(),
  );
  return { status, body: { error: { code, message } } };
}

function describe(error: unknown): string {
  return error instanceof Error ? `Unhandled ${error.name} in the emulator.` : 'Unhandled error in the emulator.';
}
