/**
 * NOTIFY_SCHEDULE and NOTIFICATION_QUEUE have no default (the host resolves the binding expressions
 * from app settings only): the timer and the HTTP trigger, on their real sweeper, fail with
 * ConfigInvalid naming the one that is missing, before any request.
 */
import { HttpRequest } from '@azure/functions';
import type { HttpResponseInit, Timer } from '@azure/functions';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { createReminderRunHandler } from '../../functions/reminderRun.js';
import { createReminderTimerHandler } from '../../functions/reminderTimer.js';
import { reminderQueueOutput } from '../../functions/support/bindings.js';
import { ConfigError } from '../../shared/base/errors.js';
import { resetDaemonRuntime } from '../../shared/runtime.js';
import { contextWithLogs } from '../support/invocation-context.js';
import { REQUIRED_SETTINGS } from '../support/settings.js';

const TIMER: Timer = {
  isPastDue: false,
  schedule: { adjustForDST: true },
  scheduleStatus: { last: '0001-01-01T00:00:00', next: '2026-12-01T07:00:00Z', lastUpdated: '0001-01-01T00:00:00' },
};

function stubSettingsWithout(setting: string): void {
  for (const [name, value] of Object.entries(REQUIRED_SETTINGS)) vi.stubEnv(name, value);
  vi.stubEnv(setting, undefined);
}

describe.each(['NOTIFY_SCHEDULE', 'NOTIFICATION_QUEUE'])('without %s', (setting) => {
  afterEach(() => {
    vi.unstubAllEnvs();
    resetDaemonRuntime();
  });

  it('reminderTimer fails with ConfigInvalid naming it and enqueues nothing', async () => {
    stubSettingsWithout(setting);
    const { context } = contextWithLogs({
      invocationId: 'run-1',
      functionName: 'reminderTimer',
      options: { trigger: { type: 'timerTrigger', name: 'timer' }, extraOutputs: [reminderQueueOutput] },
    });
    const failure = createReminderTimerHandler()(TIMER, context);
    await expect(failure).rejects.toBeInstanceOf(ConfigError);
    await expect(failure).rejects.toMatchObject({ code: 'ConfigInvalid', setting });
    expect(context.extraOutputs.get(reminderQueueOutput)).toBeUndefined();
  });

  it('reminderRun answers 500 ConfigInvalid naming it', async () => {
    stubSettingsWithout(setting);
    const { context } = contextWithLogs({
      invocationId: 'run-2',
      functionName: 'reminderRun',
      options: { trigger: { type: 'httpTrigger', name: 'request' }, extraOutputs: [reminderQueueOutput] },
    });
    const request = new HttpRequest({
      method: 'POST',
      url: 'http://localhost:7071/api/reminders/run',
      headers: { 'content-type': 'application/json' },
      body: { string: '{"dryRun": true}' },
    });
    const response: HttpResponseInit = await createReminderRunHandler()(request, context);
    expect(response.status).toBe(500);
    expect(response.jsonBody).toMatchObject({ error: { code: 'ConfigInvalid', setting } });
  });
});
