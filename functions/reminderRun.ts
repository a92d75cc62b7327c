/**
 * reminderRun: `POST /api/reminders/run` runs the sweep by hand. `{ "dryRun": true }` returns the
 * reminders instead of enqueueing them (and may choose the instant with `now`); otherwise they go out
 * through the same queue output binding as the timer's.
 */
import { withTelemetry } from './support/telemetry.js';
import { app } from '@azure/functions';
import type { HttpHandler, HttpRequest, HttpResponseInit, InvocationContext } from '@azure/functions';
import { reminderQueueOutput } from './support/bindings.js';
import { describeFailure, requestErrorResponse, runFailureResponse } from './support/run-failure.js';
import { readRunRequest, RunRequestError } from './support/run-request.js';
import type { RunRequest } from './support/run-request.js';
import { runtimeSweeper } from './support/sweeper.js';
import type { Sweeper } from './support/sweeper.js';

export function createReminderRunHandler(sweep: Sweeper = runtimeSweeper): HttpHandler {
  return async (request: HttpRequest, context: InvocationContext): Promise<HttpResponseInit> => {
    const runId = context.invocationId;
    let runRequest: RunRequest;
    try {
      runRequest = await readRunRequest(request);
    } catch (error) {
      if (error instanceof RunRequestError) {
        context.warn(`Run ${runId}: rejected request: ${error.code} (${error.field})`);
        return requestErrorResponse(error, 'POST');
      }
      throw error;
    }
    try {
      const result = await sweep(context, {
        runId,
        trigger: 'http',
        ...(runRequest.now ? { now: runRequest.now } : {}),
        ...(runRequest.dryRun ? { dryRun: true } : {}),
      });
      if (!runRequest.dryRun) {
        context.extraOutputs.set(reminderQueueOutput, result.reminders);
      }
      return {
        status: 200,
        headers: { 'cache-control': 'no-store' },
        jsonBody: {
          dryRun: runRequest.dryRun,
          summary: result.summary,
          ...(runRequest.dryRun ? { reminders: result.reminders } : {}),
        },
      };
    } catch (error) {
      context.error(`Run ${runId} failed: ${describeFailure(error)}`);
      return runFailureResponse(runId, error);
    }
  };
}

export const reminderRunHandler = createReminderRunHandler();

app.http('reminderRun', {
  methods: ['POST'],
  authLevel: 'function',
  route: 'reminders/run',
  extraOutputs: [reminderQueueOutput],
  handler: withTelemetry('http', reminderRunHandler),
});
