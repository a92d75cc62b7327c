/**
 * Microsoft Graph client for SharePoint list items: yields the items page by page (never the whole
 * collection in memory), follows `@odata.nextLink` verbatim, retries throttling and transient failures,
 * and sends the access token to the configured Graph origin only.
 *
 * The `$filter` runs server side on the due-date column, which must be indexed in the list: SharePoint
 * refuses filters on unindexed columns (400) and this client deliberately does not send
 * `Prefer: HonorNonIndexedQueriesWarningMayFailRandomly`, whose results may be incomplete.
 */
import { DueNotifierError } from '../base/errors.js';
import type { DueNotifierErrorCode } from '../base/errors.js';
import type { Logger } from '../base/logger.js';
import { inSpan } from '../base/telemetry.js';
import type { AccessTokenSource } from '../http/bearer-token-policy.js';
import { TokenUnavailableError } from '../http/bearer-token-policy.js';
import { describeRequestIds } from '../http/client-request-id-policy.js';
import type { RequestMetrics } from '../http/metrics.js';
import { UntrustedUrlError, baseOf } from '../http/origin-pinning-policy.js';
import { createOutboundPipeline } from '../http/outbound-pipeline.js';
import { createHttpRequest } from '../http/pipeline.js';
import type { HttpRequest, HttpResponse } from '../http/pipeline.js';
import { describeGiveUp, formatDelay, isTransientNetworkError, networkErrorCode } from '../http/retry.js';
import type { AttemptResult, RetryPolicy, Sleep } from '../http/retry.js';
import type { AttemptOutcome } from '../http/retry-policy.js';
import { PauseBeyondDeadlineError } from '../http/throttle-pauses.js';
import type { ThrottlePauses } from '../http/throttle-pauses.js';
import { RequestTimeoutError } from '../http/timeout-policy.js';
import type { ListItem } from '../reminders/rules.js';
import { classifyResponse, describeHref, interpret, retry } from './graph-answers.js';
import type { ListItemsPage } from './graph-answers.js';

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
  /** Epoch ms (the run's time budget): no retry wait or throttle pause is started that would pass it. */
  readonly deadline?: number;
}

export interface GraphClient {
  /** One page of items per iteration, in Graph's order; a page may be empty. */
  listItems(query: ListItemsQuery): AsyncIterable<readonly ListItem[]>;
}

/** What every client of Graph is built with (the list reader here, the mailer in shared/delivery). */
export interface GraphServiceOptions {
  /** Graph endpoint, e.g. `https://graph.microsoft.com/v1.0` (https): the only place the token is sent. */
  readonly baseUrl: string;
  readonly tokens: AccessTokenSource;
  /** Per request: from sending it (connecting) to having read the whole answer. */
  readonly timeoutMs: number;
  /** Every request is recorded as `graph`. */
  readonly metrics?: RequestMetrics;
  readonly logger?: Logger;
  readonly retry?: Partial<RetryPolicy>;
  readonly sleep?: Sleep;
  /** Throttle pauses shared by the app's Graph clients: a 429 to one holds all; without it, none shared. */
  readonly throttle?: ThrottlePauses;
}

export type GraphClientOptions = GraphServiceOptions;

/**
 * Graph's default page for list items is 200 and larger pages are reportedly capped at 5000 (the list
 * view threshold). Every request costs throttling resource units whatever its size, so larger pages mean
 * fewer requests and less throttling; 1000 keeps a page's latency, memory and the cost of re-reading a
 * failed page modest.
 */
export const DEFAULT_PAGE_SIZE = 1000;
export const MAX_PAGE_SIZE = 5000;

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

export function createGraphClient(options: GraphClientOptions): GraphClient {
  const { timeoutMs } = options;
  const base = baseOf(options.baseUrl);
  const policy: RetryPolicy = { ...DEFAULT_GRAPH_RETRY_POLICY, ...options.retry };
  const send = createOutboundPipeline({
    baseUrl: options.baseUrl,
    retry: {
      policy,
      classify,
      giveUp: (event) => {
        const code: DueNotifierErrorCode =
          event.error instanceof DueNotifierError ? event.error.code : 'GraphUnavailable';
        return new DueNotifierError(code, `${event.error.message} Graph: ${describeGiveUp(event, policy)}.`, {
          cause: event.error,
        });
      },
      ...(options.logger ? { logger: options.logger } : {}),
      ...(options.sleep ? { sleep: options.sleep } : {}),
    },
    tokens: options.tokens,
    timeoutMs,
    countAs: () => 'graph',
    ...(options.throttle ? { throttle: options.throttle } : {}),
    ...(options.metrics ? { metrics: options.metrics } : {}),
  });

  return {
    listItems(query) {
      return iteratePages(query);
    },
  };

  async function* iteratePages(query: ListItemsQuery): AsyncGenerator<readonly ListItem[]> {
    const visited = new Set<string>();
    let url: string | undefined = firstPageUrl(query);
    while (url !== undefined) {
      if (visited.has(url)) {
        throw new DueNotifierError(
          'GraphResponseInvalid',
          `Graph returned an @odata.nextLink that was already read (${describeHref(url)}); stopping to avoid an endless loop.`,
        );
      }
      visited.add(url);
      const page = await getPage(url, query);
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
    return `${base.origin}${base.path}${path}?${parameters.join('&')}`;
  }

  function getPage(href: string, query: ListItemsQuery): Promise<ListItemsPage> {
    return inSpan('graph.list_items.page', {}, async (span) => {
      const page = await fetchPage(href, query);
      span.setAttributes({
        'due_notifier.items': page.items.length,
        'due_notifier.has_next_page': page.nextLink !== undefined,
      });
      return page;
    });
  }

  async function fetchPage(href: string, query: ListItemsQuery): Promise<ListItemsPage> {
    const request = createHttpRequest({
      url: href,
      headers: { Accept: 'application/json' },
      ...(query.abortSignal ? { abortSignal: query.abortSignal } : {}),
      ...(query.deadline === undefined ? {} : { deadline: query.deadline }),
    });
    let response: HttpResponse;
    try {
      response = await send(request);
    } catch (error) {
      throw refusal(error);
    }
    return interpret(response);
  }

  /** Why no answer came, in the client's terms; the caller's abort and token errors pass as they are. */
  function refusal(error: unknown): unknown {
    if (error instanceof TokenUnavailableError) {
      return error.cause;
    }
    if (error instanceof UntrustedUrlError) {
      return new DueNotifierError(
        'UntrustedGraphUrl',
        error.reason === 'notAbsolute'
          ? 'Graph returned a paging link that is not an absolute URL; no request was sent.'
          : `Refusing to send the Graph access token to ${error.target}: only URLs under ${base.origin}${base.path} (GRAPH_BASE_URL) are trusted. No request was sent.`,
        { cause: error },
      );
    }
    if (error instanceof PauseBeyondDeadlineError) {
      return new DueNotifierError(
        'GraphThrottled',
        `Graph asked the app to pause for another ${formatDelay(error.waitMs)}, past the run's deadline; the page was not requested again.`,
        { cause: error },
      );
    }
    return error;
  }

  function classify(outcome: AttemptOutcome, request: HttpRequest): AttemptResult<HttpResponse> {
    if (outcome.kind === 'response') {
      return classifyResponse(outcome.response);
    }
    const { error } = outcome;
    // Not the transport's failures: the caller's abort, no token, a pause past the deadline.
    const notSent = error instanceof TokenUnavailableError || error instanceof PauseBeyondDeadlineError;
    if (request.abortSignal?.aborted || notSent || !(error instanceof Error)) {
      throw error;
    }
    const target = `Graph GET ${describeHref(request.url)} (${describeRequestIds(request)})`;
    if (error instanceof RequestTimeoutError) {
      return retry('GraphUnavailable', `${target} got no complete answer within ${timeoutMs} ms.`, error);
    }
    if (isTransientNetworkError(error)) {
      return retry('GraphUnavailable', `${target} failed (${networkErrorCode(error)}).`, error);
    }
    throw new DueNotifierError(
      'GraphUnavailable',
      `${target} failed: ${networkErrorCode(error)}. Check GRAPH_BASE_URL and the network path to Graph.`,
      { cause: error },
    );
  }
}
