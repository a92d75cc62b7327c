/**
 * The OpenTelemetry SDK of the worker, started at the first invocation when an exporter is configured:
 * OTLP/HTTP (JSON) when `OTEL_EXPORTER_OTLP_ENDPOINT` is set, Azure Monitor when
 * `APPLICATIONINSIGHTS_CONNECTION_STRING` is set (with a managed identity's Entra token when
 * `APPLICATIONINSIGHTS_AUTHENTICATION_STRING` says `Authorization=AAD`), both when both are. It is a chunk of its own in the
 * deploy package (scripts/support/function-app-bundle.ts), loaded by functions/support/telemetry.ts only
 * then: without an exporter, none of these packages is loaded.
 *
 * Each invocation runs in a span that continues the host's trace (`context.traceContext`, the W3C
 * `traceparent` the host sends when host.json's `telemetryMode` is `OpenTelemetry`), and telemetry is
 * flushed when it ends: a Consumption instance may be frozen right after.
 */
import {
  AzureMonitorLogExporter,
  AzureMonitorMetricExporter,
  AzureMonitorTraceExporter,
} from '@azure/monitor-opentelemetry-exporter';
import { ROOT_CONTEXT, SpanKind, SpanStatusCode, context, metrics, propagation, trace } from '@opentelemetry/api';
import { logs } from '@opentelemetry/api-logs';
import { W3CTraceContextPropagator } from '@opentelemetry/core';
import { OTLPLogExporter } from '@opentelemetry/exporter-logs-otlp-http';
import { OTLPMetricExporter } from '@opentelemetry/exporter-metrics-otlp-http';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { BatchLogRecordProcessor, LoggerProvider } from '@opentelemetry/sdk-logs';
import type { LogRecordExporter } from '@opentelemetry/sdk-logs';
import { MeterProvider, PeriodicExportingMetricReader } from '@opentelemetry/sdk-metrics';
import type { PushMetricExporter } from '@opentelemetry/sdk-metrics';
import { BatchSpanProcessor, NodeTracerProvider } from '@opentelemetry/sdk-trace-node';
import type { SpanExporter } from '@opentelemetry/sdk-trace-node';
import type { TokenCredential } from '@azure/identity';
import { TELEMETRY_SCOPE } from '../base/telemetry.js';
import { readTelemetryAuthentication } from '../base/telemetry-auth.js';
import type { TelemetryIdentity } from '../base/telemetry-auth.js';

/** The settings that choose the exporters (the Functions host passes app settings as the environment). */
export interface TelemetrySettings {
  readonly APPLICATIONINSIGHTS_CONNECTION_STRING?: string | undefined;
  readonly APPLICATIONINSIGHTS_AUTHENTICATION_STRING?: string | undefined;
  readonly OTEL_EXPORTER_OTLP_ENDPOINT?: string | undefined;
}

/**
 * The credential the Azure Monitor exporter sends telemetry with, for the identity the settings name. The
 * functions pass the runtime chunk's (shared/clients/telemetry-credential.ts): this chunk bundles no Azure Identity.
 */
export type TelemetryCredentialFactory = (identity: TelemetryIdentity) => TokenCredential;

/**
 * Entra authentication for Application Insights, when the settings ask for it: an Application Insights
 * resource with local authentication off accepts no telemetry without it. A malformed string has failed
 * the settings check already; here it means no credential.
 */
function telemetryCredential(
  authentication: string | undefined,
  createCredential: TelemetryCredentialFactory,
): TokenCredential | undefined {
  const identity = authentication === undefined ? undefined : readTelemetryAuthentication(authentication);
  return identity === undefined || 'problem' in identity ? undefined : createCredential(identity);
}

/** What the worker knows of an invocation: its function, its id and the host's trace context. */
export interface InvocationTrace {
  readonly functionName: string;
  readonly invocationId: string;
  readonly trigger: string;
  readonly traceParent?: string | undefined;
  readonly traceState?: string | undefined;
}

interface Telemetry {
  readonly key: string;
  flush(): Promise<void>;
  shutdown(): Promise<void>;
}

let started: Telemetry | undefined;

/**
 * Starts the SDK for these settings (once; again after a change of exporter settings), and registers
 * it as the global tracer, meter and logger provider. Returns undefined when no exporter is configured.
 */
export function startTelemetry(
  env: TelemetrySettings,
  createCredential: TelemetryCredentialFactory,
): Telemetry | undefined {
  const connectionString = env.APPLICATIONINSIGHTS_CONNECTION_STRING?.trim() || undefined;
  const authentication = env.APPLICATIONINSIGHTS_AUTHENTICATION_STRING?.trim() || undefined;
  const otlpEndpoint = env.OTEL_EXPORTER_OTLP_ENDPOINT?.trim() || undefined;
  if (connectionString === undefined && otlpEndpoint === undefined) return undefined;
  const key = JSON.stringify([connectionString, authentication, otlpEndpoint]);
  if (started?.key === key) return started;
  const previous = started;
  started = undefined;
  void previous?.shutdown();

  const spanExporters: SpanExporter[] = [];
  const metricExporters: PushMetricExporter[] = [];
  const logExporters: LogRecordExporter[] = [];
  if (otlpEndpoint !== undefined) {
    // Each exporter reads OTEL_EXPORTER_OTLP_ENDPOINT (and _HEADERS, ...) itself and adds /v1/{signal}.
    spanExporters.push(new OTLPTraceExporter());
    metricExporters.push(new OTLPMetricExporter());
    logExporters.push(new OTLPLogExporter());
  }
  if (connectionString !== undefined) {
    const credential = telemetryCredential(authentication, createCredential);
    const options = credential === undefined ? { connectionString } : { connectionString, credential };
    spanExporters.push(new AzureMonitorTraceExporter(options));
    metricExporters.push(new AzureMonitorMetricExporter(options));
    logExporters.push(new AzureMonitorLogExporter(options));
  }

  const resource = resourceFromAttributes({
    'service.name': TELEMETRY_SCOPE,
    'cloud.provider': 'azure',
    'cloud.platform': 'azure.functions',
  });
  const tracerProvider = new NodeTracerProvider({
    resource,
    spanProcessors: spanExporters.map((exporter) => new BatchSpanProcessor(exporter)),
  });
  tracerProvider.register({ propagator: new W3CTraceContextPropagator() });
  const readers = metricExporters.map(
    (exporter) => new PeriodicExportingMetricReader({ exporter, exportIntervalMillis: 60_000 }),
  );
  const meterProvider = new MeterProvider({ resource, readers });
  metrics.setGlobalMeterProvider(meterProvider);
  const loggerProvider = new LoggerProvider({
    resource,
    processors: logExporters.map((exporter) => new BatchLogRecordProcessor({ exporter })),
  });
  logs.setGlobalLoggerProvider(loggerProvider);

  started = {
    key,
    async flush() {
      await Promise.all([tracerProvider.forceFlush(), meterProvider.forceFlush(), loggerProvider.forceFlush()]);
    },
    async shutdown() {
      // Unregistered at once, so that a successor registered before these promises settle stays registered.
      trace.disable();
      metrics.disable();
      logs.disable();
      propagation.disable();
      context.disable();
      await Promise.allSettled([tracerProvider.shutdown(), meterProvider.shutdown(), loggerProvider.shutdown()]);
    },
  };
  return started;
}

/** Flushes what the SDK holds (spans, metrics, log records); nothing when it is not started. */
export async function flushTelemetry(): Promise<void> {
  await started?.flush();
}

/** Stops the SDK and unregisters it (tests, a CLI before it exits). */
export async function stopTelemetry(): Promise<void> {
  const current = started;
  started = undefined;
  await current?.shutdown();
}

/**
 * Runs an invocation in a span that continues the host's trace, then flushes. Without an exporter it
 * only runs the invocation. `createCredential` is for Entra authentication to Application Insights.
 */
export async function runInvocation<T>(
  invocation: InvocationTrace,
  task: () => Promise<T>,
  createCredential: TelemetryCredentialFactory,
): Promise<T> {
  const telemetry = startTelemetry(process.env, createCredential);
  if (telemetry === undefined) return task();
  const carrier: Record<string, string> = {};
  if (invocation.traceParent) carrier.traceparent = invocation.traceParent;
  if (invocation.traceState) carrier.tracestate = invocation.traceState;
  const parent = propagation.extract(ROOT_CONTEXT, carrier);
  const span = trace.getTracer(TELEMETRY_SCOPE).startSpan(
    invocation.functionName,
    {
      kind: SpanKind.SERVER,
      attributes: {
        'faas.name': invocation.functionName,
        'faas.invocation_id': invocation.invocationId,
        'faas.trigger': invocation.trigger,
      },
    },
    parent,
  );
  try {
    return await context.with(trace.setSpan(parent, span), task);
  } catch (error) {
    const code = typeof (error as { code?: unknown }).code === 'string' ? (error as { code: string }).code : 'Error';
    span.setAttribute('error.type', code);
    span.setStatus({ code: SpanStatusCode.ERROR, message: code });
    throw error;
  } finally {
    span.end();
    await telemetry.flush().catch(() => undefined);
  }
}
