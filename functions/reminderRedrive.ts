/**
 * reminderRedrive: `POST /api/reminders/redrive` moves the poison queue's reminders back to the
 * reminders queue (messages that are not reminders stay) and, with `{ "includeFailed": true }`, gives
 * back the reminders recorded as failed (not those whose due date passed) for the next run to emit
 * again; answers what it did and the backlog after it (function key).
 */
import { withTelemetry } from './support/telemetry.js';
import { app } from '@azure/functions';
import type { HttpHandler, HttpRequest, HttpResponseInit, InvocationContext } from '@azure/functions';
import { describeFailure, errorResponse, runFailureResponse } from './support/run-failure.js';

/** `{}` or `{ "includeFailed": boolean }`; an empty body is `{}`. */
async function readRedriveRequest(request: HttpRequest): Promise<{ includeFailed: boolean } | undefined> {
  const text = await request.text();
  if (text.trim() === '') return { includeFailed: false };
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    return undefined;
  }
  if (typeof body !== 'object' || body === null || Array.isArray(body)) return undefined;
  const { includeFailed = false, ...rest } = body as Record<string, unknown>;
  return typeof includeFailed === 'boolean' && Object.keys(rest).length === 0 ? { includeFailed } : undefined;
}

export const reminderRedriveHandler: HttpHandler = async (
  request: HttpRequest,
  context: InvocationContext,
): Promise<HttpResponseInit> => {
  const body = await readRedriveRequest(request);
  if (body === undefined) {
    return errorResponse(400, {
      code: 'InvalidRedriveRequest',
      message: 'The body must be empty or a JSON object { "includeFailed": true|false }.',
    });
  }
  try {
    const { backlogWithRuntime, redriveWithRuntime } = await import('../shared/runtime.js');
    const result = await redriveWithRuntime(body);
    context.info(`Redrive ${context.invocationId}: ${JSON.stringify(result)}`);
    return {
      status: 200,
      headers: { 'cache-control': 'no-store' },
      jsonBody: { ...result, backlog: await backlogWithRuntime() },
    };
  } catch (error) {
    context.error(`Redrive ${context.invocationId} failed: ${describeFailure(error)}`);
    return runFailureResponse(context.invocationId, error);
  }
};

app.http('reminderRedrive', {
  methods: ['POST'],
  authLevel: 'function',
  route: 'reminders/redrive',
  handler: withTelemetry('http', reminderRedriveHandler),
});
