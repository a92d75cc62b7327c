/**
 * Sends mail as the app through Microsoft Graph: `POST {GRAPH_BASE_URL}/users/{sender}/sendMail`
 * (application permission Mail.Send), 202 Accepted on success.
 *
 * sendMail is not idempotent, so every failure is classified by what it says about delivery:
 * - `notSent`: Graph did not take the message for a reason of the mailbox, the app or the service
 *   (429, 5xx but 504, 401, 403, 404, 409, 423, mailbox-wide 400s: mail-refusals.ts), or the connection
 *   never came up. Safe to repeat: waits up to 5 s are retried here; a longer one is returned with its
 *   `retryAfterMs`, for the delivery to pause the mailbox and come back later.
 * - `rejected`: Graph refused this message (400 invalid recipient, 413, ...): repeating will not help.
 * - `unknown`: the request left (the TLS connection was up) but no answer came (timeout, reset), or
 *   the gateway timed out (504): Graph may have accepted it. Never retried here.
 * Each request goes over its own connection so that "did the request leave?" has an answer.
 */
import { DueNotifierError } from '../base/errors.js';
import { graphError } from '../clients/graph-answers.js';
import type { GraphServiceOptions } from '../clients/graph.js';
import { TokenUnavailableError } from '../http/bearer-token-policy.js';
import { describeRequestIds } from '../http/client-request-id-policy.js';
import { createOutboundPipeline } from '../http/outbound-pipeline.js';
import { createHttpRequest } from '../http/pipeline.js';
import type { HttpRequest, HttpResponse } from '../http/pipeline.js';
import { describeGiveUp, networkErrorCode, parseRetryAfter } from '../http/retry.js';
import type { AttemptResult, RetryPolicy } from '../http/retry.js';
import type { AttemptOutcome } from '../http/retry-policy.js';
import { PauseBeyondDeadlineError } from '../http/throttle-pauses.js';
import { RequestTimeoutError } from '../http/timeout-policy.js';
import { connectionWatchPolicy, requestLeft } from './connection-watch.js';
import { mailboxWideRefusal, redactAddresses } from './mail-refusals.js';
import { sendMailBody } from './outgoing-mail.js';
import type { OutgoingMail } from './outgoing-mail.js';

export type { MailRecipient, OutgoingMail } from './outgoing-mail.js';

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
  | 'MailboxRefused'
  | 'MailboxLimitReached'
  | 'MailRequestFailed'
  | 'MailRejected'
  | 'MailOutcomeUnknown'
  | 'MailAborted';

export class MailError extends DueNotifierError<MailErrorCode> {
  /** Graph's HTTP status, when it answered. */
  readonly status?: number;
  /** Graph's error code, e.g. `ErrorInvalidRecipients`. */
  readonly graphCode?: string;
  /** How long Graph asked to wait (`Retry-After`), when it said. */
  readonly retryAfterMs?: number;

  constructor(
    code: MailErrorCode,
    message: string,
    options: {
      readonly status?: number;
      readonly graphCode?: string;
      readonly retryAfterMs?: number;
      readonly cause?: unknown;
    } = {},
  ) {
    super(code, message, { cause: options.cause });
    if (options.status !== undefined) this.status = options.status;
    if (options.graphCode !== undefined) this.graphCode = options.graphCode;
    if (options.retryAfterMs !== undefined) this.retryAfterMs = options.retryAfterMs;
  }
}

export interface Mailer {
  sendMail(mail: OutgoingMail, options: SendMailOptions): Promise<SendMailResult>;
}

export type MailerOptions = GraphServiceOptions;

/**
 * Up to 3 attempts, each wait at most 5 s, none started after 10 s: a longer wait is the delivery's to
 * take (it pauses the mailbox for every instance), and each retry counts against the mailbox's limits.
 */
export const DEFAULT_MAIL_RETRY_POLICY: RetryPolicy = {
  maxAttempts: 3,
  baseDelayMs: 500,
  maxDelayMs: 5_000,
  budgetMs: 10_000,
};

/** Answers that mean Graph did not take the message, and that may pass. */
const RETRIED_STATUSES = new Set([408, 429, 500, 502, 503]);

export function createMailer(options: MailerOptions): Mailer {
  const { timeoutMs } = options;
  const base = new URL(options.baseUrl);
  if (base.protocol !== 'https:') {
    throw new RangeError(`The Graph base URL must be https, got ${base.protocol}.`);
  }
  const basePath = base.pathname.replace(/\/+$/, '');
  const target = `Graph POST ${base.origin}${basePath}/users/{sender}/sendMail`;
  const policy: RetryPolicy = { ...DEFAULT_MAIL_RETRY_POLICY, ...options.retry };
  const send = createOutboundPipeline({
    baseUrl: options.baseUrl,
    retry: {
      policy,
      classify,
      giveUp: (event) => {
        const last =
          event.error instanceof MailError ? event.error : new MailError('MailServiceUnavailable', event.error.message);
        return new MailError(last.code, `${last.message} Mail: ${describeGiveUp(event, policy)}; nothing was sent.`, {
          cause: event.error,
          ...(last.status === undefined ? {} : { status: last.status }),
          ...(last.graphCode === undefined ? {} : { graphCode: last.graphCode }),
          ...(event.retryAfterMs === undefined ? {} : { retryAfterMs: event.retryAfterMs }),
        });
      },
      ...(options.logger ? { logger: options.logger } : {}),
      ...(options.sleep ? { sleep: options.sleep } : {}),
    },
    tokens: options.tokens,
    timeoutMs,
    countAs: () => 'graph',
    innermost: [connectionWatchPolicy()],
    ...(options.throttle ? { throttle: options.throttle } : {}),
    ...(options.metrics ? { metrics: options.metrics } : {}),
  });

  return {
    async sendMail(mail, sendOptions) {
      const { abortSignal } = sendOptions;
      const request = createHttpRequest({
        url: `${base.origin}${basePath}/users/${encodeURIComponent(sendOptions.sender)}/sendMail`,
        method: 'POST',
        headers: { 'Content-Type': 'application/json', Accept: 'application/json' },
        body: JSON.stringify(sendMailBody(mail, sendOptions.saveToSentItems)),
        // The status decides; an error body is read for Graph's code, and may be cut short.
        tolerateBodyErrors: true,
        ...(abortSignal ? { abortSignal } : {}),
      });
      let response: HttpResponse;
      try {
        response = await send(request);
      } catch (error) {
        return noAnswer(error, abortSignal);
      }
      if (response.status >= 200 && response.status < 300) {
        return { kind: 'sent', requestIds: requestIdsOf(response), attempts: request.attempts };
      }
      return classifyAnswer(response);
    },
  };

  /** Retries what says "not sent, and may pass"; stops at what may have been delivered. */
  function classify(outcome: AttemptOutcome, request: HttpRequest): AttemptResult<HttpResponse> {
    if (outcome.kind === 'response') {
      const { response } = outcome;
      if (!RETRIED_STATUSES.has(response.status)) {
        return { kind: 'done', value: response };
      }
      const throttled = response.status === 429;
      const error = answered(
        throttled ? 'MailThrottled' : 'MailServiceUnavailable',
        response,
        throttled ? 'Graph is throttling mail from the app' : 'Graph did not accept the mail for now',
      );
      const retryAfterMs = parseRetryAfter(response.headers['retry-after']);
      return retryAfterMs === undefined ? { kind: 'retry', error } : { kind: 'retry', error, retryAfterMs };
    }
    const { error } = outcome;
    if (error instanceof TokenUnavailableError || error instanceof PauseBeyondDeadlineError) {
      throw error;
    }
    const aborted = request.abortSignal?.aborted === true;
    const timedOut = error instanceof RequestTimeoutError;
    const reason = timedOut
      ? `got no answer within ${error.timeoutMs} ms`
      : aborted
        ? 'was stopped'
        : `failed (${networkErrorCode(error)})`;
    const requestIds = describeRequestIds(request);
    if (requestLeft(request)) {
      throw new MailError(
        'MailOutcomeUnknown',
        `${target} ${reason} after the request was sent (${requestIds}): the mail may have been delivered.`,
        { cause: error },
      );
    }
    const message = `${target} ${reason} before the request was sent (${requestIds}).`;
    if (aborted && !timedOut) {
      throw new MailError('MailAborted', message, { cause: error });
    }
    return { kind: 'retry', error: new MailError('MailConnectionFailed', message, { cause: error }) };
  }

  /** The result of a send that ended without a final answer. */
  function noAnswer(error: unknown, abortSignal: AbortSignal | undefined): SendMailResult {
    if (error instanceof MailError) {
      return error.code === 'MailOutcomeUnknown' ? { kind: 'unknown', error } : { kind: 'notSent', error };
    }
    if (error instanceof TokenUnavailableError) {
      return abortSignal?.aborted
        ? notSent('MailAborted', 'The send was stopped while getting a Graph token; nothing was sent.', error.cause)
        : notSent('MailTokenUnavailable', 'No Graph token to send mail with; nothing was sent.', error.cause);
    }
    if (error instanceof PauseBeyondDeadlineError) {
      return notSent(
        'MailThrottled',
        `${target}: Graph asked the app to pause past this send's deadline; nothing was sent.`,
        error,
      );
    }
    if (abortSignal?.aborted) {
      // Stopped between attempts: no request was in flight.
      return notSent('MailAborted', 'The send was stopped before the next attempt; nothing was sent.', error);
    }
    throw error;
  }

  function answered(code: MailErrorCode, response: HttpResponse, summary: string, fix = ''): MailError {
    const graph = graphError(response.bodyAsText);
    const retryAfterMs = parseRetryAfter(response.headers['retry-after']);
    const said =
      graph.code || graph.message
        ? ` Graph said: ${[graph.code, redactAddresses(graph.message).replace(/\.+$/, '')].filter(Boolean).join(': ')}.`
        : '';
    return new MailError(
      code,
      `${summary}. ${target} answered ${response.status} (${requestIdsOf(response)}).${said}${fix ? ` ${fix}` : ''}`,
      {
        status: response.status,
        ...(graph.code ? { graphCode: graph.code } : {}),
        ...(retryAfterMs === undefined ? {} : { retryAfterMs }),
      },
    );
  }

  /** A final answer other than 2xx: what it says about delivery, and what to fix. */
  function classifyAnswer(response: HttpResponse): SendMailResult {
    const { status } = response;
    const verdict = (kind: 'notSent' | 'rejected' | 'unknown', code: MailErrorCode, summary: string, fix = '') =>
      ({ kind, error: answered(code, response, summary, fix) }) as const;
    const mailboxWide = mailboxWideRefusal(status, graphError(response.bodyAsText).code);
    if (mailboxWide === 'recipientLimit') {
      const summary = 'The sender mailbox has reached its daily limit of recipients';
      return verdict('notSent', 'MailboxLimitReached', summary, 'Check MAIL_RECIPIENTS_PER_DAY.');
    }
    if (mailboxWide === 'mailbox') {
      return verdict('notSent', 'MailboxRefused', 'The sender mailbox refuses mail for now');
    }
    if (status === 504) {
      const summary = 'The Graph gateway timed out waiting for Exchange: the mail may have been delivered';
      return verdict('unknown', 'MailOutcomeUnknown', summary);
    }
    if (status === 401) {
      // The bearer token policy has already tried a fresh token.
      const fix = 'Check that ENTRA_AUTHORITY_HOST and GRAPH_BASE_URL belong to the same cloud.';
      return verdict('notSent', 'MailTokenRejected', 'Graph refused a freshly issued token', fix);
    }
    if (status === 403) {
      const fix =
        'Fix: grant the app registration the application permission Mail.Send with admin consent, and check that no application access policy excludes the SENDER_MAILBOX mailbox.';
      return verdict('notSent', 'MailAccessDenied', 'Graph denied sending mail', fix);
    }
    if (status === 404) {
      const fix = 'Fix: set SENDER_MAILBOX to the user principal name or object id of a licensed mailbox.';
      return verdict('notSent', 'MailboxNotFound', 'Graph found no such mailbox', fix);
    }
    if (status >= 400 && status < 500) {
      return verdict('rejected', 'MailRejected', 'Graph refused this message');
    }
    // Redirects (never followed: the token stays with Graph) and other server answers.
    return verdict('notSent', 'MailRequestFailed', 'Graph answered unexpectedly', 'Check GRAPH_BASE_URL.');
  }
}

function notSent(code: MailErrorCode, message: string, cause: unknown): SendMailResult {
  return { kind: 'notSent', error: new MailError(code, message, { cause }) };
}

function requestIdsOf(response: HttpResponse): string {
  return describeRequestIds(response.request, response.headers);
}
