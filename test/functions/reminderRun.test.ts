import { HttpRequest, InvocationContext } from '@azure/functions';
import type { HttpResponseInit } from '@azure/functions';
import { describe, expect, it } from 'vitest';
import { createReminderRunHandler } from '../../functions/reminderRun.js';
import { reminderQueueOutput } from '../../functions/support/bindings.js';
import { MAX_RUN_REQUEST_BYTES } from '../../functions/support/run-request.js';
import { ConfigError, DueNotifierError } from '../../shared/base/errors.js';
import { fakeSweeper } from './fake-sweeper.js';
import { reminderFor } from '../support/reminder-messages.js';
import { contextWithLogs } from '../support/invocation-context.js';

const REMINDERS = [reminderFor('1', '2026-12-08', 7), reminderFor('2', '2026-12-04', 3)];

interface Call {
  readonly method?: string;
  readonly body?: string;
  readonly contentType?: string | null;
}

async function call(sweeperOutcome: Parameters<typeof fakeSweeper>[0], request: Call = {}) {
  const sweeper = fakeSweeper(sweeperOutcome);
  const { context, logs } = contextWithLogs({
    invocationId: 'run-42',
    functionName: 'reminderRun',
    options: { trigger: { type: 'httpTrigger', name: 'request' }, extraOutputs: [reminderQueueOutput] },
  });
  const headers: Record<string, string> = {};
  const contentType = request.contentType === undefined ? 'application/json' : request.contentType;
  if (contentType !== null && request.body !== undefined) {
    headers['content-type'] = contentType;
  }
  const httpRequest = new HttpRequest({
    method: request.method ?? 'POST',
    url: 'http://localhost:7071/api/reminders/run',
    headers,
    ...(request.body === undefined ? {} : { body: { string: request.body } }),
  });
  const response: HttpResponseInit = await createReminderRunHandler(sweeper.sweep)(httpRequest, context);
  return { response, sweeper, logs, queued: context.extraOutputs.get(reminderQueueOutput) as unknown };
}

function jsonOf(response: HttpResponseInit): Record<string, unknown> {
  return response.jsonBody as Record<string, unknown>;
}

async function expectBadRequest(body: string, field: string, contentType?: string) {
  const { response, sweeper, queued } = await call(REMINDERS, { body, ...(contentType ? { contentType } : {}) });
  expect(response.status).toBe(400);
  expect(jsonOf(response)).toEqual({ error: { code: 'InvalidRequest', field, message: expect.any(String) } });
  expect(sweeper.calls).toHaveLength(0);
  expect(queued).toBeUndefined();
}

describe('reminderRun request', () => {
  it('runs for real without a body: reminders go to the queue output, the summary to the caller', async () => {
    const { response, sweeper, queued } = await call(REMINDERS);
    expect(response.status).toBe(200);
    expect(jsonOf(response)).toEqual({
      dryRun: false,
      summary: expect.objectContaining({ runId: 'run-42', reminders: 2 }),
    });
    expect(queued).toEqual(REMINDERS);
    expect(sweeper.calls).toHaveLength(1);
    expect(sweeper.calls[0]?.options).toEqual({ runId: 'run-42', trigger: 'http' });
  });

  it('treats {} like no body', async () => {
    const { response, queued } = await call(REMINDERS, { body: '{}' });
    expect(response.status).toBe(200);
    expect(queued).toEqual(REMINDERS);
  });

  it('returns the reminders on a dry run and writes nothing', async () => {
    const { response, queued } = await call(REMINDERS, { body: '{"dryRun":true}' });
    expect(response.status).toBe(200);
    expect(jsonOf(response)).toMatchObject({ dryRun: true, reminders: REMINDERS });
    expect(queued).toBeUndefined();
  });

  it('applies the rules at the given instant on a dry run', async () => {
    const { response, sweeper } = await call(REMINDERS, { body: '{"dryRun":true,"now":"2026-12-24T08:30:00+01:00"}' });
    expect(response.status).toBe(200);
    expect(sweeper.calls[0]?.options.now?.toISOString()).toBe('2026-12-24T07:30:00.000Z');
    expect(sweeper.calls[0]?.options.dryRun).toBe(true);
  });

  it.each([
    ['now without dryRun', '{"now":"2026-12-01T07:00:00Z"}', 'now'],
    ['now with dryRun false', '{"dryRun":false,"now":"2026-12-01T07:00:00Z"}', 'now'],
    ['now not a string', '{"dryRun":true,"now":1764572400000}', 'now'],
    ['now not an instant', '{"dryRun":true,"now":"tomorrow"}', 'now'],
    ['now without offset', '{"dryRun":true,"now":"2026-12-01T07:00:00"}', 'now'],
    ['now on a day that does not exist', '{"dryRun":true,"now":"2026-02-30T07:00:00Z"}', 'now'],
    ['now with hour 24', '{"dryRun":true,"now":"2026-12-01T24:00:00Z"}', 'now'],
    ['dryRun a string', '{"dryRun":"yes"}', 'dryRun'],
    ['dryRun null', '{"dryRun":null}', 'dryRun'],
    ['an unknown field', '{"dryRun":true,"queue":"other"}', 'queue'],
    ['invalid JSON', '{"dryRun":', 'body'],
    ['an array', '[]', 'body'],
    ['a JSON string', '"run"', 'body'],
    ['null', 'null', 'body'],
  ])('rejects %s with 400 naming the field', async (_case, body, field) => {
    await expectBadRequest(body, field);
  });

  it('accepts a JSON media type with parameters or a +json suffix', async () => {
    for (const contentType of ['application/json; charset=utf-8', 'application/merge-patch+json']) {
      const { response } = await call(REMINDERS, { body: '{"dryRun":true}', contentType });
      expect(response.status).toBe(200);
    }
  });

  it('rejects a body that is not declared as JSON with 415', async () => {
    for (const contentType of ['text/plain', null]) {
      const { response, sweeper } = await call(REMINDERS, { body: '{"dryRun":true}', contentType });
      expect(response.status).toBe(415);
      expect(jsonOf(response)).toMatchObject({ error: { code: 'UnsupportedMediaType', field: 'content-type' } });
      expect(sweeper.calls).toHaveLength(0);
    }
  });

  it(`accepts a body of exactly ${MAX_RUN_REQUEST_BYTES} bytes and rejects one byte more with 413`, async () => {
    const json = '{"dryRun":true}';
    const atLimit = json + ' '.repeat(MAX_RUN_REQUEST_BYTES - json.length);
    expect((await call(REMINDERS, { body: atLimit })).response.status).toBe(200);
    const { response, sweeper } = await call(REMINDERS, { body: `${atLimit} ` });
    expect(response.status).toBe(413);
    expect(jsonOf(response)).toMatchObject({ error: { code: 'RequestBodyTooLarge', field: 'body' } });
    expect(sweeper.calls).toHaveLength(0);
  });

  it('rejects a body declared larger than the limit with 413, without reading it', async () => {
    const sweeper = fakeSweeper(REMINDERS);
    const context = new InvocationContext({ invocationId: 'run-43', functionName: 'reminderRun' });
    const request = new HttpRequest({
      method: 'POST',
      url: 'http://localhost:7071/api/reminders/run',
      headers: { 'content-type': 'application/json', 'content-length': String(MAX_RUN_REQUEST_BYTES + 1) },
      body: { string: '{"dryRun":true}' },
    });
    const response = await createReminderRunHandler(sweeper.sweep)(request, context);
    expect(response.status).toBe(413);
    expect(jsonOf(response)).toMatchObject({ error: { code: 'RequestBodyTooLarge', field: 'body' } });
    expect(request.bodyUsed).toBe(false);
    expect(sweeper.calls).toHaveLength(0);
  });

  it('answers 405 with Allow: POST to any other method', async () => {
    const { response, sweeper } = await call(REMINDERS, { method: 'PUT', body: '{}' });
    expect(response.status).toBe(405);
    expect(response.headers).toMatchObject({ allow: 'POST' });
    expect(sweeper.calls).toHaveLength(0);
  });
});

describe('reminderRun failures', () => {
  it('answers 500 ConfigInvalid naming the setting, and writes nothing', async () => {
    const { response, queued } = await call(
      new ConfigError('KEY_VAULT_URL', 'KEY_VAULT_URL is required, e.g. https://name.vault.azure.net'),
    );
    expect(response.status).toBe(500);
    expect(jsonOf(response)).toEqual({
      error: {
        code: 'ConfigInvalid',
        setting: 'KEY_VAULT_URL',
        runId: 'run-42',
        message: expect.stringContaining('KEY_VAULT_URL'),
      },
    });
    expect(queued).toBeUndefined();
  });

  it.each([
    ['GraphAccessDenied', 502],
    ['AuthenticationFailed', 502],
    ['KeyVaultUnavailable', 503],
    ['GraphThrottled', 503],
  ] as const)('answers %s with %i, a safe message and the run id, and logs the details', async (code, status) => {
    const detail = 'https://vault.internal.example:8443/secrets/x failed with token eyJhbGciOi';
    const { response, logs, queued } = await call(
      new DueNotifierError(code, detail, { cause: new Error('socket hang up') }),
    );
    expect(response.status).toBe(status);
    expect(jsonOf(response)).toEqual({ error: { code, runId: 'run-42', message: expect.stringContaining('run-42') } });
    expect(JSON.stringify(response.jsonBody)).not.toMatch(/https?:|eyJ|socket/);
    expect(
      logs.some((line) => line.startsWith('error:') && line.includes(code) && line.includes('socket hang up')),
    ).toBe(true);
    expect(queued).toBeUndefined();
  });

  it('answers an unexpected error with 500 InternalError and no detail', async () => {
    const { response } = await call(
      new TypeError('Cannot read properties of undefined (reading "x") at /home/site/wwwroot/dist/x.js'),
    );
    expect(response.status).toBe(500);
    expect(jsonOf(response)).toEqual({
      error: { code: 'InternalError', runId: 'run-42', message: expect.any(String) },
    });
    expect(JSON.stringify(response.jsonBody)).not.toMatch(/wwwroot|Cannot read/);
  });
});
