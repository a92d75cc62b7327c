/**
 * Microsoft Graph client for SharePoint list items: yields the items page by page (never the whole
 * collection in memory), follows `@odata.nextLink` verbatim, retries throttling and transient failures,
 * and sends the access token to the configured Graph origin only.
 *
 * The `$filter` runs server side on the due-date column, which must be indexed in the list: SharePoint
 * refuses filters on unindexed columns (400) and this client deliberately does not send
 * `Prefer: HonorNonIndexedQueriesWarningMayFailRandomly`, whose results may be incomplete.
 */
import { randomUUID } from 'node:crypto';
import fetchImpl from 'node-fetch';
import type { GraphTokenProvider } from './auth.js';
import { DueNotifierError } from '../base/errors.js';
import type { DueNotifierErrorCode } from '../base/errors.js';
import { isRecord } from '../base/is-record.js';
import {
  describeGiveUp,
  formatDelay,
  isTransientNetworkError,
  networkErrorCode,
  parseRetryAfter,
  retryTransientFailures,
} from '../http/retry.js';
import type { AttemptResult, Fetch, RetryPolicy, Sleep, TransientFailure } from '../http/retry.js';
import type { Logger } from '../base/logger.js';
import type { RequestMetrics } from '../http/metrics.js';

export interface GraphListItem {
  readonly id: string;
  readonly fields: Readonly<Record<string, unknown>>;
}

export interface ListItemsQuery {
  readonly siteId: string;
  readonly listId: string;
  /** Internal names of the columns to read (`$expand=fields($select=...)`). */
  readonly fields: readonly string[];
  /** OData `$filter` on indexed columns, e.g. `fields/DueDate ge '2026-12-01T00:00:00Z'`. */
  readonly filter?: string;
  /** Items per page (`$top`), 1..5000; default {@link DEFAULT_PAGE_SIZE}. */
  readonly top?: number;
  readonly abortSignal?: AbortSignal;
}

export interface GraphClient {
  /** One page of items per iteration, in Graph's order; a page may be empty. */
  listItems(query: ListItemsQuery): AsyncIterable<readonly GraphListItem[]>;
}

export interface GraphClientOptions {
  /** Graph endpoint, e.g. `https://graph.microsoft.com/v1.0`: the only place the token is sent. */
  readonly baseUrl: string;
  readonly tokens: GraphTokenProvider;
  /** Per request: from sending it to having read the whole body. */
  readonly timeoutMs: number;
  readonly metrics?: RequestMetrics;
  readonly logger?: Logger;
  readonly fetch?: Fetch;
  readonly retry?: Partial<RetryPolicy>;
  readonly sleep?: Sleep;
}

/**
 * Graph's default page for list items is 200 and larger pages are reportedly capped at 5000 (the list
 * view threshold). Every request costs throttling resource units whatever its size, so larger pages mean
 * fewer requests and less throttling; 1000 keeps a page's latency, memory and the cost of re-reading a
 * failed page modest.
 */
export const DEFAULT_PAGE_SIZE = 1000;
const MAX_PAGE_SIZE = 5000;

/**
 * 429/503/504 are retried up to 6 attempts, each wait at most 60 s, and no wait is started once 2 minutes
 * have passed on one page, so that a run stays well inside the Functions timeout.
 */
export const DEFAULT_GRAPH_RETRY_POLICY: RetryPolicy = {
  maxAttempts: 6,
  baseDelayMs: 1_000,
  maxDelayMs: 60_000,
  budgetMs: 120_000,
};

const RETRIED_STATUSES = new Set([429, 503, 504]);
const MAX_GRAPH_MESSAGE_LENGTH = 300;

interface ListItemsPage {
  readonly items: readonly GraphListItem[];
  readonly nextLink?: string;
}

export function createGraphClient(options: GraphClientOptions): GraphClient {
  const { tokens, timeoutMs, metrics, logger, fetch = fetchImpl, sleep } = options;
  const base = new URL(options.baseUrl);
  const basePath = base.pathname.replace(/\/+$/, '');
  const policy: RetryPolicy = { ...DEFAULT_GRAPH_RETRY_POLICY, ...options.retry };

  return {
    listItems(query) {
      return iteratePages(query);
    },
  };

  async function* iteratePages(query: ListItemsQuery): AsyncGenerator<readonly GraphListItem[]> {
    const visited = new Set<string>();
    let url: string | undefined = firstPageUrl(query);
    while (url !== undefined) {
      if (visited.has(url)) {
        throw new DueNotifierError(
          'GraphResponseInvalid',
          `Graph returned an @odata.nextLink that was already read (${describeUrl(new URL(url))}); stopping to avoid an endless loop.`,
        );
      }
      visited.add(url);
      const page = await getPage(url, query.abortSignal);
      yield page.items;
      url = page.nextLink;
    }
  }

  function firstPageUrl(query: ListItemsQuery): string {
    const top = query.top ?? DEFAULT_PAGE_SIZE;
    if (!Number.isInteger(top) || top < 1 || top > MAX_PAGE_SIZE) {
      throw new RangeError(`top must be an integer from 1 to ${MAX_PAGE_SIZE}, got ${top}.`);
    }
    const expand = query.fields.length > 0 ? `fields($select=${query.fields.join(',')})` : 'fields';
    // Only the item id besides the fields: the item's own properties (eTag, webUrl, createdBy, ...)
    // would otherwise double the bytes of every page.
    const parameters = ['$select=id', `$expand=${encodeURIComponent(expand)}`];
    if (query.filter !== undefined) {
      parameters.push(`$filter=${encodeURIComponent(query.filter)}`);
    }
    parameters.push(`$top=${top}`);
    const path = `/sites/${encodeURIComponent(query.siteId)}/lists/${encodeURIComponent(query.listId)}/items`;
    return `${base.origin}${basePath}${path}?${parameters.join('&')}`;
  }

  /** The token goes to the configured Graph origin and path only: checked before every request. */
  function trustedUrl(href: string): URL {
    let url: URL;
    try {
      url = new URL(href);
    } catch (error) {
      throw new DueNotifierError(
        'UntrustedGraphUrl',
        'Graph returned a paging link that is not an absolute URL; no request was sent.',
        { cause: error },
      );
    }
    const underBase = url.pathname === basePath || url.pathname.startsWith(`${basePath}/`);
    if (url.origin !== base.origin || !underBase || url.username !== '' || url.password !== '') {
      throw new DueNotifierError(
        'UntrustedGraphUrl',
        `Refusing to send the Graph access token to ${url.origin}${url.pathname}: only URLs under ${base.origin}${basePath} (GRAPH_BASE_URL) are trusted. No request was sent.`,
      );
    }
    return url;
  }

  async function getPage(href: string, abortSignal: AbortSignal | undefined): Promise<ListItemsPage> {
    const url = trustedUrl(href);
    let refreshToken = false;
    let tokenRefreshed = false;
    return retryTransientFailures<ListItemsPage>(
      async () => {
        const token = await tokens.getAccessToken({ abortSignal, forceRefresh: refreshToken });
        tokenRefreshed ||= refreshToken;
        refreshToken = false;
        const response = await send(url, token, abortSignal);
        if (response.kind === 'retry') {
          return response;
        }
        if (response.status === 401 && !tokenRefreshed) {
          // The cached token may have been revoked or be otherwise stale: one fresh token, at once.
          refreshToken = true;
          return {
            kind: 'retry',
            error: requestFailed('GraphRequestFailed', url, response, 'Graph refused the access token'),
            retryAfterMs: 0,
          };
        }
        return interpret(url, response);
      },
      {
        policy,
        abortSignal,
        sleep,
        onRetry: ({ attempt, delayMs, error }) =>
          logger?.warn(
            `${error.message} Retrying in ${formatDelay(delayMs)} (attempt ${attempt + 1} of ${policy.maxAttempts}).`,
          ),
        giveUp: (event) => {
          const code: DueNotifierErrorCode =
            event.error instanceof DueNotifierError ? event.error.code : 'GraphUnavailable';
          return new DueNotifierError(code, `${event.error.message} Graph: ${describeGiveUp(event, policy)}.`, {
            cause: event.error,
          });
        },
      },
    );
  }

  async function send(
    url: URL,
    token: string,
    abortSignal: AbortSignal | undefined,
  ): Promise<GraphResponse | TransientFailure> {
    const clientRequestId = randomUUID();
    const timeout = AbortSignal.timeout(timeoutMs);
    const signal = abortSignal ? AbortSignal.any([abortSignal, timeout]) : timeout;
    metrics?.record('graph');
    try {
      const response = await fetch(url.href, {
        headers: { Authorization: `Bearer ${token}`, Accept: 'application/json', 'client-request-id': clientRequestId },
        // A redirect would carry the token elsewhere: never followed.
        redirect: 'manual',
        signal,
      });
      const body = await response.text();
      return {
        kind: 'response',
        status: response.status,
        body,
        retryAfter: response.headers.get('retry-after'),
        requestIds: `client-request-id ${clientRequestId}, request-id ${response.headers.get('request-id') ?? 'none'}`,
      };
    } catch (error) {
      if (abortSignal?.aborted) {
        throw abortSignal.reason;
      }
      const target = `Graph GET ${describeUrl(url)} (client-request-id ${clientRequestId})`;
      if (timeout.aborted) {
        return {
          kind: 'retry',
          error: new DueNotifierError('GraphUnavailable', `${target} got no complete answer within ${timeoutMs} ms.`, {
            cause: error,
          }),
        };
      }
      if (isTransientNetworkError(error)) {
        return {
          kind: 'retry',
          error: new DueNotifierError('GraphUnavailable', `${target} failed (${networkErrorCode(error)}).`, {
            cause: error,
          }),
        };
      }
      throw new DueNotifierError(
        'GraphUnavailable',
        `${target} failed: ${networkErrorCode(error)}. Check GRAPH_BASE_URL and the network path to Graph.`,
        { cause: error },
      );
    }
  }
}

interface GraphResponse {
  readonly kind: 'response';
  readonly status: number;
  readonly body: string;
  readonly retryAfter: string | null;
  /** Correlation ids Microsoft support asks for. */
  readonly requestIds: string;
}

function interpret(url: URL, response: GraphResponse): AttemptResult<ListItemsPage> {
  const { status } = response;
  if (status === 200) {
    let body: unknown;
    try {
      body = JSON.parse(response.body);
    } catch (error) {
      // Most often a body cut short: the request is safe to repeat.
      return {
        kind: 'retry',
        error: new DueNotifierError(
          'GraphResponseInvalid',
          `Graph GET ${describeUrl(url)} answered 200 with a body that is not complete JSON (${response.requestIds}).`,
          { cause: error },
        ),
      };
    }
    return { kind: 'done', value: parsePage(url, body) };
  }
  if (RETRIED_STATUSES.has(status)) {
    const code: DueNotifierErrorCode = status === 429 ? 'GraphThrottled' : 'GraphUnavailable';
    const retryAfterMs = parseRetryAfter(response.retryAfter);
    return {
      kind: 'retry',
      error: requestFailed(
        code,
        url,
        response,
        status === 429 ? 'Graph is throttling the app' : 'Graph is unavailable',
      ),
      retryAfterMs,
    };
  }
  if (status === 401) {
    throw requestFailed(
      'GraphRequestFailed',
      url,
      response,
      'Graph refused a freshly issued access token; check that ENTRA_AUTHORITY_HOST and GRAPH_BASE_URL belong to the same cloud',
    );
  }
  if (status === 403) {
    throw requestFailed(
      'GraphAccessDenied',
      url,
      response,
      'Graph denied access to the list. Fix: grant the app registration the application permission Sites.Read.All (or Sites.Selected plus a grant on this site) and have an administrator grant admin consent; a delegated permission does not work for a daemon',
    );
  }
  if (status >= 300 && status < 400) {
    throw requestFailed(
      'GraphRequestFailed',
      url,
      response,
      'Graph answered with a redirect, which is not followed so that the token stays with Graph',
    );
  }
  const error = graphError(response.body);
  if (status === 400 && /not indexed|HonorNonIndexedQueries/i.test(error.message)) {
    throw requestFailed(
      'GraphRequestFailed',
      url,
      response,
      'Graph refused the filter on an unindexed column. Fix: index the due-date column (List settings > Indexed columns)',
    );
  }
  throw requestFailed('GraphRequestFailed', url, response, 'Graph refused the request');
}

function parsePage(url: URL, body: unknown): ListItemsPage {
  const invalid = (what: string): DueNotifierError =>
    new DueNotifierError('GraphResponseInvalid', `Graph GET ${describeUrl(url)} answered 200 but ${what}.`);
  if (!isRecord(body) || !Array.isArray(body.value)) {
    throw invalid('the body has no "value" array');
  }
  const nextLink = body['@odata.nextLink'];
  if (nextLink !== undefined && typeof nextLink !== 'string') {
    throw invalid('"@odata.nextLink" is not a string');
  }
  const items = body.value.map((item: unknown, index): GraphListItem => {
    if (!isRecord(item) || typeof item.id !== 'string' || !isRecord(item.fields)) {
      throw invalid(`item ${index} lacks a string "id" or an object "fields"`);
    }
    return { id: item.id, fields: item.fields };
  });
  return nextLink === undefined ? { items } : { items, nextLink };
}

function requestFailed(
  code: DueNotifierErrorCode,
  url: URL,
  response: GraphResponse,
  summary: string,
): DueNotifierError {
  const error = graphError(response.body);
  const detail =
    error.code || error.message ? ` Graph said: ${[error.code, error.message].filter(Boolean).join(': ')}.` : '';
  return new DueNotifierError(
    code,
    `${summary}. Graph GET ${describeUrl(url)} answered ${response.status} (${response.requestIds}).${detail}`,
  );
}

/** Graph's `{ error: { code, message } }`, with the message shortened. */
export function graphError(body: string): { code: string; message: string } {
  try {
    const parsed: unknown = JSON.parse(body);
    const error = isRecord(parsed) && isRecord(parsed.error) ? parsed.error : {};
    const code = typeof error.code === 'string' ? error.code : '';
    const message = typeof error.message === 'string' ? error.message.slice(0, MAX_GRAPH_MESSAGE_LENGTH) : '';
    return { code, message };
  } catch {
    return { code: '', message: '' };
  }
}

/** Origin and path only: the query adds nothing a reader needs and can be long. */
function describeUrl(url: URL): string {
  return `${url.origin}${url.pathname}`;
}
