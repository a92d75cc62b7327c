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

  it('take Entra authentication for Application Insights, with or without a user-assigned identity', () => {
    for (const value of [
      'Authorization=AAD',
      'ClientId=33333333-3333-3333-3333-333333333333;Authorization=AAD',
      'authorization=aad; ClientId=33333333-3333-3333-3333-333333333333;',
    ]) {
      expect(() => testConfig({ APPLICATIONINSIGHTS_AUTHENTICATION_STRING: value }), value).not.toThrow();
    }
  });

  it('refuse an authentication string that names no Entra identity, saying why', () => {
    const problem = (value: string) =>
      problemWith({ APPLICATIONINSIGHTS_AUTHENTICATION_STRING: value }, 'APPLICATIONINSIGHTS_AUTHENTICATION_STRING');
    expect(problem('ClientId=my-identity;Authorization=AAD')).toContain('ClientId is not a GUID');
    expect(problem('ClientId=33333333-3333-3333-3333-333333333333')).toContain('it needs Authorization=AAD');
    expect(problem('Authorization=AAD;InstrumentationKey=abc')).toContain('"InstrumentationKey" is not a part of it');
  });
});
