/**
 * OpenTelemetry end to end: with OTEL_EXPORTER_OTLP_ENDPOINT pointing at an OTLP/HTTP receiver this
 * test starts on a loopback port, the demo path (reminderTimer through the local host on the local
 * stack, then reminderDeliver on every queued reminder) exports traces, metrics and logs to it. The
 * exporters send OTLP/JSON, decoded with JSON.parse. Every payload goes through the leak guard (no
 * secret or token the stack issued), and none holds an e-mail address or a customer's name.
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { stopTelemetry } from '../../shared/telemetry/setup.js';
import { useFunctionHost } from '../support/function-host.js';
import { captureOutput } from '../support/leak-guard.js';
import { useLocalStack } from '../support/stack.js';

/** An OTLP attribute as OTLP/JSON writes it. */
interface KeyValue {
  readonly key: string;
  readonly value: {
    readonly stringValue?: string;
    readonly intValue?: string | number;
    readonly boolValue?: boolean;
    readonly doubleValue?: number;
  };
}
interface OtlpSpan {
  readonly name: string;
  readonly traceId: string;
  readonly parentSpanId?: string;
  readonly attributes?: readonly KeyValue[];
}
interface TracesRequest {
  readonly resourceSpans: readonly { readonly scopeSpans: readonly { readonly spans: readonly OtlpSpan[] }[] }[];
}
interface MetricsRequest {
  readonly resourceMetrics: readonly {
    readonly scopeMetrics: readonly { readonly metrics: readonly { readonly name: string }[] }[];
  }[];
}
interface LogsRequest {
  readonly resourceLogs: readonly {
    readonly scopeLogs: readonly {
      readonly logRecords: readonly { readonly body?: { stringValue?: string }; attributes?: readonly KeyValue[] }[];
    }[];
  }[];
}

/** A minimal OTLP/HTTP receiver: keeps each request's body by path, answers 200 `{}`. */
function startReceiver() {
  const received: { path: string; body: string }[] = [];
  const server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      received.push({ path: request.url ?? '', body: Buffer.concat(chunks).toString('utf8') });
      response.writeHead(200, { 'content-type': 'application/json' }).end('{}');
    });
  });
  return { server, received };
}

function attributesOf(attributes: readonly KeyValue[] | undefined): Record<string, unknown> {
  return Object.fromEntries(
    (attributes ?? []).map(({ key, value }) => [
      key,
      value.stringValue ??
        (value.intValue === undefined ? undefined : Number(value.intValue)) ??
        value.boolValue ??
        value.doubleValue,
    ]),
  );
}

describe('OpenTelemetry export (OTLP/HTTP)', () => {
  const receiver = startReceiver();
  const settings: Record<string, string> = {};
  beforeAll(async () => {
    await new Promise<void>((resolve) => receiver.server.listen(0, '127.0.0.1', resolve));
    const { port } = receiver.server.address() as AddressInfo;
    settings.OTEL_EXPORTER_OTLP_ENDPOINT = `http://127.0.0.1:${port}`;
  });
  afterAll(async () => {
    await stopTelemetry();
    await new Promise((resolve) => receiver.server.close(resolve));
  });
  const stack = useLocalStack();
  const host = useFunctionHost(stack, { settings });

  it('sends the spans, metrics and log records of a run and its deliveries, and nothing personal', async () => {
    const run = await host().fireTimer();
    expect(run.status).toBe('succeeded');
    const mails = stack().graph.outbox();
    const delivered = await host().deliverQueued();
    expect(delivered.outcomes.length).toBeGreaterThan(0);
    const sent = stack().graph.outbox().slice(mails.length);
    expect(sent.length).toBeGreaterThan(0);

    const paths = new Set(receiver.received.map((request) => request.path));
    expect([...paths].sort()).toEqual(['/v1/logs', '/v1/metrics', '/v1/traces']);

    const spans = receiver.received
      .filter((request) => request.path === '/v1/traces')
      .flatMap((request) => (JSON.parse(request.body) as TracesRequest).resourceSpans)
      .flatMap((resource) => resource.scopeSpans.flatMap((scope) => scope.spans));
    const names = new Set(spans.map((span) => span.name));
    for (const name of [
      'reminderTimer',
      'reminderDeliver',
      'reminders.sweep',
      'graph.list_items.page',
      'entra.token',
      'keyvault.secret.read',
      'reminder.deliver',
      'HTTP GET graph',
      'HTTP POST graph',
    ]) {
      expect(names, name).toContain(name);
    }
    const sweep = spans.find((span) => span.name === 'reminders.sweep');
    const timer = spans.find((span) => span.name === 'reminderTimer');
    expect(sweep?.traceId).toBe(timer?.traceId);
    expect(attributesOf(sweep?.attributes)).toMatchObject({
      'due_notifier.items_read': expect.any(Number) as number,
      'due_notifier.reminders': delivered.outcomes.length,
    });
    const deliveries = spans
      .filter((span) => span.name === 'reminder.deliver')
      .map((span) => attributesOf(span.attributes));
    expect(deliveries.filter((attributes) => attributes['due_notifier.outcome'] === 'sent')).toHaveLength(sent.length);
    const page = spans.find((span) => span.name === 'HTTP GET graph');
    expect(attributesOf(page?.attributes)).toMatchObject({
      'http.response.status_code': 200,
      'http.request.resend_count': 0,
      'due_notifier.service': 'graph',
    });

    const metricNames = receiver.received
      .filter((request) => request.path === '/v1/metrics')
      .flatMap((request) => (JSON.parse(request.body) as MetricsRequest).resourceMetrics)
      .flatMap((resource) => resource.scopeMetrics.flatMap((scope) => scope.metrics.map((metric) => metric.name)));
    expect(new Set(metricNames)).toEqual(
      new Set(['due_notifier.reminders.emitted', 'due_notifier.reminders.skipped', 'due_notifier.deliveries']),
    );

    const summaries = receiver.received
      .filter((request) => request.path === '/v1/logs')
      .flatMap((request) => (JSON.parse(request.body) as LogsRequest).resourceLogs)
      .flatMap((resource) => resource.scopeLogs.flatMap((scope) => scope.logRecords))
      .filter((record) => record.body?.stringValue?.endsWith(' summary'));
    expect(summaries).toHaveLength(1);
    expect(attributesOf(summaries[0]?.attributes)).toMatchObject({ 'due_notifier.reminders': sent.length });

    // Nothing personal or secret in any payload: the leak guard checks what the stack issued.
    const personal = sent.flatMap((mail) =>
      mail.toRecipients.flatMap((recipient) => [recipient.address, ...(recipient.name ? [recipient.name] : [])]),
    );
    for (const request of receiver.received) {
      captureOutput('telemetry', request.path, request.body);
      expect(request.body).not.toMatch(/[\w.+-]+@[\w-]+\.[\w.-]+/);
      for (const value of personal) expect(request.body).not.toContain(value);
    }
  });

  it('records a throttled Graph read: the retry on its span, the wait in the throttling metric', async () => {
    receiver.received.length = 0;
    stack().faults.add({
      endpoint: 'graph.listItems',
      path: '^(?!.*skiptoken)',
      action: { type: 'status', status: 429, retryAfter: '0.05' },
      count: 1,
    });
    expect((await host().runByHttp({ dryRun: true })).status).toBe('succeeded');

    const spans = receiver.received
      .filter((request) => request.path === '/v1/traces')
      .flatMap((request) => (JSON.parse(request.body) as TracesRequest).resourceSpans)
      .flatMap((resource) => resource.scopeSpans.flatMap((scope) => scope.spans));
    const retried = spans
      .filter((span) => span.name === 'HTTP GET graph')
      .map((span) => attributesOf(span.attributes))
      .filter((attributes) => attributes['http.request.resend_count'] === 1);
    const sweep = spans.find((span) => span.name === 'reminders.sweep');
    expect(attributesOf(sweep?.attributes)).toMatchObject({ 'due_notifier.dry_run': true });
    expect(retried).toEqual([
      expect.objectContaining({ 'http.response.status_code': 200, 'due_notifier.attempts': 2 }),
    ]);
    const metricNames = receiver.received
      .filter((request) => request.path === '/v1/metrics')
      .flatMap((request) => (JSON.parse(request.body) as MetricsRequest).resourceMetrics)
      .flatMap((resource) => resource.scopeMetrics.flatMap((scope) => scope.metrics.map((metric) => metric.name)));
    expect(metricNames).toContain('due_notifier.throttle.wait');
  });
});
