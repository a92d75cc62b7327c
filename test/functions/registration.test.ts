/**
 * The registrations exactly as the host receives them: the app is loaded through the local host's
 * fake of the worker's `@azure/functions-core`, which captures every `registerFunction` call.
 */
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import { loadFunctionApp } from '../../devhost/host.js';
import type { FunctionApp, HostBinding } from '../../devhost/host-types.js';

const APP_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

describe('function registrations', () => {
  let functionApp: FunctionApp;

  beforeAll(async () => {
    functionApp = await loadFunctionApp({ entryPoints: ['functions/*.ts'], appRoot: APP_ROOT });
  });

  function outputs(name: string): HostBinding[] {
    return functionApp.getFunction(name).bindings.filter((binding) => binding.direction === 'out');
  }

  it('registers the timer and HTTP functions of the contract under their names', () => {
    expect(functionApp.functions.map((fn) => fn.name)).toEqual(
      expect.arrayContaining(['reminderRun', 'reminderTimer']),
    );
    for (const fn of functionApp.functions) {
      expect(fn.functionId).toBe(fn.name);
    }
  });

  it('reminderTimer: timer on %NOTIFY_SCHEDULE% with the monitor on, no run on startup', () => {
    const { trigger } = functionApp.getFunction('reminderTimer');
    expect(trigger).toEqual({
      name: expect.any(String),
      type: 'timerTrigger',
      direction: 'in',
      schedule: '%NOTIFY_SCHEDULE%',
      useMonitor: true,
      runOnStartup: false,
      properties: { supportsDeferredBinding: 'false' },
    });
  });

  it('reminderTimer: retries a failed run with exponential backoff from 30 seconds', () => {
    expect(functionApp.getFunction('reminderTimer').retryOptions).toMatchObject({
      retryStrategy: 'exponentialBackoff',
      maxRetryCount: 3,
      minimumInterval: { seconds: 30 },
      maximumInterval: { seconds: 300 },
    });
  });

  it('both functions write to the reminders queue through one Storage queue output binding', () => {
    const expectedQueue = {
      name: expect.any(String),
      type: 'queue',
      direction: 'out',
      queueName: '%NOTIFICATION_QUEUE%',
      connection: 'AzureWebJobsStorage',
    };
    expect(outputs('reminderTimer')).toEqual([expectedQueue]);
    const runQueue = outputs('reminderRun').filter((binding) => binding.type === 'queue');
    expect(runQueue).toEqual([expectedQueue]);
    expect(runQueue[0]?.name).toBe(outputs('reminderTimer')[0]?.name);
  });

  it('reminderRun: POST /api/reminders/run with a function key, answering through the HTTP return binding', () => {
    const fn = functionApp.getFunction('reminderRun');
    expect(fn.trigger).toMatchObject({
      type: 'httpTrigger',
      direction: 'in',
      authLevel: 'function',
      route: 'reminders/run',
      methods: ['POST'],
    });
    expect(outputs('reminderRun')).toContainEqual({ name: '$return', type: 'http', direction: 'out' });
    expect(fn.retryOptions).toBeUndefined();
  });

  it.each([
    ['runHistory', 'reminders/runs', 'GET'],
    ['runDetails', 'reminders/runs/{id}', 'GET'],
    ['runResubmit', 'reminders/runs/{id}/resubmit', 'POST'],
  ])('%s: %s %s with a function key', (name, route, method) => {
    expect(functionApp.getFunction(name).trigger).toMatchObject({
      type: 'httpTrigger',
      authLevel: 'function',
      route,
      methods: [method],
    });
    expect(outputs(name)).toContainEqual({ name: '$return', type: 'http', direction: 'out' });
  });

  it('runResubmit writes to the reminders queue through the same output binding as reminderRun', () => {
    const queue = (name: string) => outputs(name).filter((binding) => binding.type === 'queue');
    expect(queue('runResubmit')).toEqual(queue('reminderRun'));
  });

  it('the host receives each binding as JSON carrying its name', () => {
    for (const fn of functionApp.functions) {
      const parsed = fn.registration.rawBindings.map((raw) => JSON.parse(raw) as { name: string });
      expect(parsed.map((binding) => binding.name).sort()).toEqual(
        Object.keys(fn.registration.metadata.bindings).sort(),
      );
    }
  });
});
