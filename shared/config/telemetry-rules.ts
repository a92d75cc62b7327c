/**
 * Rules for the settings of the telemetry exporters that need more than a URL: the Entra authentication
 * of the Azure Monitor exporter (`APPLICATIONINSIGHTS_AUTHENTICATION_STRING`).
 */
import * as v from 'valibot';
import { readTelemetryAuthentication } from '../base/telemetry-auth.js';
import { reasoned } from './rule.js';
import type { Rule } from './rule.js';

export const applicationInsightsAuthentication: Rule<string> = {
  expected: '"Authorization=AAD", or "ClientId=<client id of a user-assigned identity>;Authorization=AAD"',
  schema: v.pipe(
    v.string(),
    reasoned((text) => {
      const read = readTelemetryAuthentication(text);
      return 'problem' in read ? read.problem : undefined;
    }),
  ),
};
