/**
 * Microsoft Graph as the registration uses it, signed in as an administrator: JSON requests to the
 * directory (applications, service principals, app role assignments, site permissions) over the app's
 * outbound HTTP core, following `@odata.nextLink`, retrying throttling (429/503/504 with `Retry-After`)
 * and connection failures, and turning a refusal into one line that names the role the account lacks.
 * Every write (POST, PATCH, DELETE) is counted, so that a second run can say it wrote nothing.
 */
import type { AccessToken, TokenCredential } from '@azure/identity';
import { isRecord } from '../shared/base/is-record.js';
import type { Logger } from '../shared/base/logger.js';
import { describeRequestIds } from '../shared/http/client-request-id-policy.js';
import { jsonBody } from '../shared/http/json-body.js';
import { isLoopbackHost } from '../shared/http/loopback.js';
import { createOutboundPipeline } from '../shared/http/outbound-pipeline.js';
import { createHttpRequest } from '../shared/http/pipeline.js';
import type { HttpMethod, HttpResponse } from '../shared/http/pipeline.js';
import { describeGiveUp, isTransientNetworkError, networkErrorCode, parseRetryAfter } from '../shared/http/retry.js';
import type { RetryPolicy } from '../shared/http/retry.js';
import { RegistrationError, ROLE_NEEDED } from './errors.js';
import type { RoleNeeded } from './errors.js';

export interface AdminGraph {
  /** One resource; `undefined` for a 404 when `missingOk`. */
  get(path: string, options: { readonly role?: RoleNeeded; readonly missingOk: true }): Promise<unknown>;
  get(path: string, options?: { readonly role?: RoleNeeded }): Promise<unknown>;
  /** Every element of a collection, all pages. */
  list(path: string, options?: { readonly role?: RoleNeeded }): Promise<readonly unknown[]>;
  /** A write; its answer's JSON body, or undefined for 204. */
  write(method: Exclude<HttpMethod, 'GET'>, path: string, body: unknown, options: WriteOptions): Promise<unknown>;
  /** Writes sent so far (attempts that reached Graph). */
  writes(): number;
}

export interface WriteOptions {
  readonly role: RoleNeeded;
  readonly headers?: Readonly<Record<string, string>>;
}

export interface AdminGraphOptions {
  /** e.g. `https://graph.microsoft.com/v1.0`. */
  readonly baseUrl: string;
  /** The administrator's sign-in. */
  readonly credential: TokenCredential;
  readonly timeoutMs?: number;
  readonly logger?: Logger;
  readonly retry?: Partial<RetryPolicy>;
}

const RETRIED_STATUSES = new Set([429, 503, 504]);
const DEFAULT_RETRY: RetryPolicy = { maxAttempts: 5, baseDelayMs: 1000, maxDelayMs: 60_000, budgetMs: 180_000 };
/** A token is renewed this long before it expires. */
const TOKEN_RENEWAL_MS = 5 * 60_000;

/**
 * The scope of a Graph token for a Graph base URL: its origin's `/.default` (the global Graph's, a
 * national cloud's); the local stack's Graph, on a loopback port, takes tokens for the global one.
 */
export function graphScope(baseUrl: string): string {
  const { hostname, origin } = new URL(baseUrl);
  return isLoopbackHost(hostname) ? 'https://graph.microsoft.com/.default' : `${origin}/.default`;
}

export function createAdminGraph(options: AdminGraphOptions): AdminGraph {
  const baseUrl = options.baseUrl.replace(/\/+$/, '');
  const scope = graphScope(baseUrl);
  const retry = { ...DEFAULT_RETRY, ...options.retry };
  let token: AccessToken | undefined;
  let writeCount = 0;
  const send = createOutboundPipeline({
    baseUrl,
    timeoutMs: options.timeoutMs ?? 30_000,
    countAs: () => 'graph',
    // Next to the wire: every attempt that writes, retries included.
    innermost: [
      {
        name: 'writeCounter',
        sendRequest(request, next) {
          if (request.method !== 'GET') writeCount += 1;
          return next(request);
        },
      },
    ],
    tokens: {
      async getAccessToken({ forceRefresh = false, abortSignal } = {}) {
        if (forceRefresh || !token || token.expiresOnTimestamp - TOKEN_RENEWAL_MS < Date.now()) {
          token = (await options.credential.getToken(scope, abortSignal ? { abortSignal } : {})) ?? undefined;
        }
        if (!token) {
          throw new RegistrationError('RegistrationFailed', `The sign-in gave no token for ${scope}.`);
        }
        return token.token;
      },
    },
    retry: {
      policy: retry,
      ...(options.logger ? { logger: options.logger } : {}),
      classify: (outcome) => {
        if (outcome.kind === 'error') {
          if (isTransientNetworkError(outcome.error)) {
            return {
              kind: 'retry',
              error: new RegistrationError('RegistrationFailed', `Graph: ${networkErrorCode(outcome.error)}.`, {
                cause: outcome.error,
              }),
            };
          }
          throw outcome.error;
        }
        const { response } = outcome;
        if (RETRIED_STATUSES.has(response.status)) {
          const retryAfterMs = parseRetryAfter(response.headers['retry-after']);
          const error = failure(response, 'read');
          return retryAfterMs === undefined ? { kind: 'retry', error } : { kind: 'retry', error, retryAfterMs };
        }
        return { kind: 'done', value: response };
      },
      giveUp: (event) =>
        new RegistrationError('RegistrationFailed', `${event.error.message} (${describeGiveUp(event, retry)})`, {
          cause: event.error,
        }),
    },
  });

  async function request(
    method: HttpMethod,
    pathOrUrl: string,
    body: unknown,
    headers: Readonly<Record<string, string>> = {},
  ): Promise<HttpResponse> {
    const url = pathOrUrl.startsWith('https://') ? pathOrUrl : `${baseUrl}${pathOrUrl}`;
    return send(
      createHttpRequest({
        url,
        method,
        headers: {
          Accept: 'application/json',
          ...(body === undefined ? {} : { 'Content-Type': 'application/json' }),
          ...headers,
        },
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      }),
    );
  }

  async function get(
    path: string,
    { role = 'read', missingOk = false }: { role?: RoleNeeded; missingOk?: boolean } = {},
  ): Promise<unknown> {
    const response = await request('GET', path, undefined);
    if (response.status === 404 && missingOk) return undefined;
    return answer(response, role);
  }

  return {
    get: get as AdminGraph['get'],
    async list(path, { role = 'read' } = {}) {
      const items: unknown[] = [];
      for (let next: string | undefined = path; next !== undefined;) {
        const page = await answer(await request('GET', next, undefined), role);
        if (!isRecord(page) || !Array.isArray(page.value)) {
          throw new RegistrationError(
            'RegistrationFailed',
            `Graph GET ${pathOf(next)} answered without a "value" array.`,
          );
        }
        items.push(...(page.value as unknown[]));
        next = typeof page['@odata.nextLink'] === 'string' ? page['@odata.nextLink'] : undefined;
      }
      return items;
    },
    async write(method, path, body, { role, headers }) {
      return answer(await request(method, path, body, headers), role);
    },
    writes: () => writeCount,
  };
}

/** A final answer's JSON body (undefined for 204), or the error that says what to fix. */
function answer(response: HttpResponse, role: RoleNeeded): unknown {
  if (response.status >= 200 && response.status < 300) {
    if (response.status === 204 || response.bodyAsText.trim() === '') return undefined;
    const body = jsonBody(response);
    if (!body.ok) {
      throw new RegistrationError(
        'RegistrationFailed',
        `Graph ${describe(response)} answered ${response.status} with a body that is not JSON.`,
      );
    }
    return body.value;
  }
  throw failure(response, role);
}

function failure(response: HttpResponse, role: RoleNeeded): RegistrationError {
  const { code, message } = graphError(response);
  const what = `Graph refused ${describe(response)} (${response.status} ${code})`;
  if (response.status === 403 || (response.status === 401 && code === 'Authorization_RequestDenied')) {
    return new RegistrationError(
      'RegistrationForbidden',
      `${what}: the signed-in account lacks the role. Sign in as ${ROLE_NEEDED[role]}, or ask one to run \`npm run register\`.`,
    );
  }
  return new RegistrationError(
    'RegistrationFailed',
    `${what}: ${message.slice(0, 300)} (${describeRequestIds(response.request, response.headers)}).`,
  );
}

function graphError(response: HttpResponse): { readonly code: string; readonly message: string } {
  const body = jsonBody(response);
  const error = body.ok && isRecord(body.value) && isRecord(body.value.error) ? body.value.error : undefined;
  return {
    code: typeof error?.code === 'string' ? error.code : 'no error code',
    message: typeof error?.message === 'string' ? error.message : 'no message',
  };
}

/** `POST /applications/{id}/addPassword`: the method and the path, without the query (it may be long). */
function describe(response: HttpResponse): string {
  return `${response.request.method} ${pathOf(response.request.url)}`;
}

function pathOf(url: string): string {
  try {
    return new URL(url, 'https://graph.invalid').pathname.replace(/^\/(v1\.0|beta)/, '');
  } catch {
    return url;
  }
}
