/**
 * What Graph's answers to list reads mean: which are retried (throttling, an unavailable service, a
 * body cut short), the page in a 200, and an error that says what to fix for the others.
 */
import { DueNotifierError } from '../base/errors.js';
import type { DueNotifierErrorCode } from '../base/errors.js';
import { isRecord } from '../base/is-record.js';
import { describeRequestIds } from '../http/client-request-id-policy.js';
import { jsonBody } from '../http/json-body.js';
import type { HttpResponse } from '../http/pipeline.js';
import { parseRetryAfter } from '../http/retry.js';
import type { AttemptResult } from '../http/retry.js';
import type { ListItem } from '../reminders/rules.js';

const RETRIED_STATUSES = new Set([429, 503, 504]);
const MAX_GRAPH_MESSAGE_LENGTH = 300;
/** Graph's 404 `itemNotFound` for a site (rather than a list) says "site". */
const SITE_NOT_FOUND = /\bsite\b/i;
/** Graph's 400 for a column the list does not have (`Column 'X' does not exist`, `Field 'X' is not recognized`). */
const UNKNOWN_COLUMN = /\b(column|field)\b.*\b(does not exist|not recognized|not found)/i;

export interface ListItemsPage {
  readonly items: readonly ListItem[];
  readonly nextLink?: string;
}

export function retry(code: DueNotifierErrorCode, message: string, cause: unknown): AttemptResult<never> {
  return { kind: 'retry', error: new DueNotifierError(code, message, { cause }) };
}

/** Retries what may pass: throttling, an unavailable service, a 200 whose body was cut short. */
export function classifyResponse(response: HttpResponse): AttemptResult<HttpResponse> {
  const { status } = response;
  const body = status === 200 ? jsonBody(response) : undefined;
  if (body?.ok === false) {
    // Most often a body cut short: the request is safe to repeat.
    return retry(
      'GraphResponseInvalid',
      `Graph GET ${describeHref(response.request.url)} answered 200 with a body that is not complete JSON (${requestIdsOf(response)}).`,
      body.error,
    );
  }
  if (RETRIED_STATUSES.has(status)) {
    const failure = requestFailed(
      status === 429 ? 'GraphThrottled' : 'GraphUnavailable',
      response,
      status === 429 ? 'Graph is throttling the app' : 'Graph is unavailable',
    );
    const retryAfterMs = parseRetryAfter(response.headers['retry-after']);
    return retryAfterMs === undefined
      ? { kind: 'retry', error: failure }
      : { kind: 'retry', error: failure, retryAfterMs };
  }
  return { kind: 'done', value: response };
}

/** The page in a final answer, or the error that says why there is none. */
export function interpret(response: HttpResponse): ListItemsPage {
  const { status } = response;
  const body = jsonBody(response);
  if (status === 200 && body.ok) {
    return parsePage(response.request.url, body.value);
  }
  if (status === 401) {
    // The bearer token policy has already tried a fresh token.
    throw requestFailed(
      'GraphRequestFailed',
      response,
      'Graph refused a freshly issued access token; check that ENTRA_AUTHORITY_HOST and GRAPH_BASE_URL belong to the same cloud',
    );
  }
  if (status === 403) {
    throw requestFailed(
      'GraphAccessDenied',
      response,
      'Graph denied access to the list: the app lacks the application permission Sites.Read.All (or Sites.Selected plus a grant on this site) with admin consent. Fix: `npm run register` as an administrator (or grant it by hand); a delegated permission does not work for a daemon',
    );
  }
  if (status >= 300 && status < 400) {
    throw requestFailed(
      'GraphRequestFailed',
      response,
      'Graph answered with a redirect, which is not followed so that the token stays with Graph. Check GRAPH_BASE_URL',
    );
  }
  const error = graphError(response.bodyAsText);
  if (status === 400 && /not indexed|HonorNonIndexedQueries/i.test(error.message)) {
    throw requestFailed(
      'GraphRequestFailed',
      response,
      'Graph refused the filter on an unindexed column. Fix: index the due-date column (List settings > Indexed columns), or check LIST_COLUMN_DUE_DATE',
    );
  }
  if (status === 404 && error.code === 'itemNotFound') {
    throw requestFailed(
      'GraphRequestFailed',
      response,
      SITE_NOT_FOUND.test(error.message)
        ? 'Graph found no such site. Check OBLIGATIONS_SITE_ID ({hostname},{siteCollectionId},{webId})'
        : 'Graph found no such list on the site. Check OBLIGATIONS_LIST_ID (the list id or title) and OBLIGATIONS_SITE_ID',
    );
  }
  if (status === 400 && UNKNOWN_COLUMN.test(error.message)) {
    throw requestFailed(
      'GraphRequestFailed',
      response,
      "Graph does not know a column the daemon asked for. Check the LIST_COLUMN_* settings: each is a column's internal name (List settings > the column > Field= in the address)",
    );
  }
  throw requestFailed(
    'GraphRequestFailed',
    response,
    'Graph refused the request. Check GRAPH_BASE_URL, OBLIGATIONS_SITE_ID, OBLIGATIONS_LIST_ID and the LIST_COLUMN_* settings',
  );
}

function parsePage(href: string, body: unknown): ListItemsPage {
  const invalid = (what: string): DueNotifierError =>
    new DueNotifierError('GraphResponseInvalid', `Graph GET ${describeHref(href)} answered 200 but ${what}.`);
  if (!isRecord(body) || !Array.isArray(body.value)) {
    throw invalid('the body has no "value" array');
  }
  const nextLink = body['@odata.nextLink'];
  if (nextLink !== undefined && typeof nextLink !== 'string') {
    throw invalid('"@odata.nextLink" is not a string');
  }
  const items = body.value.map((item: unknown, index): ListItem => {
    if (!isRecord(item) || typeof item.id !== 'string' || !isRecord(item.fields)) {
      throw invalid(`item ${index} lacks a string "id" or an object "fields"`);
    }
    return { id: item.id, fields: item.fields };
  });
  return nextLink === undefined ? { items } : { items, nextLink };
}

function requestFailed(code: DueNotifierErrorCode, response: HttpResponse, summary: string): DueNotifierError {
  const error = graphError(response.bodyAsText);
  const detail =
    error.code || error.message ? ` Graph said: ${[error.code, error.message].filter(Boolean).join(': ')}.` : '';
  return new DueNotifierError(
    code,
    `${summary}. Graph GET ${describeHref(response.request.url)} answered ${response.status} (${requestIdsOf(response)}).${detail}`,
  );
}

/** Correlation ids Microsoft support asks for. */
function requestIdsOf(response: HttpResponse): string {
  return describeRequestIds(response.request, response.headers);
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
export function describeHref(href: string): string {
  const url = new URL(href);
  return `${url.origin}${url.pathname}`;
}
