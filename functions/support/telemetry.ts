/**
 * The worker side of OpenTelemetry (host.json `telemetryMode`): when an exporter is configured, tells
 * the host that the worker exports its own telemetry, and runs each invocation in a span that continues
 * the host's trace. The SDK (shared/telemetry/setup.ts, a chunk of its own) loads at the first
 * invocation, and only then: without `APPLICATIONINSIGHTS_CONNECTION_STRING` or
 * `OTEL_EXPORTER_OTLP_ENDPOINT` nothing of OpenTelemetry is loaded, at registration or later.
 *
 * Every function file imports this module before it registers, so that `app.setup` runs first.
 */
import { app } from '@azure/functions';
import type { InvocationContext } from '@azure/functions';

/** Whether an exporter is configured in these settings (the host passes app settings as the environment). */
export function telemetryConfigured(env: NodeJS.ProcessEnv = process.env): boolean {
  return Boolean(env.APPLICATIONINSIGHTS_CONNECTION_STRING?.trim() || env.OTEL_EXPORTER_OTLP_ENDPOINT?.trim());
}

if (telemetryConfigured()) {
  // The worker exports traces, metrics and logs itself; the host then sends it the invocation's trace context.
  app.setup({ capabilities: { WorkerOpenTelemetryEnabled: true } });
}

/**
 * The handler, run in an invocation span and flushed after when an exporter is configured; `trigger`
 * names the trigger kind (`timer`, `http`, `queue`).
 */
export function withTelemetry<TTrigger, TResult>(
  trigger: string,
  handler: (input: TTrigger, context: InvocationContext) => TResult | Promise<TResult>,
): (input: TTrigger, context: InvocationContext) => Promise<TResult> {
  return async (input, context) => {
    if (!telemetryConfigured()) return handler(input, context);
    // The runtime chunk, which every handler loads anyway, makes the Entra credential: Azure Identity is bundled there only.
    const [{ runInvocation }, { telemetryCredential }] = await Promise.all([
      import('../../shared/telemetry/setup.js'),
      import('../../shared/runtime.js'),
    ]);
    return runInvocation(
      {
        functionName: context.functionName,
        invocationId: context.invocationId,
        trigger,
        traceParent: context.traceContext?.traceParent,
        traceState: context.traceContext?.traceState,
      },
      async () => handler(input, context),
      telemetryCredential,
    );
  };
}
