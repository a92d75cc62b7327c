/**
 * Sends mail as the app through Microsoft Graph: `POST {GRAPH_BASE_URL}/users/{sender}/sendMail`
 * (application permission Mail.Send), 202 Accepted on success.
 *
 * sendMail is not idempotent, so every failure is classified by what it says about delivery:
 * - `notSent`: Graph answered without accepting the message (429, 5xx but 504, 401, 403, 404), or the
 *   connection was never established (refused, DNS, TLS, a timeout while connecting). Safe to repeat;
 *   429/500/502/503/408 and connection failures are retried here first, honouring `Retry-After`.
 * - `rejected`: Graph refused this message (400 invalid recipient, 413, ...): repeating will not help.
 * - `unknown`: the request left (the TLS connection was up) but no answer came (timeout, reset), or
 *   the gateway timed out (504): Graph may have accepted it. Never retried here.
 * Each request goes over its own connection so that "did the request leave?" has an answer.
 */
import { randomUUID } from 'node:crypto';
import { Agent } from 'node:https';
import type { RequestOptions } from 'node:https';
import type { Duplex } from 'node:stream';
import fetch from 'node-fetch';
import { DueNotifierError } from '../base/errors.js';
import type { GraphTokenProvider } from '../clients/auth.js';
import { graphError } from '../clients/graph.js';
import {
  describeGiveUp,
  formatDelay,
  networkErrorCode,
  parseRetryAfter,
  retryTransientFailures,
} from '../http/retry.js';
import type { AttemptResult, RetryPolicy, Sleep } from '../http/retry.js';
import type { Logger } from '../base/logger.js';
import type { RequestMetrics } from '../http/metrics.js';

export interface MailRecipient {
  readonly address: string;
  readonly name?: string;
}

export interface OutgoingMail {
  /** Plain text, one line. */
  readonly subject: string;
  /** The body, sent as HTML. */
  readonly html: string;
  readonly to: MailRecipient;
  /** Custom internet message headers; Graph accepts only names starting with `x-`. */
  readonly headers?: Readonly<Record<string, string>>;
}

export interface SendMailOptions {
  /** User principal name or object id of the mailbox the mail is sent from. */
  readonly sender: string;
  /** Keep a copy in the sender's Sent Items. */
  readonly saveToSentItems: boolean;
  /** Ends the send: before the request left it counts as not sent, after it as unknown. */
  readonly abortSignal?: AbortSignal;
}

export type SendMailResult =
  | { readonly kind: 'sent'; readonly requestIds: string; readonly attempts: number }
  | { readonly kind: 'notSent'; readonly error: MailError }
  | { readonly kind: 'rejected'; readonly error: MailError }
  | { readonly kind: 'unknown'; readonly error: MailError };

export type MailErrorCode =
  | 'MailThrottled'
  | 'MailServiceUnavailable'
  | 'MailConnectionFailed'
  | 'MailTokenUnavailable'
  | 'MailTokenRejected'
  | 'MailAccessDenied'
  | 'MailboxNotFound'
  | 'MailRequestFailed'
  | 'MailRejected'
  | 'MailOutcomeUnknown'
  | 'MailAborted';

export class MailError extends DueNotifierError<MailErrorCode> {
  /** Graph's HTTP status, when it answered. */
  readonly status?: number;
  /** Graph's error code, e.g. `ErrorInvalidRecipients`. */
  readonly graphCode?: string;

  constructor(
    code: MailErrorCode,
    message: string,
    options: { readonly status?: number; readonly graphCode?: string; readonly cause?: unknown } = {},
  ) {
    super(code, message, { cause: options.cause });
    if (options.status !== undefined) this.status = options.status;
    if (options.graphCode !== undefined) this.graphCode = options.graphCode;
  }
}

export interface Mailer {
  sendMail(mail: OutgoingMail, options: SendMailOptions): Promise<SendMailResult>;
}

export interface MailerOptions {
  /** Graph endpoint, e.g. `https://graph.microsoft.com/v1.0` (https only). */
  readonly baseUrl: string;
  readonly tokens: GraphTokenProvider;
  /** Per request: from connecting to having read the answer. */
  readonly timeoutMs: number;
  /** Each sendMail request is recorded as `graph`. */
  readonly metrics?: RequestMetrics;
  readonly logger?: Logger;
  readonly retry?: Partial<RetryPolicy>;
  readonly sleep?: Sleep;
}

/**
 * Up to 4 attempts for answers that say "not sent", each wait at most 30 s, none started after 60 s:
 * the queue retries later anyway, and a delivery must finish well within its claim on the reminder.
 */
export const DEFAULT_MAIL_RETRY_POLICY: RetryPolicy = {
  maxAttempts: 4,
  baseDelayMs: 1_000,
  maxDelayMs: 30_000,
  budgetMs: 60_000,
};

/** Answers that mean Graph did not take the message, and that may pass. */
const RETRIED_STATUSES = new Set([408, 429, 500, 502, 503]);
/** Anything that looks like an e-mail address in Graph's messages (they quote recipients). */
const ADDRESS_LIKE = /[^\s'"<>(),;:]+@[^\s'"<>(),;:]+/g;

type Exchange =
  | {
      readonly kind: 'response';
      readonly status: number;
      readonly body: string;
      readonly retryAfter: string | null;
      readonly requestIds: string;
    }
  | {
      readonly kind: 'noResponse';
      readonly requestLeft: boolean;
      readonly timedOut: boolean;
      readonly error: unknown;
      readonly requestIds: string;
    };

export function createMailer(options: MailerOptions): Mailer {
  const { tokens, timeoutMs, metrics, logger, sleep } = options;
  const base = new URL(options.baseUrl);
  if (base.protocol !== 'https:') {
    throw new RangeError(`The Graph base URL must be https, got ${base.protocol}.`);
  }
  const basePath = base.pathname.replace(/\/+$/, '');
  const policy: RetryPolicy = { ...DEFAULT_MAIL_RETRY_POLICY, ...options.retry };

  return {
    async sendMail(mail, sendOptions) {
      const { abortSignal } = sendOptions;
      const url = `${base.origin}${basePath}/users/${encodeURIComponent(sendOptions.sender)}/sendMail`;
      const target = `Graph POST ${base.origin}${basePath}/users/{sender}/sendMail`;
      const body = JSON.stringify(sendMailBody(mail, sendOptions.saveToSentItems));
      let attempts = 0;
      let refreshToken = false;
      let tokenRefreshed = false;

      const attempt = async (): Promise<AttemptResult<SendMailResult>> => {
        attempts += 1;
        let token: string;
        try {
          token = await tokens.getAccessToken({ forceRefresh: refreshToken, ...(abortSignal ? { abortSignal } : {}) });
        } catch (error) {
          if (abortSignal?.aborted)
            return done(
              'notSent',
              new MailError('MailAborted', `The send was stopped while getting a Graph token; nothing was sent.`, {
                cause: error,
              }),
            );
          return done(
            'notSent',
            new MailError('MailTokenUnavailable', `No Graph token to send mail with; nothing was sent.`, {
              cause: error,
            }),
          );
        }
        tokenRefreshed ||= refreshToken;
        refreshToken = false;
        const exchange = await post(url, token, body, abortSignal);
        if (exchange.kind === 'noResponse') {
          return noResponse(exchange);
        }
        const { status } = exchange;
        if (status >= 200 && status < 300) {
          return { kind: 'done', value: { kind: 'sent', requestIds: exchange.requestIds, attempts } };
        }
        if (status === 401 && !tokenRefreshed) {
          // The cached token may have been revoked: one fresh token, at once.
          refreshToken = true;
          return {
            kind: 'retry',
            error: answered('MailTokenRejected', exchange, 'Graph refused the access token'),
            retryAfterMs: 0,
          };
        }
        if (RETRIED_STATUSES.has(status)) {
          const code: MailErrorCode = status === 429 ? 'MailThrottled' : 'MailServiceUnavailable';
          const retryAfterMs = parseRetryAfter(exchange.retryAfter);
          const error = answered(
            code,
            exchange,
            status === 429 ? 'Graph is throttling mail from the app' : 'Graph did not accept the mail for now',
          );
          return retryAfterMs === undefined ? { kind: 'retry', error } : { kind: 'retry', error, retryAfterMs };
        }
        return classifyAnswer(exchange);
      };

      try {
        return await retryTransientFailures(attempt, {
          policy,
          ...(abortSignal ? { abortSignal } : {}),
          ...(sleep ? { sleep } : {}),
          onRetry: ({ attempt: number, delayMs, error }) =>
            logger?.warn(
              `${error.message} Retrying in ${formatDelay(delayMs)} (attempt ${number + 1} of ${policy.maxAttempts}).`,
            ),
          giveUp: (event) => {
            const last =
              event.error instanceof MailError
                ? event.error
                : new MailError('MailServiceUnavailable', event.error.message);
            return new MailError(
              last.code,
              `${last.message} Mail: ${describeGiveUp(event, policy)}; nothing was sent.`,
              {
                cause: event.error,
                ...(last.status === undefined ? {} : { status: last.status }),
                ...(last.graphCode === undefined ? {} : { graphCode: last.graphCode }),
              },
            );
          },
        });
      } catch (error) {
        if (error instanceof MailError) {
          return { kind: 'notSent', error };
        }
        if (abortSignal?.aborted) {
          // Stopped between attempts: no request was in flight.
          return {
            kind: 'notSent',
            error: new MailError('MailAborted', 'The send was stopped before the next attempt; nothing was sent.', {
              cause: error,
            }),
          };
        }
        throw error;
      }

      function noResponse(exchange: Extract<Exchange, { kind: 'noResponse' }>): AttemptResult<SendMailResult> {
        const reason = exchange.timedOut
          ? `got no answer within ${timeoutMs} ms`
          : abortSignal?.aborted
            ? 'was stopped'
            : `failed (${networkErrorCode(exchange.error)})`;
        if (exchange.requestLeft) {
          return done(
            'unknown',
            new MailError(
              'MailOutcomeUnknown',
              `${target} ${reason} after the request was sent (${exchange.requestIds}): the mail may have been delivered.`,
              {
                cause: exchange.error,
              },
            ),
          );
        }
        const error = new MailError(
          'MailConnectionFailed',
          `${target} ${reason} before the request was sent (${exchange.requestIds}).`,
          { cause: exchange.error },
        );
        return abortSignal?.aborted && !exchange.timedOut
          ? done('notSent', new MailError('MailAborted', error.message, { cause: exchange.error }))
          : { kind: 'retry', error };
      }

      function answered(
        code: MailErrorCode,
        exchange: Extract<Exchange, { kind: 'response' }>,
        summary: string,
        fix = '',
      ): MailError {
        const graph = graphError(exchange.body);
        const said =
          graph.code || graph.message
            ? ` Graph said: ${[graph.code, redactAddresses(graph.message).replace(/\.+$/, '')].filter(Boolean).join(': ')}.`
            : '';
        return new MailError(
          code,
          `${summary}. ${target} answered ${exchange.status} (${exchange.requestIds}).${said}${fix ? ` ${fix}` : ''}`,
          {
            status: exchange.status,
            ...(graph.code ? { graphCode: graph.code } : {}),
          },
        );
      }

      function classifyAnswer(exchange: Extract<Exchange, { kind: 'response' }>): AttemptResult<SendMailResult> {
        const { status } = exchange;
        if (status === 504) {
          return done(
            'unknown',
            answered(
              'MailOutcomeUnknown',
              exchange,
              'The Graph gateway timed out waiting for Exchange: the mail may have been delivered',
            ),
          );
        }
        if (status === 401) {
          return done(
            'notSent',
            answered(
              'MailTokenRejected',
              exchange,
              'Graph refused a freshly issued token',
              'Check that ENTRA_AUTHORITY_HOST and GRAPH_BASE_URL belong to the same cloud.',
            ),
          );
        }
        if (status === 403) {
          const fix =
            'Fix: grant the app registration the application permission Mail.Send with admin consent, and check that no application access policy excludes the SENDER_MAILBOX mailbox.';
          return done('notSent', answered('MailAccessDenied', exchange, 'Graph denied sending mail', fix));
        }
        if (status === 404) {
          return done(
            'notSent',
            answered(
              'MailboxNotFound',
              exchange,
              'Graph found no such mailbox',
              'Fix: set SENDER_MAILBOX to the user principal name or object id of a licensed mailbox.',
            ),
          );
        }
        if (status >= 400 && status < 500) {
          return done('rejected', answered('MailRejected', exchange, 'Graph refused this message'));
        }
        // Redirects (never followed: the token stays with Graph) and other server answers.
        return done(
          'notSent',
          answered('MailRequestFailed', exchange, 'Graph answered unexpectedly', 'Check GRAPH_BASE_URL.'),
        );
      }
    },
  };

  async function post(
    url: string,
    token: string,
    body: string,
    abortSignal: AbortSignal | undefined,
  ): Promise<Exchange> {
    const clientRequestId = randomUUID();
    const timeout = AbortSignal.timeout(timeoutMs);
    const signal = abortSignal ? AbortSignal.any([abortSignal, timeout]) : timeout;
    const connection = new ConnectionWatchingAgent();
    metrics?.record('graph');
    try {
      const response = await fetch(url, {
        method: 'POST',
        headers: {
          Authorization: `Bearer ${token}`,
          'Content-Type': 'application/json',
          Accept: 'application/json',
          'client-request-id': clientRequestId,
        },
        body,
        // A redirect would carry the token elsewhere: never followed.
        redirect: 'manual',
        agent: connection,
        signal,
      });
      const requestIds = `client-request-id ${clientRequestId}, request-id ${response.headers.get('request-id') ?? 'none'}`;
      // The status decides; an error body is read for Graph's code, and may be cut short.
      const text = await response.text().catch(() => '');
      return {
        kind: 'response',
        status: response.status,
        body: text,
        retryAfter: response.headers.get('retry-after'),
        requestIds,
      };
    } catch (error) {
      return {
        kind: 'noResponse',
        requestLeft: connection.connected,
        timedOut: timeout.aborted,
        error,
        requestIds: `client-request-id ${clientRequestId}`,
      };
    } finally {
      connection.destroy();
    }
  }
}

function sendMailBody(mail: OutgoingMail, saveToSentItems: boolean): unknown {
  const { address, name } = mail.to;
  return {
    message: {
      subject: mail.subject,
      body: { contentType: 'HTML', content: mail.html },
      toRecipients: [{ emailAddress: name === undefined || name === '' ? { address } : { address, name } }],
      ...(mail.headers === undefined
        ? {}
        : {
            internetMessageHeaders: Object.entries(mail.headers).map(([headerName, value]) => ({
              name: headerName,
              value,
            })),
          }),
    },
    saveToSentItems,
  };
}

function done(kind: 'notSent' | 'rejected' | 'unknown', error: MailError): AttemptResult<SendMailResult> {
  return { kind: 'done', value: { kind, error } };
}

/** Replaces anything that looks like an e-mail address: messages end up in logs. */
export function redactAddresses(text: string): string {
  return text.replace(ADDRESS_LIKE, '<address>');
}

/**
 * A one-request https agent that notes whether its TLS connection came up: before that, not a byte of
 * the request has left; after it, the request may have reached Graph.
 */
class ConnectionWatchingAgent extends Agent {
  connected = false;

  constructor() {
    super({ keepAlive: false, maxSockets: 1 });
  }

  override createConnection(
    options: RequestOptions,
    callback?: (error: Error | null, stream: Duplex) => void,
  ): Duplex | null | undefined {
    const socket = super.createConnection(options, callback);
    socket?.once('secureConnect', () => {
      this.connected = true;
    });
    return socket;
  }
}
