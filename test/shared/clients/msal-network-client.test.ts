import { createServer } from 'node:http';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { ServerError } from '@azure/msal-node';
import { afterEach, describe, expect, it } from 'vitest';
import type { DueNotifierError } from '../../../shared/base/errors.js';
import { createRequestMetrics } from '../../../shared/http/metrics.js';
import { EntraRequestError, createMsalNetworkClient } from '../../../shared/clients/msal-network-client.js';
import type { MsalNetworkClientOptions } from '../../../shared/clients/msal-network-client.js';
import { rejectionOf } from '../../support/rejection.js';

interface Received {
  readonly method: string;
  readonly body: string;
}

const closers: (() => Promise<void>)[] = [];
afterEach(async () => {
  await Promise.all(closers.splice(0).map((close) => close()));
});

async function startServer(
  handle: (request: IncomingMessage, response: ServerResponse, call: number) => void,
): Promise<{ url: string; received: Received[] }> {
  const received: Received[] = [];
  const server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      received.push({ method: request.method ?? '', body: Buffer.concat(chunks).toString() });
      handle(request, response, received.length);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  closers.push(
    () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  );
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/tenant/oauth2/v2.0/token?client-request-id=1`,
    received,
  };
}

function reply(response: ServerResponse, status: number, body: string, headers: Record<string, string> = {}): void {
  response.writeHead(status, { 'Content-Type': 'application/json', ...headers });
  response.end(body);
}

function networkClient(overrides: Partial<MsalNetworkClientOptions> = {}) {
  const metrics = createRequestMetrics();
  const waits: number[] = [];
  const client = createMsalNetworkClient({
    timeoutMs: 2_000,
    metrics,
    sleep: async (ms) => void waits.push(ms),
    ...overrides,
  });
  return { client, metrics, waits };
}

async function entraFailure(promise: Promise<unknown>): Promise<DueNotifierError> {
  return (await rejectionOf(promise, EntraRequestError)).failure;
}

const TOKEN_BODY = JSON.stringify({ token_type: 'Bearer', expires_in: 3599, access_token: 'eyJ.token' });

describe('createMsalNetworkClient', () => {
  it('posts the form, returns status, lower-case headers and parsed JSON, and counts POSTs only', async () => {
    const server = await startServer((request, response) =>
      reply(response, 200, request.method === 'POST' ? TOKEN_BODY : '{"issuer":"x"}', { 'X-Ms-Request-Id': 'r1' }),
    );
    const { client, metrics } = networkClient();

    const response = await client.sendPostRequestAsync<{ access_token: string }>(server.url, {
      body: 'grant_type=client_credentials',
      headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
    });
    await client.sendGetRequestAsync(server.url.replace('oauth2/v2.0/token', 'v2.0/.well-known/openid-configuration'));

    expect(response.status).toBe(200);
    expect(response.body.access_token).toBe('eyJ.token');
    expect(response.headers['x-ms-request-id']).toBe('r1');
    expect(server.received.map((request) => request.method)).toEqual(['POST', 'GET']);
    expect(server.received[0]?.body).toBe('grant_type=client_credentials');
    expect(metrics.snapshot().token).toBe(1);
  });

  it('keeps why the last metadata request failed, since MSAL swallows it', async () => {
    const server = await startServer((_, response, call) =>
      call === 1
        ? reply(
            response,
            400,
            JSON.stringify({
              error: 'invalid_tenant',
              error_description: 'AADSTS90002: Tenant not found.',
              error_codes: [90002],
            }),
          )
        : reply(response, 200, '{"issuer":"x"}'),
    );
    const { client } = networkClient();
    await client.sendGetRequestAsync(server.url);
    const failure = client.lastMetadataFailure();
    expect(failure).toBeInstanceOf(ServerError);
    expect(failure).toMatchObject({ errorCode: 'invalid_tenant', errorNo: '90002', status: 400 });
    await client.sendGetRequestAsync(server.url);
    expect(client.lastMetadataFailure()).toBeUndefined();
  });

  it('passes Entra ID error answers (4xx JSON) to MSAL as they are', async () => {
    const server = await startServer((_, response) =>
      reply(response, 401, JSON.stringify({ error: 'invalid_client', error_codes: [7000215] })),
    );
    const { client } = networkClient();
    const response = await client.sendPostRequestAsync<{ error: string }>(server.url, { body: '' });
    expect(response.status).toBe(401);
    expect(response.body.error).toBe('invalid_client');
  });

  it('retries 503 with Retry-After and a truncated body, so MSAL only sees the answer that worked', async () => {
    const server = await startServer((_, response, call) => {
      if (call === 1) return reply(response, 503, '{"error":"temporarily_unavailable"}', { 'Retry-After': '1.5' });
      if (call === 2) return reply(response, 200, TOKEN_BODY.slice(0, 20));
      return reply(response, 200, TOKEN_BODY);
    });
    const { client, metrics, waits } = networkClient();
    const response = await client.sendPostRequestAsync(server.url, { body: '' });
    expect(response.status).toBe(200);
    expect(waits[0]).toBe(1_500);
    expect(waits).toHaveLength(2);
    expect(metrics.snapshot().token).toBe(3);
  });

  it('gives up after the policy’s attempts with EntraUnavailable, carried through MSAL as an AuthError', async () => {
    const server = await startServer((_, response) => reply(response, 500, '{}'));
    const { client } = networkClient({ retry: { maxAttempts: 2 } });
    const failure = await entraFailure(client.sendPostRequestAsync(server.url, { body: '' }));
    expect(failure.code).toBe('EntraUnavailable');
    expect(failure.message).toContain('answered 500');
    expect(failure.message).toContain('gave up after 2 attempts');
    expect(server.received).toHaveLength(2);
  });

  it('remembers a wait longer than the policy allows and sends nothing until it has passed', async () => {
    let now = 1_000_000;
    const server = await startServer((_, response) => reply(response, 429, '{}', { 'Retry-After': '120' }));
    const { client, metrics } = networkClient({ clock: () => now });

    const first = await entraFailure(client.sendPostRequestAsync(server.url, { body: '' }));
    expect(first.message).toContain('asked to wait 120.0 s');
    const second = await entraFailure(client.sendPostRequestAsync(server.url, { body: '' }));
    expect(second.message).toContain('not sent');
    expect(metrics.snapshot().token).toBe(1);

    now += 121_000;
    await entraFailure(client.sendPostRequestAsync(server.url, { body: '' }));
    expect(metrics.snapshot().token).toBe(2);
  });

  it('does not follow a redirect: the form carries the credential', async () => {
    const elsewhere = await startServer((_, response) => reply(response, 200, TOKEN_BODY));
    const server = await startServer((_, response) => {
      response.writeHead(307, { Location: elsewhere.url });
      response.end();
    });
    const { client } = networkClient();
    const failure = await entraFailure(client.sendPostRequestAsync(server.url, { body: 'client_secret=s3cr3t' }));
    expect(failure.message).toContain('redirect');
    expect(elsewhere.received).toHaveLength(0);
  });

  it('refuses a non-JSON error page without retrying it', async () => {
    const server = await startServer((_, response) => {
      response.writeHead(404, { 'Content-Type': 'text/html' });
      response.end('<html>Not found</html>');
    });
    const { client } = networkClient();
    const failure = await entraFailure(client.sendPostRequestAsync(server.url, { body: '' }));
    expect(failure.message).toContain('answered 404 with a body that is not complete JSON');
    expect(server.received).toHaveLength(1);
  });

  it('times requests out and stops at once when the acquisition is aborted', async () => {
    const server = await startServer(() => undefined);
    const timingOut = networkClient({ timeoutMs: 100, retry: { maxAttempts: 2 } });
    const failure = await entraFailure(timingOut.client.sendPostRequestAsync(server.url, { body: '' }));
    expect(failure.message).toContain('within 100 ms');

    const controller = new AbortController();
    const { client } = networkClient({ signalFor: (id) => (id === 'c1' ? controller.signal : undefined) });
    const started = Date.now();
    const pending = client.sendPostRequestAsync(server.url, { body: '', correlationId: 'c1' });
    setTimeout(() => controller.abort(new Error('caller gave up')), 50);
    await expect(pending).rejects.toThrow('caller gave up');
    expect(Date.now() - started).toBeLessThan(1_500);
  });
});
