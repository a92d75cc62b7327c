/**
 * The credential the Application Insights exporter sends telemetry with under Entra authentication: the
 * managed identity `APPLICATIONINSIGHTS_AUTHENTICATION_STRING` names. Made here, in the runtime chunk that
 * bundles Azure Identity for the app's other credentials, and handed to the telemetry SDK set-up
 * (shared/telemetry/setup.ts, a chunk of its own), so that the deploy package carries Identity once.
 */
import { ManagedIdentityCredential } from '@azure/identity';
import type { TokenCredential } from '@azure/identity';
import type { TelemetryIdentity } from '../base/telemetry-auth.js';

/** The user-assigned identity with `clientId`, or the system-assigned one when the string names none. */
export function telemetryCredential({ clientId }: TelemetryIdentity): TokenCredential {
  return clientId === undefined ? new ManagedIdentityCredential() : new ManagedIdentityCredential({ clientId });
}
