/**
 * runDetails: `GET /api/reminders/runs/{id}` shows one run: its trigger, instant, outcome (the failure's
 * code and message), counts, and its deliveries by outcome and code, the failed and deferred ones listed
 * by reminder id. 404 for a run the history does not have.
 */
import { withTelemetry } from './support/telemetry.js';
import { app } from '@azure/functions';
import type { HttpHandler, HttpRequest, HttpResponseInit, InvocationContext } from '@azure/functions';
import { runtimeHistory } from './support/history-access.js';
import type { HistoryAccess } from './support/history-access.js';
import { describeFailure, errorResponse, historyFailureResponse, requestErrorResponse } from './support/run-failure.js';
import { readRunId } from './support/run-history-request.js';
import { RunRequestError } from './support/run-request.js';

export function createRunDetailsHandler(history: HistoryAccess = runtimeHistory): HttpHandler {
  return async (request: HttpRequest, context: InvocationContext): Promise<HttpResponseInit> => {
    try {
      const runId = readRunId(request);
      const run = await history.get(runId);
      if (run === undefined) {
        return errorResponse(404, {
          code: 'RunNotFound',
          message: `The run history has no run ${runId} (never recorded, or older than its retention).`,
          field: 'id',
        });
      }
      return { status: 200, headers: { 'cache-control': 'no-store' }, jsonBody: run };
    } catch (error) {
      if (error instanceof RunRequestError) return requestErrorResponse(error);
      context.warn(`Reading a run failed: ${describeFailure(error)}`);
      return historyFailureResponse(context.invocationId, error);
    }
  };
}

export const runDetailsHandler = createRunDetailsHandler();

app.http('runDetails', {
  methods: ['GET'],
  authLevel: 'function',
  route: 'reminders/runs/{id}',
  handler: withTelemetry('http', runDetailsHandler),
});
