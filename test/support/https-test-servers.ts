/**
 * Small HTTPS servers for tests, trusted like the stack (certificates from the local CA): a reverse
 * proxy that can rewrite what an upstream answers, and a server that only records what reaches it.
 */
import { request as httpsRequest, createServer } from 'node:https';
import type { IncomingHttpHeaders, IncomingMessage, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { ensureLocalCa } from '../../emulators/stack/tls.js';

export interface RecordedRequest {
  readonly method: string;
  /** Path and query. */
  readonly path: string;
  readonly headers: IncomingHttpHeaders;
}

export interface TestHttpsServer {
  /** `https://127.0.0.1:port`. */
  readonly url: string;
  /** Every request received, in order. */
  readonly requests: readonly RecordedRequest[];
  close(): Promise<void>;
}

export interface ProxiedResponse {
  readonly status: number;
  readonly headers: Readonly<Record<string, string>>;
  readonly body: Buffer;
}

export interface HttpsProxyOptions {
  /** Origin the requests are forwarded to. */
  readonly target: string;
  /**
   * Rewrites each upstream answer (the nth proxied request is `index` n, from 0). The proxy first
   * replaces the target's origin in bodies with its own, as a reverse proxy in front of Graph would.
   */
  readonly transform?: (response: ProxiedResponse, index: number) => ProxiedResponse;
}

const LOOPBACK = '127.0.0.1';

/** Answers every request with `200 {"value":[]}` and records it. */
export function startRecordingServer(): Promise<TestHttpsServer> {
  return startServer((_request, _body, response) => {
    response.writeHead(200, { 'content-type': 'application/json' });
    response.end('{"value":[]}');
  });
}

export async function startHttpsProxy(options: HttpsProxyOptions): Promise<TestHttpsServer> {
  const target = new URL(options.target);
  let proxied = 0;
  let ownOrigin = '';
  const server = await startServer(async (request, body, response) => {
    const index = proxied;
    proxied += 1;
    const upstream = await forward(target, request, body);
    const rewritten = {
      ...upstream,
      body: Buffer.from(upstream.body.toString('utf8').replaceAll(target.origin, ownOrigin)),
    };
    const answer = options.transform ? options.transform(rewritten, index) : rewritten;
    response.writeHead(answer.status, { ...answer.headers, 'content-length': String(answer.body.length) });
    response.end(answer.body);
  });
  ownOrigin = server.url;
  return server;
}

export type Handler = (request: IncomingMessage, body: Buffer, response: ServerResponse) => void | Promise<void>;

/** An HTTPS server on a loopback port that answers with `handle` and records each request. */
export async function startServer(handle: Handler): Promise<TestHttpsServer> {
  const tls = await (await ensureLocalCa()).issueServerCertificate([LOOPBACK, 'localhost']);
  const requests: RecordedRequest[] = [];
  const server = createServer({ cert: tls.cert, key: tls.key }, (request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      requests.push({ method: request.method ?? '', path: request.url ?? '', headers: request.headers });
      Promise.resolve(handle(request, Buffer.concat(chunks), response)).catch(() => response.destroy());
    });
  });
  await new Promise<void>((resolve) => server.listen(0, LOOPBACK, resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `https://${LOOPBACK}:${port}`,
    requests,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

function forward(target: URL, request: IncomingMessage, body: Buffer): Promise<ProxiedResponse> {
  return new Promise((resolve, reject) => {
    const headers = { ...request.headers, host: target.host };
    const outgoing = httpsRequest(
      { hostname: target.hostname, port: target.port, method: request.method, path: request.url, headers },
      (upstream) => {
        const chunks: Buffer[] = [];
        upstream.on('data', (chunk: Buffer) => chunks.push(chunk));
        upstream.on('error', reject);
        upstream.on('end', () => {
          const forwarded: Record<string, string> = {};
          for (const [name, value] of Object.entries(upstream.headers)) {
            // The proxy sends the body whole, with its own length.
            if (value !== undefined && !['content-length', 'transfer-encoding', 'connection'].includes(name)) {
              forwarded[name] = Array.isArray(value) ? value.join(', ') : value;
            }
          }
          resolve({ status: upstream.statusCode ?? 502, headers: forwarded, body: Buffer.concat(chunks) });
        });
      },
    );
    outgoing.on('error', reject);
    outgoing.end(body);
  });
}
