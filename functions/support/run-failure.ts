/**
 * What a failed run tells the log, and what it tells an HTTP caller. The log gets the error's code and
 * message and those of its causes (the daemon's messages never carry secrets); the HTTP response gets
 * only a fixed message per code and the run id to look the details up, never URLs or stack traces.
 */
import type { HttpResponseInit } from '@azure/functions';
import { ConfigError, DueNotifierError, describeError } from '../../shared/base/errors.js';
import type { DueNotifierErrorCode } from '../../shared/base/errors.js';
import type { RunRequestError } from './run-request.js';

interface PublicFailure {
  readonly status: number;
  readonly message: string;
}

const UPSTREAM_FAILED = 502;
const UNAVAILABLE = 503;

/** Every code of the daemon's own failures has its public answer (checked by `satisfies`). */
const PUBLIC_FAILURES: ReadonlyMap<string, PublicFailure> = new Map(
  Object.entries({
    ConfigInvalid: { status: 500, message: 'An app setting is missing or invalid.' },
    KeyVaultUnavailable: { status: UNAVAILABLE, message: 'Key Vault could not be reached.' },
    KeyVaultAccessDenied: { status: UPSTREAM_FAILED, message: "Key Vault denied access to the app's credential." },
    KeyVaultSecretNotFound: { status: UPSTREAM_FAILED, message: "The app's credential was not found in Key Vault." },
    KeyVaultSecretDisabled: { status: UPSTREAM_FAILED, message: "The app's credential is disabled in Key Vault." },
    KeyVaultSecretInvalid: { status: UPSTREAM_FAILED, message: "The app's credential in Key Vault is not usable." },
    AuthenticationFailed: { status: UPSTREAM_FAILED, message: 'Microsoft Entra ID did not issue a token to the app.' },
    EntraUnavailable: { status: UNAVAILABLE, message: 'Microsoft Entra ID could not be reached.' },
    GraphRequestFailed: {
      status: UPSTREAM_FAILED,
      message: 'Microsoft Graph rejected a request for the obligations list.',
    },
    GraphAccessDenied: { status: UPSTREAM_FAILED, message: 'Microsoft Graph denied access to the obligations list.' },
    GraphThrottled: { status: UNAVAILABLE, message: 'Microsoft Graph kept throttling the run.' },
    GraphUnavailable: { status: UNAVAILABLE, message: 'Microsoft Graph could not be reached.' },
    GraphResponseInvalid: {
      status: UPSTREAM_FAILED,
      message: 'Microsoft Graph returned a response the app cannot read.',
    },
    UntrustedGraphUrl: {
      status: UPSTREAM_FAILED,
      message: 'Microsoft Graph returned a link outside the configured endpoint.',
    },
    RunTimeBudgetExceeded: { status: UNAVAILABLE, message: 'The run did not finish within its time budget.' },
    InvalidRequest: { status: 400, message: 'The request is invalid.' },
  } satisfies Record<DueNotifierErrorCode, PublicFailure>),
);

const UNEXPECTED: PublicFailure = { status: 500, message: 'The run failed unexpectedly.' };

/** One log line: `code: message`, then each cause's. */
export function describeFailure(error: unknown): string {
  const parts: string[] = [];
  let current: unknown = error;
  for (let depth = 0; current !== undefined && depth < 5; depth += 1) {
    parts.push(describeError(current));
    current = current instanceof Error ? current.cause : undefined;
  }
  return parts.join(' <- caused by: ');
}

/** The HTTP answer for a failed run. */
export function runFailureResponse(runId: string, error: unknown): HttpResponseInit {
  if (error instanceof ConfigError) {
    return errorResponse(500, {
      code: error.code,
      message: `The app setting ${error.setting} is missing or invalid; the function log for run ${runId} says what is expected.`,
      setting: error.setting,
      runId,
    });
  }
  const failure = error instanceof DueNotifierError ? PUBLIC_FAILURES.get(error.code) : undefined;
  const code = failure && error instanceof DueNotifierError ? error.code : 'InternalError';
  const { status, message } = failure ?? UNEXPECTED;
  return errorResponse(status, {
    code,
    message: `${message} See the function log for run ${runId}.`,
    runId,
  });
}

/** Answers of the run history's own refusals, by code; the message (run ids only) is the error's. */
const HISTORY_REFUSALS: ReadonlyMap<string, { readonly status: number; readonly field?: string }> = new Map([
  ['RunNotFound', { status: 404, field: 'id' }],
  ['RunNotFailed', { status: 409, field: 'id' }],
  ['InvalidCursor', { status: 400, field: 'after' }],
]);

/**
 * The HTTP answer when the run history functions fail: 404 for an unknown run, 409 for a resubmit of a
 * run that did not fail, 503 when the history's table cannot be reached, else as a failed run.
 */
export function historyFailureResponse(invocationId: string, error: unknown): HttpResponseInit {
  const code = error instanceof DueNotifierError ? error.code : undefined;
  const refusal = code === undefined ? undefined : HISTORY_REFUSALS.get(code);
  if (refusal !== undefined && code !== undefined && error instanceof Error) {
    return errorResponse(refusal.status, {
      code,
      message: error.message,
      ...(refusal.field === undefined ? {} : { field: refusal.field }),
    });
  }
  if (code === 'HistoryUnavailable') {
    return errorResponse(UNAVAILABLE, {
      code,
      message: `The run history could not be read. See the function log for invocation ${invocationId}.`,
    });
  }
  return runFailureResponse(invocationId, error);
}

/** The HTTP answer to a request the function refused (RunRequestError): its status, code, field and message. */
export function requestErrorResponse(error: RunRequestError, allowedMethod?: string): HttpResponseInit {
  const allow = error.code === 'MethodNotAllowed' && allowedMethod !== undefined ? { allow: allowedMethod } : undefined;
  return errorResponse(error.status, { code: error.code, message: error.message, field: error.field }, allow);
}

export function errorResponse(
  status: number,
  error: Readonly<Record<string, string>>,
  headers?: Record<string, string>,
): HttpResponseInit {
  return { status, jsonBody: { error }, headers: { 'cache-control': 'no-store', ...headers } };
}
