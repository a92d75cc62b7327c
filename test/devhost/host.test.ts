import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { QueueServiceClient } from '@azure/storage-queue';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadFunctionApp } from '../../devhost/host.js';
import type { FunctionApp } from '../../devhost/host-types.js';
import { invokeHttpPath } from '../../devhost/http-routes.js';
import { drainQueue } from '../../devhost/queue-storage.js';
import { startAzurite } from '../../emulators/stack/azurite.js';

const APP_ROOT = path.join(path.dirname(fileURLToPath(import.meta.url)), 'fixture-app');

describe('local Functions host', () => {
  let azurite: Awaited<ReturnType<typeof startAzurite>>;
  let functionApp: FunctionApp;
  let settings: Record<string, string>;

  beforeAll(async () => {
    azurite = await startAzurite({ inMemory: true });
    settings = {
      FixtureStorage: azurite.connectionString,
      FIXTURE_QUEUE: 'fixture-out',
      FIXTURE_SCHEDULE: '0 30 6 * * *',
    };
    functionApp = await loadFunctionApp({ entryPoints: ['functions/*.ts'], appRoot: APP_ROOT, settings });
  });

  afterAll(async () => {
    await azurite?.stop();
  });

  function fixtureQueue() {
    return QueueServiceClient.fromConnectionString(azurite.connectionString).getQueueClient('fixture-out');
  }

  it('captures every registration as the worker hands it to the host', () => {
    expect(functionApp.functions.map((fn) => fn.name)).toEqual(['tick', 'tickFails', 'echo', 'item', 'newItem']);
    const tick = functionApp.getFunction('tick');
    expect(tick.trigger).toMatchObject({
      type: 'timerTrigger',
      direction: 'in',
      schedule: '%FIXTURE_SCHEDULE%',
      useMonitor: true,
    });
    expect(tick.bindings).toContainEqual(
      expect.objectContaining({
        type: 'queue',
        direction: 'out',
        queueName: '%FIXTURE_QUEUE%',
        connection: 'FixtureStorage',
      }),
    );
    // rawBindings are JSON strings that carry each binding's name: what the host parses.
    for (const raw of tick.registration.rawBindings) {
      expect(JSON.parse(raw)).toHaveProperty('name');
    }
    expect(functionApp.getFunction('echo').trigger).toMatchObject({
      type: 'httpTrigger',
      route: 'fixture/echo',
      methods: ['POST'],
    });
  });

  it('refuses to load the app twice in one process (registration is locked after start-up)', async () => {
    await expect(loadFunctionApp({ entryPoints: ['functions/*.ts'], appRoot: APP_ROOT })).rejects.toThrow(
      /already loaded/,
    );
  });

  it('fires a timer with the host-shaped TimerInfo and writes each array element as its own base64 message', async () => {
    const outcome = await functionApp.invokeTimer('tick');
    expect(outcome.status).toBe('succeeded');
    const timer: unknown = JSON.parse(outcome.logs[0]?.message ?? 'null');
    expect(timer).toMatchObject({
      schedule: { adjustForDST: true },
      scheduleStatus: { last: '0001-01-01T00:00:00' },
      isPastDue: false,
    });
    expect(outcome.status === 'succeeded' && outcome.outputs).toEqual([
      expect.objectContaining({ type: 'queue', queueName: 'fixture-out', messageCount: 2 }),
    ]);

    const { peekedMessageItems } = await fixtureQueue().peekMessages({ numberOfMessages: 32 });
    expect(peekedMessageItems.map((message) => message.messageText)).toEqual([
      Buffer.from('{"id":"a","text":"héllo"}').toString('base64'),
      Buffer.from('plain text').toString('base64'),
    ]);
    expect(await drainQueue(fixtureQueue(), { encoding: 'base64' })).toEqual([
      '{"id":"a","text":"héllo"}',
      'plain text',
    ]);

    const second = await functionApp.invokeTimer('tick');
    const secondTimer = JSON.parse(second.logs[0]?.message ?? 'null') as { scheduleStatus: { last: string } };
    expect(secondTimer.scheduleStatus.last).not.toBe('0001-01-01T00:00:00');
    await drainQueue(fixtureQueue(), { encoding: 'base64' });
  });

  it('writes no output when the handler throws', async () => {
    const outcome = await functionApp.invokeTimer('tickFails');
    expect(outcome.status).toBe('failed');
    expect(outcome.status === 'failed' && outcome.error).toBeInstanceOf(Error);
    expect(await drainQueue(fixtureQueue(), { encoding: 'base64' })).toEqual([]);
  });

  it('does not fire a timer whose %SETTING% does not resolve', async () => {
    await expect(
      functionApp.invokeTimer('tick', { settings: { FixtureStorage: azurite.connectionString } }),
    ).rejects.toMatchObject({ code: 'SettingNotFound', message: expect.stringContaining('FIXTURE_SCHEDULE') });
  });

  it('invokes an HTTP function through the programming model and returns its response', async () => {
    const outcome = await functionApp.invokeHttp('echo', {
      method: 'post',
      headers: { 'Content-Type': 'application/json' },
      query: { q: '1' },
      body: '{"a":1}',
    });
    expect(outcome.status).toBe('succeeded');
    expect(outcome.response.status).toBe(201);
    expect(outcome.response.headers['x-fixture']).toBe('yes');
    expect(JSON.parse(outcome.response.body)).toEqual({
      method: 'POST',
      url: 'http://localhost:7071/api/fixture/echo?q=1',
      contentType: 'application/json',
      body: '{"a":1}',
      query: '1',
    });
  });

  it('does not route a method the function did not declare', async () => {
    const outcome = await functionApp.invokeHttp('echo', { method: 'GET' });
    expect(outcome).toEqual({
      status: 'notRouted',
      functionName: 'echo',
      response: { status: 404, headers: {}, body: '' },
    });
  });

  it('routes a path to the function whose route matches, with its route parameters (literal segments first)', async () => {
    const routed = await invokeHttpPath(functionApp, '/api/fixture/items/a%20b/details?x=1', { method: 'GET' });
    expect(routed.status).toBe('succeeded');
    expect(JSON.parse(routed.response.body)).toEqual({
      params: { id: 'a b', part: 'details' },
      url: 'http://localhost:7071/api/fixture/items/a%20b/details?x=1',
    });
    const optional = await invokeHttpPath(functionApp, '/api/fixture/items/7', { method: 'GET' });
    expect(JSON.parse(optional.response.body)).toMatchObject({ params: { id: '7' } });
    const literal = await invokeHttpPath(functionApp, '/api/FIXTURE/items/new', { method: 'GET' });
    expect(JSON.parse(literal.response.body)).toEqual({ literal: true });
  });

  it('answers 404 for a path no route matches, or a method the matching route does not take', async () => {
    for (const [method, path] of [
      ['GET', '/api/fixture/items'],
      ['GET', '/api/fixture/items/1/2/3'],
      ['POST', '/api/fixture/items/1'],
      ['GET', '/fixture/items/1'],
      ['GET', '/api/fixture/items/%E0%A4%A'],
    ] as const) {
      const outcome = await invokeHttpPath(functionApp, path, { method });
      expect(outcome.status, `${method} ${path}`).toBe('notRouted');
      expect(outcome.response.status).toBe(404);
    }
  });

  it('invoked by name, fills the route parameters in, and refuses a missing one', async () => {
    const outcome = await functionApp.invokeHttp('item', { method: 'GET', params: { id: 'x/y' } });
    expect(JSON.parse(outcome.response.body)).toMatchObject({ url: 'http://localhost:7071/api/fixture/items/x%2Fy' });
    await expect(functionApp.invokeHttp('item', { method: 'GET' })).rejects.toMatchObject({
      code: 'BindingNotSupported',
      message: expect.stringContaining("needs the parameter 'id'"),
    });
  });
});
