/**
 * runHistory: `GET /api/reminders/runs` lists recent runs, newest first, each with its trigger, instant,
 * outcome, counts and the outcomes of its deliveries: `?limit=` (1 to 100, default 20), `?status=`
 * (`failed`, `succeeded`, `running`) and `?after=` (the `next` of the previous page).
 */
import { withTelemetry } from './support/telemetry.js';
import { app } from '@azure/functions';
import type { HttpHandler, HttpRequest, HttpResponseInit, InvocationContext } from '@azure/functions';
import { runtimeHistory } from './support/history-access.js';
import type { HistoryAccess } from './support/history-access.js';
import { describeFailure, historyFailureResponse, requestErrorResponse } from './support/run-failure.js';
import { readRunListQuery } from './support/run-history-request.js';
import { RunRequestError } from './support/run-request.js';

export function createRunHistoryHandler(history: HistoryAccess = runtimeHistory): HttpHandler {
  return async (request: HttpRequest, context: InvocationContext): Promise<HttpResponseInit> => {
    try {
      const page = await history.list(readRunListQuery(request));
      return { status: 200, headers: { 'cache-control': 'no-store' }, jsonBody: page };
    } catch (error) {
      if (error instanceof RunRequestError) return requestErrorResponse(error);
      context.warn(`Listing runs failed: ${describeFailure(error)}`);
      return historyFailureResponse(context.invocationId, error);
    }
  };
}

export const runHistoryHandler = createRunHistoryHandler();

app.http('runHistory', {
  methods: ['GET'],
  authLevel: 'function',
  route: 'reminders/runs',
  handler: withTelemetry('http', runHistoryHandler),
});
