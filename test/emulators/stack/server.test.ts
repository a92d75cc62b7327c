import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { get as httpsGet, Agent } from 'node:https';
import { fileURLToPath } from 'node:url';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createRequestCounters } from '../../../emulators/stack/counters.js';
import { createFaultController } from '../../../emulators/stack/faults.js';
import { startEmulatorServer } from '../../../emulators/stack/server.js';
import type { EmulatorServer } from '../../../emulators/stack/server.js';
import { ensureLocalCa } from '../../../emulators/stack/tls.js';
import type { ServiceDefinition } from '../../../emulators/stack/types.js';
import { rejectionOf } from '../../support/rejection.js';

const LARGE_TEXT = 'x'.repeat(10_000);
/** Bodies the `graph.accept` route has taken in: what a lost answer leaves done. */
const accepted: string[] = [];

const definition: ServiceDefinition = {
  service: 'graph',
  routes: [
    {
      name: 'graph.getThing',
      method: 'GET',
      path: '/v1.0/things/:id',
      handle: (request) => ({
        status: 200,
        body: { id: request.params.id, top: request.url.searchParams.get('$top') },
      }),
    },
    {
      name: 'graph.echo',
      method: 'POST',
      path: '/v1.0/echo',
      handle: (request) => ({ status: 201, headers: { 'X-Length': String(request.body.length) }, body: request.body }),
    },
    {
      name: 'graph.accept',
      method: 'POST',
      path: '/v1.0/accept',
      handle: (request) => {
        accepted.push(request.body.toString('utf8'));
        return { status: 202 };
      },
    },
    {
      name: 'graph.large',
      method: 'GET',
      path: '/v1.0/large',
      handle: () => ({ status: 200, headers: { 'content-type': 'text/plain' }, body: LARGE_TEXT }),
    },
    {
      name: 'graph.boom',
      method: 'GET',
      path: '/v1.0/boom',
      handle: async () => {
        throw new Error('handler failed');
      },
    },
  ],
  notFound: (request) => ({
    status: 404,
    body: { error: { code: 'itemNotFound', message: `No route for ${request.method} ${request.url.pathname}` } },
  }),
  internalError: () => ({ status: 500, body: { error: { code: 'generalException', message: 'General exception.' } } }),
};

describe('startEmulatorServer', () => {
  const faults = createFaultController({ seed: 7 });
  const counters = createRequestCounters();
  let server: EmulatorServer;

  beforeAll(async () => {
    const ca = await ensureLocalCa();
    server = await startEmulatorServer({
      definition,
      tls: await ca.issueServerCertificate(['localhost', '127.0.0.1', '::1']),
      faults,
      counters,
      maxBodyBytes: 1024,
    });
  });
  afterAll(() => server.close());
  afterEach(() => {
    faults.clear();
    counters.reset();
  });

  it('serves HTTPS with a certificate the test process trusts through NODE_EXTRA_CA_CERTS', async () => {
    expect(server.url).toMatch(/^https:\/\/127\.0\.0\.1:\d+$/);
    const status = await new Promise<number | undefined>((resolve, reject) => {
      httpsGet(`${server.url}/v1.0/things/1`, (response) => {
        response.resume();
        resolve(response.statusCode);
      }).on('error', reject);
    });
    expect(status).toBe(200);
  });

  it('routes by method and path: params URI-decoded, trailing slash ignored, literals case-insensitive', async () => {
    const response = await fetch(`${server.url}/V1.0/Things/a%20b%2Cc/?$top=5`);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('application/json; charset=utf-8');
    expect(await response.json()).toEqual({ id: 'a b,c', top: '5' });
    expect(counters.get('graph.getThing')).toBe(1);
  });

  it('passes the request body to the handler and sends Buffer bodies as they are', async () => {
    const response = await fetch(`${server.url}/v1.0/echo`, { method: 'POST', body: 'hello' });
    expect(response.status).toBe(201);
    expect(response.headers.get('x-length')).toBe('5');
    expect(await response.text()).toBe('hello');
  });

  it("answers unknown paths and wrong methods with the service's notFound and counts them as unmatched", async () => {
    const unknown = await fetch(`${server.url}/v1.0/nothing`);
    expect(unknown.status).toBe(404);
    expect(await unknown.json()).toMatchObject({ error: { code: 'itemNotFound' } });
    const wrongMethod = await fetch(`${server.url}/v1.0/things/1`, { method: 'DELETE' });
    expect(wrongMethod.status).toBe(404);
    await wrongMethod.body?.cancel();
    expect(counters.snapshot()).toEqual({ 'graph.unmatched': 2 });
  });

  it("turns a handler's exception into the service's internalError answer", async () => {
    const response = await fetch(`${server.url}/v1.0/boom`);
    expect(response.status).toBe(500);
    expect(await response.json()).toEqual({ error: { code: 'generalException', message: 'General exception.' } });
    expect(counters.get('graph.boom')).toBe(1);
  });

  it('rejects a body over the limit with 413', async () => {
    const response = await fetch(`${server.url}/v1.0/echo`, { method: 'POST', body: 'y'.repeat(5000) });
    expect(response.status).toBe(413);
    expect(await response.json()).toMatchObject({ error: { code: 'PayloadTooLarge' } });
  });

  it('injects a count-limited status fault with a fractional Retry-After, then answers normally', async () => {
    faults.add({ endpoint: 'graph.getThing', action: { type: 'status', status: 429, retryAfter: '0.5' }, count: 2 });
    const statuses: Array<[number, string | null]> = [];
    for (let attempt = 0; attempt < 3; attempt++) {
      const response = await fetch(`${server.url}/v1.0/things/1`);
      await response.body?.cancel();
      statuses.push([response.status, response.headers.get('retry-after')]);
    }
    expect(statuses).toEqual([
      [429, '0.5'],
      [429, '0.5'],
      [200, null],
    ]);
    // Throttled requests count too.
    expect(counters.get('graph.getThing')).toBe(3);
    expect(faults.list()).toEqual([]);
  });

  it('injects latency', async () => {
    faults.add({ service: 'graph', method: 'GET', action: { type: 'latency', ms: 150 } });
    const started = performance.now();
    const response = await fetch(`${server.url}/v1.0/things/1`);
    await response.body?.cancel();
    expect(response.status).toBe(200);
    expect(performance.now() - started).toBeGreaterThanOrEqual(145);
  });

  it('resets the connection without an answer', async () => {
    faults.add({ path: '^/v1\\.0/things/', action: { type: 'reset' }, count: 1 });
    await rejectionOf(fetch(`${server.url}/v1.0/things/1`), TypeError);
    expect(counters.get('graph.getThing')).toBe(1);
    const after = await fetch(`${server.url}/v1.0/things/1`);
    expect(after.status).toBe(200);
    await after.body?.cancel();
  });

  it('serves the request, then drops the connection before the answer (lost-answer)', async () => {
    faults.add({ endpoint: 'graph.accept', action: { type: 'lostAnswer' }, count: 1 });
    await rejectionOf(fetch(`${server.url}/v1.0/accept`, { method: 'POST', body: 'first' }), TypeError);
    expect(accepted).toEqual(['first']);
    const after = await fetch(`${server.url}/v1.0/accept`, { method: 'POST', body: 'second' });
    expect(after.status).toBe(202);
    expect(accepted).toEqual(['first', 'second']);
  });

  it('truncates a body: full Content-Length, half the bytes, then the connection ends', async () => {
    faults.add({ endpoint: 'graph.large', action: { type: 'truncate' } });
    const received = await new Promise<{ length: string | undefined; bytes: number; error: unknown }>((resolve) => {
      httpsGet(`${server.url}/v1.0/large`, (response) => {
        let bytes = 0;
        response.on('data', (chunk: Buffer) => (bytes += chunk.length));
        response.on('error', (error) => resolve({ length: response.headers['content-length'], bytes, error }));
        response.on('end', () => resolve({ length: response.headers['content-length'], bytes, error: undefined }));
      });
    });
    expect(received.length).toBe(String(LARGE_TEXT.length));
    expect(received.bytes).toBe(LARGE_TEXT.length / 2);
    expect(received.error).toBeInstanceOf(Error);

    const viaFetch = await fetch(`${server.url}/v1.0/large`);
    await expect(viaFetch.text()).rejects.toThrow();
  });

  it('close() also closes idle keep-alive connections', async () => {
    const ca = await ensureLocalCa();
    const own = await startEmulatorServer({
      definition,
      tls: await ca.issueServerCertificate(['127.0.0.1']),
      faults: createFaultController(),
      counters: createRequestCounters(),
    });
    const agent = new Agent({ keepAlive: true });
    try {
      await new Promise<void>((resolve, reject) => {
        httpsGet(`${own.url}/v1.0/things/1`, { agent }, (response) => {
          response.resume();
          response.on('end', resolve);
        }).on('error', reject);
      });
      const closing = performance.now();
      await own.close();
      // Without closeAllConnections() close() waits for the keep-alive timeout (5 s).
      expect(performance.now() - closing).toBeLessThan(1000);
      await expect(fetch(`${own.url}/v1.0/things/1`)).rejects.toThrow();
    } finally {
      agent.destroy();
    }
  });

  it('close() cuts an injected latency short: nothing is left to keep the process alive', async () => {
    // A process of its own, so that a leftover 60 s timer would show as a process that does not exit.
    const script = `
      import { get } from 'node:http';
      import { createRequestCounters } from './emulators/stack/counters.ts';
      import { createFaultController } from './emulators/stack/faults.ts';
      import { startEmulatorServer } from './emulators/stack/server.ts';
      const faults = createFaultController();
      faults.add({ action: { type: 'latency', ms: 60000 } });
      const counters = createRequestCounters();
      const definition = { service: 'graph', routes: [], notFound: () => ({ status: 404 }), internalError: () => ({ status: 500 }) };
      const server = await startEmulatorServer({ definition, faults, counters });
      get(server.url + '/slow').on('error', () => console.log('request failed'));
      while (counters.get('graph.unmatched') === 0) await new Promise((resolve) => setTimeout(resolve, 10));
      await server.close();
      console.log('closed');
    `;
    const started = performance.now();
    const child = spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '--eval', script], {
      cwd: fileURLToPath(new URL('../../..', import.meta.url)),
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    const exited = once(child, 'exit') as Promise<[number | null]>;
    const timeout = setTimeout(() => child.kill('SIGKILL'), 15_000);
    const [code] = await exited.finally(() => clearTimeout(timeout));
    expect(code).toBe(0);
    expect(output).toContain('closed');
    expect(output).toContain('request failed');
    expect(performance.now() - started).toBeLessThan(15_000);
  });
});
