/**
 * reminderBacklog: `GET /api/reminders/backlog` reports what is waiting (the queue, the poison queue),
 * what is deferred (the mailbox's pace, its daily budget, a pause after a refusal; until when) and what
 * failed for good, by reason (function key).
 */
import { withTelemetry } from './support/telemetry.js';
import { app } from '@azure/functions';
import type { HttpHandler, HttpResponseInit, InvocationContext } from '@azure/functions';
import { describeFailure, runFailureResponse } from './support/run-failure.js';

export const reminderBacklogHandler: HttpHandler = async (
  _request,
  context: InvocationContext,
): Promise<HttpResponseInit> => {
  try {
    const { backlogWithRuntime } = await import('../shared/runtime.js');
    const report = await backlogWithRuntime();
    return { status: 200, headers: { 'cache-control': 'no-store' }, jsonBody: report };
  } catch (error) {
    context.error(`Backlog ${context.invocationId} failed: ${describeFailure(error)}`);
    return runFailureResponse(context.invocationId, error);
  }
};

app.http('reminderBacklog', {
  methods: ['GET'],
  authLevel: 'function',
  route: 'reminders/backlog',
  handler: withTelemetry('http', reminderBacklogHandler),
});
