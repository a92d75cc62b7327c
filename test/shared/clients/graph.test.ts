import { createServer } from 'node:http';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { GetAccessTokenOptions, GraphTokenProvider } from '../../../shared/clients/auth.js';
import { createGraphClient } from '../../../shared/clients/graph.js';
import type { GraphClientOptions } from '../../../shared/clients/graph.js';
import type { ListItem } from '../../../shared/reminders/rules.js';
import type { Logger } from '../../../shared/base/logger.js';
import { createRequestMetrics } from '../../../shared/http/metrics.js';
import { useLocalStack } from '../../support/stack.js';
import { APP_WITHOUT_PERMISSIONS, stackTokens, useStackIdentity } from '../../support/stack-tokens.js';
import type { StackApp } from '../../support/stack-tokens.js';
import { failure } from '../../support/rejection.js';

interface RecordedRequest {
  readonly url: URL;
  readonly headers: IncomingMessage['headers'];
}

interface TestServer {
  readonly origin: string;
  readonly requests: RecordedRequest[];
  close(): Promise<void>;
}

const servers: TestServer[] = [];

afterEach(async () => {
  await Promise.all(servers.splice(0).map((server) => server.close()));
});

/** A plain HTTP server on a free loopback port; `handle` answers each request (call count from 1). */
async function startServer(
  handle: (request: RecordedRequest, response: ServerResponse, call: number) => void,
): Promise<TestServer> {
  const requests: RecordedRequest[] = [];
  const server = createServer((request, response) => {
    const recorded = { url: new URL(request.url ?? '/', origin), headers: request.headers };
    requests.push(recorded);
    handle(recorded, response, requests.length);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const testServer: TestServer = {
    origin,
    requests,
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
  servers.push(testServer);
  return testServer;
}

function json(response: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  response.writeHead(status, { 'content-type': 'application/json', ...headers });
  response.end(JSON.stringify(body));
}

function items(from: number, count: number): { id: string; fields: Record<string, unknown> }[] {
  return Array.from({ length: count }, (_, index) => ({
    id: String(from + index),
    fields: { Title: `INV-${from + index}` },
  }));
}

function fakeTokens(): GraphTokenProvider & { calls: GetAccessTokenOptions[] } {
  const calls: GetAccessTokenOptions[] = [];
  return {
    calls,
    getAccessToken: async (options = {}) => {
      calls.push(options);
      return options.forceRefresh ? 'fresh-token' : 'cached-token';
    },
  };
}

const silentLogger = (): Logger & { warnings: string[] } => {
  const warnings: string[] = [];
  return { warnings, info: () => undefined, warn: (message) => warnings.push(message), error: () => undefined };
};

function client(server: TestServer, overrides: Partial<GraphClientOptions> = {}) {
  const tokens = fakeTokens();
  const metrics = createRequestMetrics();
  const logger = silentLogger();
  const graph = createGraphClient({
    baseUrl: `${server.origin}/v1.0`,
    tokens,
    timeoutMs: 2_000,
    metrics,
    logger,
    sleep: async () => undefined,
    ...overrides,
  });
  return { graph, tokens, metrics, logger };
}

const query = {
  siteId: 'contoso.sharepoint.com,1111,2222',
  listId: 'obligations',
  fields: ['Title', 'DueDate'],
  filter: "fields/DueDate ge '2026-12-01T00:00:00Z'",
};

async function readAll(pages: AsyncIterable<readonly ListItem[]>): Promise<{ pages: number; ids: string[] }> {
  const ids: string[] = [];
  let count = 0;
  for await (const page of pages) {
    count += 1;
    ids.push(...page.map((item) => item.id));
  }
  return { pages: count, ids };
}

describe('createGraphClient: paging', () => {
  it('builds the first URL, then follows @odata.nextLink verbatim, page by page', async () => {
    const server = await startServer((_request, response, call) => {
      const nextLink =
        call < 3 ? `${server.origin}/v1.0/sites/x/lists/y/items?$skiptoken=Paged%3DTRUE%26p_ID%3D${call}` : undefined;
      json(response, 200, {
        value: items(call * 10, call === 2 ? 0 : 2),
        ...(nextLink ? { '@odata.nextLink': nextLink } : {}),
      });
    });
    const { graph, metrics } = client(server);

    const result = await readAll(graph.listItems({ ...query, top: 2 }));

    expect(result).toEqual({ pages: 3, ids: ['10', '11', '30', '31'] });
    const [first, second] = server.requests;
    expect(first?.url.pathname).toBe('/v1.0/sites/contoso.sharepoint.com%2C1111%2C2222/lists/obligations/items');
    expect(first?.url.searchParams.get('$select')).toBe('id');
    expect(first?.url.searchParams.get('$expand')).toBe('fields($select=Title,DueDate)');
    expect(first?.url.searchParams.get('$filter')).toBe(query.filter);
    expect(first?.url.searchParams.get('$top')).toBe('2');
    expect(second?.url.search).toBe('?$skiptoken=Paged%3DTRUE%26p_ID%3D1');
    for (const request of server.requests) {
      expect(request.headers.authorization).toBe('Bearer cached-token');
      expect(request.headers.accept).toBe('application/json');
      expect(request.headers['client-request-id']).toMatch(/^[0-9a-f-]{36}$/);
      expect(request.headers.prefer).toBeUndefined();
    }
    expect(metrics.snapshot().graph).toBe(3);
  });

  it('asks for 1000 items per page by default and rejects a $top Graph would not honour', async () => {
    const server = await startServer((_, response) => json(response, 200, { value: [] }));
    const { graph } = client(server);
    await readAll(graph.listItems(query));
    expect(server.requests[0]?.url.searchParams.get('$top')).toBe('1000');
    await expect(readAll(graph.listItems({ ...query, top: 5001 }))).rejects.toThrow(RangeError);
  });

  it('stops on a nextLink that repeats a page already read', async () => {
    const server = await startServer((_request, response) =>
      json(response, 200, { value: items(1, 1), '@odata.nextLink': `${server.origin}/v1.0/same` }),
    );
    const { graph } = client(server);
    const error = await failure(readAll(graph.listItems(query)));
    expect(error.code).toBe('GraphResponseInvalid');
    expect(server.requests).toHaveLength(2);
  });
});

describe('createGraphClient: the token stays with Graph', () => {
  it('refuses a nextLink to another origin without sending it any request', async () => {
    const foreign = await startServer((_, response) => json(response, 200, { value: [] }));
    const server = await startServer((_, response) =>
      json(response, 200, {
        value: items(1, 2),
        '@odata.nextLink': `${foreign.origin}/v1.0/sites/x/lists/y/items?$skiptoken=2`,
      }),
    );
    const { graph, metrics } = client(server);

    const error = await failure(readAll(graph.listItems(query)));

    expect(error.code).toBe('UntrustedGraphUrl');
    expect(error.message).toContain(foreign.origin);
    expect(foreign.requests).toHaveLength(0);
    expect(server.requests).toHaveLength(1);
    expect(metrics.snapshot().graph).toBe(1);
  });

  it.each([
    ['a path outside the base path', (origin: string) => `${origin}/beta/sites/x/lists/y/items`],
    ['a dot-segment escape', (origin: string) => `${origin}/v1.0/../admin/items`],
    ['credentials in the URL', (origin: string) => origin.replace('http://', 'http://user:pw@') + '/v1.0/items'],
    ['a relative link', () => '/v1.0/sites/x/lists/y/items?$skiptoken=2'],
  ])('refuses %s', async (_, nextLink) => {
    const server = await startServer((_request, response) =>
      json(response, 200, { value: [], '@odata.nextLink': nextLink(server.origin) }),
    );
    const { graph } = client(server);
    const error = await failure(readAll(graph.listItems(query)));
    expect(error.code).toBe('UntrustedGraphUrl');
    expect(server.requests).toHaveLength(1);
  });

  it('does not follow a redirect', async () => {
    const foreign = await startServer((_, response) => json(response, 200, { value: [] }));
    const server = await startServer((_, response) => {
      response.writeHead(302, { location: `${foreign.origin}/v1.0/items` });
      response.end();
    });
    const { graph } = client(server);
    const error = await failure(readAll(graph.listItems(query)));
    expect(error.code).toBe('GraphRequestFailed');
    expect(foreign.requests).toHaveLength(0);
  });
});

describe('createGraphClient: retries', () => {
  it('rides out a 429 storm with fractional Retry-After, reading every item once', async () => {
    const server = await startServer((_request, response, call) => {
      // Page 1 on call 1; calls 2-4 throttled; page 2 on call 5.
      if (call === 1) {
        json(response, 200, {
          value: items(1, 3),
          '@odata.nextLink': `${server.origin}/v1.0/sites/x/lists/y/items?page=2`,
        });
      } else if (call <= 4) {
        json(
          response,
          429,
          { error: { code: 'TooManyRequests', message: 'Too many requests' } },
          { 'retry-after': '0.015' },
        );
      } else {
        json(response, 200, { value: items(4, 3) });
      }
    });
    const waits: number[] = [];
    const { graph, metrics, logger } = client(server, { sleep: async (ms) => void waits.push(ms) });

    const result = await readAll(graph.listItems(query));

    expect(result.ids).toEqual(['1', '2', '3', '4', '5', '6']);
    expect(waits).toEqual([15, 15, 15]);
    expect(metrics.snapshot().graph).toBe(5);
    expect(logger.warnings).toHaveLength(3);
    expect(logger.warnings[0]).toContain('429');
    expect(logger.warnings.join('\n')).not.toContain('cached-token');
  });

  it('recovers from a connection reset mid-body', async () => {
    const server = await startServer((_, response, call) => {
      const body = JSON.stringify({ value: items(1, 50) });
      if (call === 1) {
        response.writeHead(200, { 'content-type': 'application/json', 'content-length': String(body.length) });
        response.write(body.slice(0, 100));
        setTimeout(() => response.socket?.destroy(), 10);
        return;
      }
      response.writeHead(200, { 'content-type': 'application/json' });
      response.end(body);
    });
    const { graph } = client(server);
    const result = await readAll(graph.listItems(query));
    expect(result.ids).toHaveLength(50);
    expect(server.requests).toHaveLength(2);
  });

  it('recovers from a truncated JSON body', async () => {
    const server = await startServer((_, response, call) => {
      const body = JSON.stringify({ value: items(1, 5) });
      response.writeHead(200, { 'content-type': 'application/json' });
      response.end(call === 1 ? body.slice(0, body.length - 7) : body);
    });
    const { graph } = client(server);
    expect((await readAll(graph.listItems(query))).ids).toEqual(['1', '2', '3', '4', '5']);
    expect(server.requests).toHaveLength(2);
  });

  it('retries 503 and 504 with backoff, then gives up with GraphUnavailable', async () => {
    const server = await startServer((_, response, call) =>
      json(response, call % 2 ? 503 : 504, { error: { code: 'serviceNotAvailable', message: 'down' } }),
    );
    const waits: number[] = [];
    const { graph, metrics } = client(server, {
      sleep: async (ms) => void waits.push(ms),
      retry: { maxAttempts: 3, baseDelayMs: 100 },
    });
    const error = await failure(readAll(graph.listItems(query)));
    expect(error.code).toBe('GraphUnavailable');
    expect(error.message).toContain('gave up after 3 attempts');
    expect(error.message).toContain('serviceNotAvailable');
    expect(metrics.snapshot().graph).toBe(3);
    expect(waits).toHaveLength(2);
    expect(waits[0]).toBeLessThan(100);
    expect(waits[1]).toBeLessThan(200);
  });

  it('gives up at once with GraphThrottled when Retry-After exceeds the longest wait', async () => {
    const server = await startServer((_, response) => json(response, 429, {}, { 'retry-after': '300' }));
    const { graph } = client(server);
    const error = await failure(readAll(graph.listItems(query)));
    expect(error.code).toBe('GraphThrottled');
    expect(error.message).toContain('asked to wait 300.0 s');
    expect(server.requests).toHaveLength(1);
  });

  it('gets a fresh token once after a 401, and fails on a second 401', async () => {
    const server = await startServer((request, response, call) =>
      call === 1 || request.headers.authorization === 'Bearer revoked'
        ? json(response, 401, { error: { code: 'InvalidAuthenticationToken', message: 'Access token has expired.' } })
        : json(response, 200, { value: items(1, 1) }),
    );
    const { graph, tokens } = client(server);
    expect((await readAll(graph.listItems(query))).ids).toEqual(['1']);
    expect(tokens.calls.map((call) => call.forceRefresh)).toEqual([false, true]);
    expect(server.requests[1]?.headers.authorization).toBe('Bearer fresh-token');

    const always401 = await startServer((_, response) =>
      json(response, 401, { error: { code: 'InvalidAuthenticationToken', message: 'nope' } }),
    );
    const error = await failure(readAll(client(always401).graph.listItems(query)));
    expect(error.code).toBe('GraphRequestFailed');
    expect(error.message).toContain('InvalidAuthenticationToken');
    expect(always401.requests).toHaveLength(2);
  });
});

describe('createGraphClient: failures', () => {
  it('maps 403 to GraphAccessDenied with the fix, without retrying', async () => {
    const server = await startServer((_, response) =>
      json(
        response,
        403,
        { error: { code: 'accessDenied', message: 'Either scp or roles claim need to be present in the token.' } },
        { 'request-id': 'abc-123' },
      ),
    );
    const { graph } = client(server);
    const error = await failure(readAll(graph.listItems(query)));
    expect(error.code).toBe('GraphAccessDenied');
    expect(error.message).toContain('Sites.Read.All');
    expect(error.message).toContain('admin consent');
    expect(error.message).toContain('request-id abc-123');
    expect(error.message).not.toContain('cached-token');
    expect(server.requests).toHaveLength(1);
  });

  it('says to index the due-date column when Graph refuses an unindexed filter', async () => {
    const server = await startServer((_, response) =>
      json(response, 400, {
        error: {
          code: 'invalidRequest',
          message:
            "Field 'DueDate' cannot be referenced in filter or orderby as it is not indexed. Provide the 'Prefer: HonorNonIndexedQueriesWarningMayFailRandomly' header.",
        },
      }),
    );
    const error = await failure(readAll(client(server).graph.listItems(query)));
    expect(error.code).toBe('GraphRequestFailed');
    expect(error.message).toContain('index the due-date column');
    expect(error.message).toContain('invalidRequest');
  });

  it.each([
    [404, 'itemNotFound', 'List does not exist.', /OBLIGATIONS_LIST_ID .*OBLIGATIONS_SITE_ID/],
    [404, 'itemNotFound', 'Requested site could not be found', /OBLIGATIONS_SITE_ID/],
    [
      400,
      'invalidRequest',
      "Column 'DueDat' does not exist. It may have been deleted by another user.",
      /LIST_COLUMN_\*/,
    ],
    [
      400,
      'invalidRequest',
      'Something else',
      /GRAPH_BASE_URL, OBLIGATIONS_SITE_ID, OBLIGATIONS_LIST_ID and the LIST_COLUMN_\*/,
    ],
  ])('names the setting to check when Graph answers %i %s (%s)', async (status, code, message, setting) => {
    const server = await startServer((_, response) => json(response, status, { error: { code, message } }));
    const error = await failure(readAll(client(server).graph.listItems(query)));
    expect(error.code).toBe('GraphRequestFailed');
    expect(error.message).toMatch(setting);
    expect(error.message).toContain(code);
  });

  it.each([
    ['no value array', { items: [] }],
    ['an item without fields', { value: [{ id: '1' }] }],
    ['a numeric id', { value: [{ id: 1, fields: {} }] }],
    ['a non-string nextLink', { value: [], '@odata.nextLink': 5 }],
  ])('rejects a page with %s as GraphResponseInvalid', async (_, body) => {
    const server = await startServer((_request, response) => json(response, 200, body));
    const error = await failure(readAll(client(server).graph.listItems(query)));
    expect(error.code).toBe('GraphResponseInvalid');
  });

  it('aborts a request that exceeds the timeout, retries it, then fails', async () => {
    const server = await startServer(() => undefined);
    const { graph } = client(server, { timeoutMs: 100, retry: { maxAttempts: 2 } });
    const started = Date.now();
    const error = await failure(readAll(graph.listItems(query)));
    expect(error.code).toBe('GraphUnavailable');
    expect(error.message).toContain('within 100 ms');
    expect(server.requests).toHaveLength(2);
    expect(Date.now() - started).toBeLessThan(2_000);
  });

  it('stops promptly with the caller’s reason when aborted, mid-request or mid-wait', async () => {
    const hanging = await startServer(() => undefined);
    const controller = new AbortController();
    const reading = readAll(
      client(hanging, { timeoutMs: 10_000 }).graph.listItems({ ...query, abortSignal: controller.signal }),
    );
    await vi.waitFor(() => expect(hanging.requests).toHaveLength(1));
    controller.abort(new Error('run cancelled'));
    await expect(reading).rejects.toThrow('run cancelled');

    const throttling = await startServer((_, response) => json(response, 429, {}, { 'retry-after': '30' }));
    const waiting = new AbortController();
    const started = Date.now();
    const throttled = readAll(
      client(throttling, { sleep: undefined }).graph.listItems({ ...query, abortSignal: waiting.signal }),
    );
    await vi.waitFor(() => expect(throttling.requests).toHaveLength(1));
    waiting.abort(new Error('budget exhausted'));
    await expect(throttled).rejects.toThrow('budget exhausted');
    expect(Date.now() - started).toBeLessThan(2_000);
    expect(throttling.requests).toHaveLength(1);
  });

  it('reports an unreachable Graph without retrying forever', async () => {
    const server = await startServer((_, response) => json(response, 200, { value: [] }));
    const origin = server.origin;
    await server.close();
    servers.splice(servers.indexOf(server), 1);
    const { graph } = client({ ...server, origin }, { retry: { maxAttempts: 2 } });
    const error = await failure(readAll(graph.listItems(query)));
    expect(error.code).toBe('GraphUnavailable');
    expect(error.message).toContain('ECONNREFUSED');
  });
});

describe('createGraphClient: against the local stack, with MSAL tokens', () => {
  const stack = useLocalStack({ azurite: false });
  useStackIdentity(stack);

  function stackClient(app?: StackApp) {
    const { tokens, metrics } = stackTokens(stack(), app);
    const logger = silentLogger();
    const graph = createGraphClient({
      baseUrl: stack().settings.GRAPH_BASE_URL ?? '',
      tokens,
      timeoutMs: 5_000,
      metrics,
      logger,
    });
    return { graph, metrics, logger };
  }

  const listQuery = () => ({
    siteId: stack().seed.daemon.siteId,
    listId: stack().seed.daemon.listId,
    fields: ['Title', 'DueDate', 'Status'],
  });

  it('reads every item across many pages with one token', async () => {
    const { graph, metrics } = stackClient();
    const { pages, ids } = await readAll(graph.listItems({ ...listQuery(), top: 3 }));
    expect(ids.length).toBeGreaterThan(20);
    expect(new Set(ids).size).toBe(ids.length);
    expect(pages).toBe(Math.ceil(ids.length / 3));
    expect(metrics.snapshot()).toMatchObject({ graph: stack().counters.get('graph.listItems'), token: 1 });
  });

  it('filters on the indexed due-date column, and explains a filter on an unindexed one', async () => {
    const { graph } = stackClient();
    const all = await readAll(graph.listItems(listQuery()));
    const filtered = await readAll(
      graph.listItems({
        ...listQuery(),
        filter: "fields/DueDate ge '2000-01-01T00:00:00Z' and fields/DueDate lt '2000-01-02T00:00:00Z'",
      }),
    );
    expect(filtered.ids.length).toBeLessThan(all.ids.length);

    const error = await failure(readAll(graph.listItems({ ...listQuery(), filter: "fields/CustomerName eq 'x'" })));
    expect(error.code).toBe('GraphRequestFailed');
    expect(error.message).toContain('index the due-date column');
  });

  it('rides out a 429 storm with fractional Retry-After, a 503, a reset and a truncated body: every item once', async () => {
    const { graph: reference } = stackClient();
    const expected = (await readAll(reference.listItems({ ...listQuery(), top: 5 }))).ids;
    const faults = stack().faults;
    faults.add({ endpoint: 'graph.listItems', action: { type: 'status', status: 429, retryAfter: '0.05' }, count: 3 });
    faults.add({ endpoint: 'graph.listItems', path: 'skiptoken', action: { type: 'reset' }, count: 1 });
    const { graph, logger } = stackClient();

    const first = await readAll(graph.listItems({ ...listQuery(), top: 5 }));
    faults.add({ endpoint: 'graph.listItems', path: 'skiptoken', action: { type: 'truncate' }, count: 1 });
    faults.add({ endpoint: 'graph.listItems', action: { type: 'status', status: 503, retryAfter: '0.05' }, count: 1 });
    const second = await readAll(graph.listItems({ ...listQuery(), top: 5 }));

    expect(first.ids).toEqual(expected);
    expect(second.ids).toEqual(expected);
    expect(logger.warnings.length).toBeGreaterThanOrEqual(6);
  });

  it('maps Graph’s 403 for an app without application permissions to GraphAccessDenied', async () => {
    const { graph } = stackClient(APP_WITHOUT_PERMISSIONS);
    const error = await failure(readAll(graph.listItems(listQuery())));
    expect(error.code).toBe('GraphAccessDenied');
    expect(error.message).toContain('Sites.Read.All');
  });
});
