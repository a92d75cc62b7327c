/**
 * The SDK set-up on its own: nothing without an exporter setting, and the Azure Monitor exporter
 * sending to the ingestion endpoint of the connection string (an HTTPS server of the tests, trusted
 * like the local stack, stands in for Application Insights).
 */
import { trace } from '@opentelemetry/api';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { inSpan } from '../../../shared/base/telemetry.js';
import { runInvocation, startTelemetry, stopTelemetry } from '../../../shared/telemetry/setup.js';
import type { TelemetryCredentialFactory } from '../../../shared/telemetry/setup.js';
import { startRecordingServer } from '../../support/https-test-servers.js';
import type { TestHttpsServer } from '../../support/https-test-servers.js';

/** For settings without Entra authentication: no credential is made. */
const noCredential: TelemetryCredentialFactory = () => {
  throw new Error('these settings ask for no Entra authentication');
};

describe('telemetry SDK set-up', () => {
  let ingestion: TestHttpsServer;
  beforeAll(async () => {
    ingestion = await startRecordingServer();
  });
  afterAll(async () => {
    await stopTelemetry();
    await ingestion.close();
  });

  it('starts nothing without an exporter setting', () => {
    expect(startTelemetry({}, noCredential)).toBeUndefined();
    expect(
      startTelemetry({ OTEL_EXPORTER_OTLP_ENDPOINT: ' ', APPLICATIONINSIGHTS_CONNECTION_STRING: '' }, noCredential),
    ).toBeUndefined();
  });

  it('exports to Application Insights with the Azure Monitor exporter when a connection string is set', async () => {
    const connectionString = `InstrumentationKey=00000000-0000-0000-0000-000000000000;IngestionEndpoint=${ingestion.url}/`;
    const saved = process.env.APPLICATIONINSIGHTS_CONNECTION_STRING;
    process.env.APPLICATIONINSIGHTS_CONNECTION_STRING = connectionString;
    try {
      expect(startTelemetry({ APPLICATIONINSIGHTS_CONNECTION_STRING: connectionString }, noCredential)).toBeDefined();
      await runInvocation(
        { functionName: 'reminderTimer', invocationId: 'inv-1', trigger: 'timer' },
        () => inSpan('reminders.sweep', { 'due_notifier.reminders': 3 }, () => Promise.resolve()),
        noCredential,
      );
    } finally {
      if (saved === undefined) delete process.env.APPLICATIONINSIGHTS_CONNECTION_STRING;
      else process.env.APPLICATIONINSIGHTS_CONNECTION_STRING = saved;
    }
    expect(ingestion.requests.filter((request) => request.method === 'POST').map((request) => request.path)).toContain(
      '/v2.1/track',
    );
  });

  it("sends Application Insights telemetry with the identity's Entra token when the authentication string asks for it", async () => {
    const settings = {
      APPLICATIONINSIGHTS_CONNECTION_STRING: `InstrumentationKey=00000000-0000-0000-0000-000000000000;IngestionEndpoint=${ingestion.url}/`,
      APPLICATIONINSIGHTS_AUTHENTICATION_STRING: 'ClientId=33333333-3333-3333-3333-333333333333;Authorization=AAD',
    };
    const identities: unknown[] = [];
    const credential = {
      getToken: async () => ({ token: 'telemetry-entra-token', expiresOnTimestamp: Date.now() + 3_600_000 }),
    };
    const saved = { ...process.env };
    Object.assign(process.env, settings);
    const before = ingestion.requests.length;
    try {
      // A stand-in for the managed identity, handed over as the functions hand over the runtime chunk's.
      await runInvocation(
        { functionName: 'reminderTimer', invocationId: 'inv-2', trigger: 'timer' },
        () => inSpan('reminders.sweep', { 'due_notifier.reminders': 1 }, () => Promise.resolve()),
        (identity) => {
          identities.push(identity);
          return credential;
        },
      );
    } finally {
      for (const name of Object.keys(settings)) {
        if (saved[name] === undefined) delete process.env[name];
        else process.env[name] = saved[name];
      }
    }
    expect(identities).toEqual([{ clientId: '33333333-3333-3333-3333-333333333333' }]);
    const tracks = ingestion.requests.slice(before).filter((request) => request.path === '/v2.1/track');
    expect(tracks.length).toBeGreaterThan(0);
    for (const track of tracks) expect(track.headers.authorization).toBe('Bearer telemetry-entra-token');
  });

  it('starts again, registered, when the exporter settings change', () => {
    const first = startTelemetry({ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://127.0.0.1:1' }, noCredential);
    const second = startTelemetry({ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://127.0.0.1:2' }, noCredential);
    expect(second).toBeDefined();
    expect(second).not.toBe(first);
    expect(startTelemetry({ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://127.0.0.1:2' }, noCredential)).toBe(second);
    // Recording: the new SDK is the registered one (left unended: nothing to export to these ports).
    expect(trace.getTracer('test').startSpan('probe').isRecording()).toBe(true);
  });
});
