/** A tiny function app for the local host's own tests: timers, HTTP functions with and without route parameters. */
import { app, output } from '@azure/functions';
import type { HttpRequest, InvocationContext, Timer } from '@azure/functions';

const queueOutput = output.storageQueue({ queueName: '%FIXTURE_QUEUE%', connection: 'FixtureStorage' });

app.timer('tick', {
  schedule: '%FIXTURE_SCHEDULE%',
  useMonitor: true,
  extraOutputs: [queueOutput],
  handler: (timer: Timer, context: InvocationContext) => {
    context.info(JSON.stringify(timer));
    context.extraOutputs.set(queueOutput, [{ id: 'a', text: 'héllo' }, 'plain text']);
  },
});

app.timer('tickFails', {
  schedule: '0 0 * * * *',
  extraOutputs: [queueOutput],
  handler: (_timer: Timer, context: InvocationContext) => {
    context.extraOutputs.set(queueOutput, [{ id: 'never' }]);
    throw new Error('fixture failure');
  },
});

app.http('echo', {
  methods: ['POST'],
  authLevel: 'function',
  route: 'fixture/echo',
  handler: async (request: HttpRequest) => ({
    status: 201,
    headers: { 'x-fixture': 'yes' },
    jsonBody: {
      method: request.method,
      url: request.url,
      contentType: request.headers.get('content-type'),
      body: await request.text(),
      query: request.query.get('q'),
    },
  }),
});

app.http('item', {
  methods: ['GET'],
  authLevel: 'function',
  route: 'fixture/items/{id}/{part?}',
  handler: (request: HttpRequest) => ({ jsonBody: { params: request.params, url: request.url } }),
});

app.http('newItem', {
  methods: ['GET'],
  authLevel: 'function',
  route: 'fixture/items/new',
  handler: () => ({ jsonBody: { literal: true } }),
});
