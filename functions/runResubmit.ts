/**
 * runResubmit: `POST /api/reminders/runs/{id}/resubmit` runs a failed run again at its original instant
 * (dry if it was dry), as `POST /api/reminders/run` runs: the reminders go out through the same queue
 * output binding and the answer is the new run's summary. Safe: reminder ids are stable and the ledger
 * sends each once. The new run records `resubmittedFrom`; 404 for an unknown run, 409 for one that did
 * not fail.
 */
import { withTelemetry } from './support/telemetry.js';
import { app } from '@azure/functions';
import type { HttpHandler, HttpRequest, HttpResponseInit, InvocationContext } from '@azure/functions';
import { reminderQueueOutput } from './support/bindings.js';
import { runtimeHistory } from './support/history-access.js';
import type { HistoryAccess } from './support/history-access.js';
import { describeFailure, historyFailureResponse, requestErrorResponse } from './support/run-failure.js';
import { readRunId } from './support/run-history-request.js';
import { RunRequestError } from './support/run-request.js';

export function createRunResubmitHandler(history: HistoryAccess = runtimeHistory): HttpHandler {
  return async (request: HttpRequest, context: InvocationContext): Promise<HttpResponseInit> => {
    const runId = context.invocationId;
    let failedRunId: string;
    try {
      failedRunId = readRunId(request);
    } catch (error) {
      if (error instanceof RunRequestError) return requestErrorResponse(error);
      throw error;
    }
    try {
      context.info(`Run ${runId}: resubmitting failed run ${failedRunId}`);
      const result = await history.resubmit(context, failedRunId, { runId, trigger: 'http' });
      if (!result.dryRun) {
        context.extraOutputs.set(reminderQueueOutput, result.reminders);
      }
      return {
        status: 200,
        headers: { 'cache-control': 'no-store' },
        jsonBody: {
          dryRun: result.dryRun,
          resubmittedFrom: failedRunId,
          summary: result.summary,
          ...(result.dryRun ? { reminders: result.reminders } : {}),
        },
      };
    } catch (error) {
      context.error(`Run ${runId} (resubmit of ${failedRunId}) failed: ${describeFailure(error)}`);
      return historyFailureResponse(runId, error);
    }
  };
}

export const runResubmitHandler = createRunResubmitHandler();

app.http('runResubmit', {
  methods: ['POST'],
  authLevel: 'function',
  route: 'reminders/runs/{id}/resubmit',
  extraOutputs: [reminderQueueOutput],
  handler: withTelemetry('http', runResubmitHandler),
});
