/**
 * The HTTP client MSAL uses for the authority's metadata (GET) and the token endpoint (POST), on the
 * outbound HTTP core (shared/http): it counts token requests, applies the per-request timeout and the
 * caller's abort, and retries 429/5xx, connection failures and truncated bodies itself, honouring
 * `Retry-After`.
 *
 * Retrying here rather than in MSAL matters: MSAL remembers any 429/5xx it sees and then fails every
 * later call for the same request without sending it (up to an hour without `Retry-After`). MSAL only
 * sees a transient failure's final answer, so a run recovers as soon as Entra ID does. When Entra ID
 * asks for a longer wait than the policy allows, that wait is remembered instead: token requests fail
 * without being sent until it has passed.
 *
 * MSAL swallows every failure of its metadata request (a bare `endpoints_resolution_error`), so the
 * client keeps the last one for the error message: a wrong tenant, an unreachable host.
 */
import { AuthError, ServerError } from '@azure/msal-node';
import type { INetworkModule, NetworkRequestOptions, NetworkResponse } from '@azure/msal-node';
import { DueNotifierError } from '../base/errors.js';
import { isRecord } from '../base/is-record.js';
import type { Logger } from '../base/logger.js';
import { jsonBody } from '../http/json-body.js';
import type { RequestMetrics } from '../http/metrics.js';
import { createOutboundPipeline } from '../http/outbound-pipeline.js';
import { createHttpRequest } from '../http/pipeline.js';
import type { HttpMethod, HttpRequest, HttpResponse } from '../http/pipeline.js';
import { describeGiveUp, isTransientNetworkError, networkErrorCode, parseRetryAfter } from '../http/retry.js';
import type { AttemptResult, RetryPolicy, Sleep } from '../http/retry.js';
import type { AttemptOutcome } from '../http/retry-policy.js';
import { RequestTimeoutError } from '../http/timeout-policy.js';

/**
 * Carries our error through MSAL, which passes `AuthError`s on unchanged and replaces anything else with
 * a bare `network_error`.
 */
export class EntraRequestError extends AuthError {
  readonly failure: DueNotifierError;

  constructor(failure: DueNotifierError) {
    super('entra_request_failed', '', failure.message);
    // AuthError resets the prototype to its own; restore ours (as MSAL's subclasses do).
    Object.setPrototypeOf(this, EntraRequestError.prototype);
    this.name = 'EntraRequestError';
    this.failure = failure;
  }
}

export interface MsalNetworkClientOptions {
  readonly timeoutMs: number;
  /** Each POST (a token request, retries included) is recorded as `token`; metadata GETs are not. */
  readonly metrics?: RequestMetrics;
  readonly logger?: Logger;
  readonly retry?: Partial<RetryPolicy>;
  readonly sleep?: Sleep;
  /** The abort signal of the token acquisition MSAL is working on, found by its correlation id. */
  readonly signalFor?: (correlationId: string | undefined) => AbortSignal | undefined;
  readonly clock?: () => number;
}

export interface MsalNetworkClient extends INetworkModule {
  /**
   * Why the last metadata (GET) request failed, if it did: Entra ID's answer as a `ServerError` (e.g.
   * AADSTS90002 for an unknown tenant) or a `DueNotifierError` for a transport failure.
   */
  lastMetadataFailure(): Error | undefined;
}

/** Up to 4 attempts, each wait at most 30 s, no wait started after a minute. */
export const DEFAULT_TOKEN_RETRY_POLICY: RetryPolicy = {
  maxAttempts: 4,
  baseDelayMs: 500,
  maxDelayMs: 30_000,
  budgetMs: 60_000,
};

const RETRIED_STATUSES = new Set([429, 500, 502, 503, 504]);

export function createMsalNetworkClient(options: MsalNetworkClientOptions): MsalNetworkClient {
  const { timeoutMs, signalFor, clock = (): number => Date.now() } = options;
  const policy: RetryPolicy = { ...DEFAULT_TOKEN_RETRY_POLICY, ...options.retry };
  /** Until when Entra ID asked us not to send token requests. */
  let notBefore = 0;
  let metadataFailure: Error | undefined;
  const pipeline = createOutboundPipeline({
    retry: {
      policy,
      classify,
      giveUp: (event, request) => {
        if (request.method === 'POST' && event.retryAfterMs !== undefined) {
          notBefore = clock() + event.retryAfterMs;
        }
        return new DueNotifierError(
          'EntraUnavailable',
          `${event.error.message} Token requests: ${describeGiveUp(event, policy)}.`,
          { cause: event.error },
        );
      },
      clock,
      ...(options.logger ? { logger: options.logger } : {}),
      ...(options.sleep ? { sleep: options.sleep } : {}),
    },
    timeoutMs,
    // Token requests count; the authority's metadata reads do not.
    countAs: (request) => (request.method === 'POST' ? 'token' : undefined),
    ...(options.metrics ? { metrics: options.metrics } : {}),
  });

  return {
    async sendGetRequestAsync<T>(
      url: string,
      requestOptions?: NetworkRequestOptions,
      timeout?: number,
    ): Promise<NetworkResponse<T>> {
      try {
        const response = await send<T>('GET', url, requestOptions, timeout);
        metadataFailure = response.status < 400 ? undefined : entraErrorOf(response);
        return response;
      } catch (error) {
        metadataFailure = error instanceof EntraRequestError ? error.failure : undefined;
        throw error;
      }
    },
    sendPostRequestAsync: <T>(url: string, requestOptions?: NetworkRequestOptions) =>
      send<T>('POST', url, requestOptions),
    lastMetadataFailure: () => metadataFailure,
  };

  async function send<T>(
    method: HttpMethod,
    url: string,
    requestOptions: NetworkRequestOptions | undefined,
    timeout?: number,
  ): Promise<NetworkResponse<T>> {
    const abortSignal = signalFor?.(requestOptions?.correlationId);
    try {
      if (method === 'POST' && clock() < notBefore) {
        throw new DueNotifierError(
          'EntraUnavailable',
          `${targetOf(method, url)} not sent: Entra ID asked to wait until ${new Date(notBefore).toISOString()}.`,
        );
      }
      const response = await pipeline(
        createHttpRequest({
          url,
          method,
          headers: { ...requestOptions?.headers },
          ...(method === 'POST' ? { body: requestOptions?.body ?? '' } : {}),
          ...(timeout ? { timeoutMs: timeout } : {}),
          ...(abortSignal ? { abortSignal } : {}),
        }),
      );
      // MSAL's INetworkModule contract: the body is the parsed JSON, typed by the caller.
      const body = jsonBody(response);
      return { status: response.status, headers: { ...response.headers }, body: (body.ok ? body.value : {}) as T };
    } catch (error) {
      throw error instanceof DueNotifierError ? new EntraRequestError(error) : error;
    }
  }

  /** Retries 429/5xx, connection failures and a 200 cut short; MSAL sees only the answer that counts. */
  function classify(outcome: AttemptOutcome, request: HttpRequest): AttemptResult<HttpResponse> {
    const target = targetOf(request.method, request.url);
    if (outcome.kind === 'error') {
      const { error } = outcome;
      if (request.abortSignal?.aborted) {
        throw error;
      }
      if (error instanceof RequestTimeoutError) {
        const failure = `${target} got no complete answer within ${error.timeoutMs} ms.`;
        return { kind: 'retry', error: new DueNotifierError('EntraUnavailable', failure, { cause: error }) };
      }
      const failure = new DueNotifierError(
        'EntraUnavailable',
        `${target} failed (${networkErrorCode(error)}). Check ENTRA_AUTHORITY_HOST and the network path to it.`,
        { cause: error },
      );
      if (isTransientNetworkError(error)) {
        return { kind: 'retry', error: failure };
      }
      throw failure;
    }
    const { response } = outcome;
    const { status } = response;
    if (RETRIED_STATUSES.has(status)) {
      const retryAfterMs = parseRetryAfter(response.headers['retry-after'], clock());
      const error = new DueNotifierError('EntraUnavailable', `${target} answered ${status}.`);
      return retryAfterMs === undefined ? { kind: 'retry', error } : { kind: 'retry', error, retryAfterMs };
    }
    if (status >= 300 && status < 400) {
      throw new DueNotifierError(
        'EntraUnavailable',
        `${target} answered with a redirect (${status}), which is not followed. Check ENTRA_AUTHORITY_HOST.`,
      );
    }
    const body = jsonBody(response);
    if (!body.ok) {
      const failure = new DueNotifierError(
        'EntraUnavailable',
        `${target} answered ${status} with a body that is not complete JSON.`,
        { cause: body.error },
      );
      if (status === 200) {
        // Most often a body cut short: the request is safe to repeat.
        return { kind: 'retry', error: failure };
      }
      throw failure;
    }
    return { kind: 'done', value: response };
  }
}

function targetOf(method: HttpMethod, href: string): string {
  const url = new URL(href);
  return `Entra ID ${method} ${url.origin}${url.pathname}`;
}

/** Entra ID's error answer (`{ error, error_description, error_codes }`) as MSAL would have raised it. */
function entraErrorOf(response: NetworkResponse<unknown>): ServerError {
  const body = isRecord(response.body) ? response.body : {};
  const text = (name: string): string | undefined => (typeof body[name] === 'string' ? body[name] : undefined);
  const codes = Array.isArray(body.error_codes) ? body.error_codes : [];
  const errorNo = codes[0] === undefined ? undefined : String(codes[0]);
  return new ServerError(
    text('error') ?? 'metadata_request_failed',
    text('correlation_id') ?? '',
    text('error_description'),
    undefined,
    errorNo,
    response.status,
  );
}
