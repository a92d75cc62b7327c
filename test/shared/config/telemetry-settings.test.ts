import { describe, expect, it } from 'vitest';
import { problemWith, testConfig } from '../../support/settings.js';

describe('telemetry settings', () => {
  it('are optional, and accept an OTLP collector over http or https and a connection string', () => {
    expect(() => testConfig()).not.toThrow();
    expect(() =>
      testConfig({
        OTEL_EXPORTER_OTLP_ENDPOINT: 'http://localhost:4318',
        APPLICATIONINSIGHTS_CONNECTION_STRING:
          'InstrumentationKey=00000000-0000-0000-0000-000000000000;IngestionEndpoint=https://westeurope-5.in.applicationinsights.azure.com/',
      }),
    ).not.toThrow();
  });

  it('refuse an endpoint that is not an http(s) URL, naming the setting', () => {
    expect(problemWith({ OTEL_EXPORTER_OTLP_ENDPOINT: 'localhost:4318' }, 'OTEL_EXPORTER_OTLP_ENDPOINT')).toContain(
      'an http(s) URL of an OTLP/HTTP collector',
    );
    expect(
      problemWith({ OTEL_EXPORTER_OTLP_ENDPOINT: 'https://u:p@collector.example' }, 'OTEL_EXPORTER_OTLP_ENDPOINT'),
    ).toContain('a URL with credentials in it');
  });

  it('refuse a connection string without an instrumentation key, and never show it', () => {
    const message = problemWith(
      { APPLICATIONINSIGHTS_CONNECTION_STRING: 'IngestionEndpoint=https://x.example/;Secret=hush' },
      'APPLICATIONINSIGHTS_CONNECTION_STRING',
    );
    expect(message).toContain('no InstrumentationKey');
    expect(message).not.toContain('hush');
  });
});
