/**
 * The run history functions' handlers with a history double: what each answers for each refusal and
 * failure (the routes and the real history are tested through the local host, test/integration/).
 */
import { HttpRequest } from '@azure/functions';
import type { HttpHandler, HttpResponseInit } from '@azure/functions';
import { describe, expect, it } from 'vitest';
import { createRunDetailsHandler } from '../../functions/runDetails.js';
import { createRunHistoryHandler } from '../../functions/runHistory.js';
import { createRunResubmitHandler } from '../../functions/runResubmit.js';
import { reminderQueueOutput } from '../../functions/support/bindings.js';
import type { HistoryAccess } from '../../functions/support/history-access.js';
import { ConfigError, DueNotifierError } from '../../shared/base/errors.js';
import { HistoryError } from '../../shared/history/index.js';
import { contextWithLogs } from '../support/invocation-context.js';
import { reminderFor } from '../support/reminder-messages.js';

const REMINDERS = [reminderFor('1', '2026-12-08', 7)];
const SUMMARY = {
  runId: 'new-run',
  now: '2026-12-01T06:00:00.000Z',
  itemsRead: 1,
  eligible: 1,
  reminders: 1,
  alreadySent: 0,
  skipped: {},
  requests: { graph: 1, token: 0, keyVault: 0 },
  durationMs: 5,
};

function history(behaviour: Partial<HistoryAccess>): HistoryAccess {
  const unexpected = () => Promise.reject(new Error('not expected in this test'));
  return { list: unexpected, get: unexpected, resubmit: unexpected, ...behaviour };
}

async function call(handler: HttpHandler, url: string, params: Record<string, string> = {}, method = 'GET') {
  const { context, logs } = contextWithLogs({
    invocationId: 'new-run',
    functionName: 'runs',
    options: { trigger: { type: 'httpTrigger', name: 'request' }, extraOutputs: [reminderQueueOutput] },
  });
  const response: HttpResponseInit = await handler(new HttpRequest({ method, url, params }), context);
  const body = JSON.stringify(response.jsonBody);
  return { response, body, logs, queued: context.extraOutputs.get(reminderQueueOutput) as unknown };
}

describe('run history functions', () => {
  it('runHistory passes limit, status and after on; a bad one is a 400 naming it', async () => {
    let asked: unknown;
    const list = createRunHistoryHandler(history({ list: async (options) => ((asked = options), { runs: [] }) }));
    const ok = await call(list, 'http://localhost/api/reminders/runs?limit=5&status=failed&after=x&code=key');
    expect(ok.response.status).toBe(200);
    expect(asked).toEqual({ limit: 5, status: 'failed', after: 'x' });
    for (const [query, field] of [
      ['limit=101', 'limit'],
      ['limit=1.5', 'limit'],
      ['status=FAILED', 'status'],
      ['page=2', 'page'],
    ]) {
      const refused = await call(list, `http://localhost/api/reminders/runs?${query}`);
      expect(refused.response.status, query).toBe(400);
      expect(refused.response.jsonBody).toMatchObject({ error: { code: 'InvalidRequest', field } });
    }
  });

  it('answers 503 when the history cannot be read, 500 naming the setting when one is wrong, without details', async () => {
    const unavailable = new HistoryError(
      'HistoryUnavailable',
      "Could not list runs in run history table 'reminderruns' (HTTP 403).",
      {
        cause: new Error('AuthorizationFailure https://account.table.core.windows.net'),
      },
    );
    const down = await call(
      createRunHistoryHandler(history({ list: () => Promise.reject(unavailable) })),
      'http://localhost/api/reminders/runs',
    );
    expect(down.response.status).toBe(503);
    expect(down.response.jsonBody).toEqual({
      error: {
        code: 'HistoryUnavailable',
        message: 'The run history could not be read. See the function log for invocation new-run.',
      },
    });
    expect(down.logs.join('\n')).toContain("run history table 'reminderruns' (HTTP 403)");
    const misconfigured = await call(
      createRunDetailsHandler(history({ get: () => Promise.reject(new ConfigError('RUN_HISTORY_TABLE', 'bad')) })),
      'http://localhost/api/reminders/runs/r1',
      { id: 'r1' },
    );
    expect(misconfigured.response.status).toBe(500);
    expect(misconfigured.response.jsonBody).toMatchObject({
      error: { code: 'ConfigInvalid', setting: 'RUN_HISTORY_TABLE' },
    });
  });

  it('runResubmit: a dry run answers its reminders and enqueues nothing; a real one enqueues them', async () => {
    const resubmitted = (dryRun: boolean): HistoryAccess =>
      history({
        resubmit: async () => ({ runId: 'new-run', now: SUMMARY.now, reminders: REMINDERS, summary: SUMMARY, dryRun }),
      });
    const url = 'http://localhost/api/reminders/runs/old-run/resubmit';
    const dry = await call(createRunResubmitHandler(resubmitted(true)), url, { id: 'old-run' }, 'POST');
    expect(dry.response.jsonBody).toEqual({
      dryRun: true,
      resubmittedFrom: 'old-run',
      summary: SUMMARY,
      reminders: REMINDERS,
    });
    expect(dry.queued).toBeUndefined();
    const real = await call(createRunResubmitHandler(resubmitted(false)), url, { id: 'old-run' }, 'POST');
    expect(real.response.jsonBody).toEqual({ dryRun: false, resubmittedFrom: 'old-run', summary: SUMMARY });
    expect(real.queued).toEqual(REMINDERS);
  });

  it('runResubmit: 409 for a run that did not fail, a failed re-run answers as a failed run', async () => {
    const url = 'http://localhost/api/reminders/runs/old-run/resubmit';
    const refusing = history({
      resubmit: () =>
        Promise.reject(
          new HistoryError('RunNotFailed', 'Run old-run succeeded; only a failed run can be resubmitted.'),
        ),
    });
    const conflict = await call(createRunResubmitHandler(refusing), url, { id: 'old-run' }, 'POST');
    expect(conflict.response.status).toBe(409);
    expect(conflict.response.jsonBody).toEqual({
      error: {
        code: 'RunNotFailed',
        message: 'Run old-run succeeded; only a failed run can be resubmitted.',
        field: 'id',
      },
    });
    const throttled = history({
      resubmit: () => Promise.reject(new DueNotifierError('GraphThrottled', 'kept throttling')),
    });
    const failed = await call(createRunResubmitHandler(throttled), url, { id: 'old-run' }, 'POST');
    expect(failed.response.status).toBe(503);
    expect(failed.response.jsonBody).toMatchObject({ error: { code: 'GraphThrottled', runId: 'new-run' } });
    expect(failed.queued).toBeUndefined();
  });
});
