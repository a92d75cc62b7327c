/**
 * The telemetry exporters' settings (Application Insights, its Entra authentication, OTLP): a group of
 * the one schema (schema.ts); none set, no telemetry SDK loads.
 */
import { conditional } from './declaration.js';
import type { SettingTree } from './declaration.js';
import * as rules from './rules.js';
import * as telemetryRules from './telemetry-rules.js';

export const TELEMETRY_SETTING_SCHEMA = {
  applicationInsights: conditional('APPLICATIONINSIGHTS_CONNECTION_STRING', rules.applicationInsightsConnectionString, {
    description:
      'exports traces, metrics and logs to Application Insights (Azure Monitor exporter; README, "Telemetry")',
    when: 'optional',
  }),
  applicationInsightsAuthentication: conditional(
    'APPLICATIONINSIGHTS_AUTHENTICATION_STRING',
    telemetryRules.applicationInsightsAuthentication,
    {
      description:
        "sends that telemetry with a managed identity's Entra token: `Authorization=AAD` (`ClientId=<GUID>;` first for a user-assigned identity); needed when Application Insights has local authentication off",
      when: 'optional',
    },
  ),
  otlpEndpoint: conditional('OTEL_EXPORTER_OTLP_ENDPOINT', rules.otlpEndpoint, {
    description:
      'exports traces, metrics and logs over OTLP/HTTP to this collector (`/v1/traces`, … appended); neither set: no telemetry SDK loads',
    when: 'optional',
  }),
} as const satisfies SettingTree;
