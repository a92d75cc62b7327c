/**
 * The app's telemetry vocabulary: spans, counters and log records through the OpenTelemetry API, which
 * does nothing until shared/telemetry/setup.ts registers an SDK (only when an exporter is configured).
 * Attributes carry ids, codes, counts and statuses only: never a secret, a token, an e-mail address or a
 * customer's name.
 */
import { SpanKind, SpanStatusCode, metrics, trace } from '@opentelemetry/api';
import type { Attributes, Counter, Histogram, MeterProvider, Span } from '@opentelemetry/api';
import { SeverityNumber, logs } from '@opentelemetry/api-logs';

/** The instrumentation scope of every span, instrument and log record of the app. */
export const TELEMETRY_SCOPE = 'due-notifier';

export type TelemetryAttributes = Attributes;
export type TelemetrySpan = Span;

/** Runs `task` in a span named `name` (its child spans nest under it); a throw marks the span failed. */
export async function inSpan<T>(
  name: string,
  attributes: TelemetryAttributes,
  task: (span: TelemetrySpan) => Promise<T>,
  options: { readonly client?: boolean } = {},
): Promise<T> {
  const tracer = trace.getTracer(TELEMETRY_SCOPE);
  return tracer.startActiveSpan(
    name,
    { attributes, kind: options.client === true ? SpanKind.CLIENT : SpanKind.INTERNAL },
    async (span) => {
      try {
        return await task(span);
      } catch (error) {
        const code = errorCodeOf(error);
        span.setAttribute('error.type', code);
        span.setStatus({ code: SpanStatusCode.ERROR, message: code });
        throw error;
      } finally {
        span.end();
      }
    },
  );
}

/** An error's stable code (DueNotifierError `code`) or its class name: never its message, which may hold details. */
export function errorCodeOf(error: unknown): string {
  if (typeof error === 'object' && error !== null) {
    const { code, name } = error as { code?: unknown; name?: unknown };
    if (typeof code === 'string') return code;
    if (typeof name === 'string') return name;
  }
  return 'Error';
}

/** The app's instruments. */
interface Instruments {
  readonly remindersEmitted: Counter;
  readonly remindersSkipped: Counter;
  readonly deliveries: Counter;
  readonly throttleWaits: Histogram;
  readonly historyWriteFailures: Counter;
}

let instruments: { readonly provider: MeterProvider; readonly set: Instruments } | undefined;

/** The instruments of the current meter provider (the API's no-op one until an SDK is registered). */
function currentInstruments(): Instruments {
  const provider = metrics.getMeterProvider();
  if (instruments?.provider !== provider) {
    const meter = provider.getMeter(TELEMETRY_SCOPE);
    instruments = {
      provider,
      set: {
        remindersEmitted: meter.createCounter('due_notifier.reminders.emitted', {
          description: 'Reminders a sweep put on the queue',
        }),
        remindersSkipped: meter.createCounter('due_notifier.reminders.skipped', {
          description: 'List items a sweep read and gave no reminder, by reason',
        }),
        deliveries: meter.createCounter('due_notifier.deliveries', {
          description: 'Reminder deliveries by outcome: sent, deferred (retried by the queue), failed, settled',
        }),
        throttleWaits: meter.createHistogram('due_notifier.throttle.wait', {
          description: 'Waits for a throttled service (Retry-After or backoff)',
          unit: 'ms',
        }),
        historyWriteFailures: meter.createCounter('due_notifier.history.write_failures', {
          description: 'Run history writes that failed (logged; the run or delivery went on)',
        }),
      },
    };
  }
  return instruments.set;
}

/** A sweep's reminders and skipped items, by reason. */
export function recordSweepCounts(emitted: number, skipped: Readonly<Record<string, number | undefined>>): void {
  const set = currentInstruments();
  set.remindersEmitted.add(emitted);
  for (const [reason, count] of Object.entries(skipped)) {
    if (count !== undefined && count > 0) set.remindersSkipped.add(count, { reason });
  }
}

/** One delivery's outcome: `sent`, `deferred` (the queue retries it), `failed` (for good) or `settled`. */
export function recordDelivery(outcome: 'sent' | 'deferred' | 'failed' | 'settled' | 'refused', code?: string): void {
  currentInstruments().deliveries.add(1, { outcome, ...(code === undefined ? {} : { code }) });
}

/** A wait before a retry or during a shared throttle pause, on a service of this kind. */
export function recordThrottleWait(delayMs: number, attributes: TelemetryAttributes): void {
  currentInstruments().throttleWaits.record(delayMs, attributes);
}

/** A run history write that failed and was swallowed (the run or the delivery went on). */
export function recordHistoryWriteFailure(code: string): void {
  currentInstruments().historyWriteFailures.add(1, { code });
}

/** A log record with attributes (queryable dimensions), alongside the text the invocation logs. */
export function emitLogRecord(
  body: string,
  attributes: TelemetryAttributes,
  severity: 'info' | 'warn' | 'error' = 'info',
): void {
  const severityNumber =
    severity === 'error' ? SeverityNumber.ERROR : severity === 'warn' ? SeverityNumber.WARN : SeverityNumber.INFO;
  logs.getLogger(TELEMETRY_SCOPE).emit({ body, attributes, severityNumber, severityText: severity.toUpperCase() });
}
