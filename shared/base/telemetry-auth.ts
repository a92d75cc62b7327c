/**
 * `APPLICATIONINSIGHTS_AUTHENTICATION_STRING`, read the way Azure Functions reads it: `Authorization=AAD`
 * sends telemetry with a managed identity's Entra token (what an Application Insights resource with
 * local authentication off accepts), `ClientId=<GUID>` naming a user-assigned identity; without it,
 * the system-assigned one. Shared by the settings check and the telemetry SDK set-up.
 */

/** The identity to send telemetry with: `clientId` of a user-assigned one, or none for the system-assigned. */
export interface TelemetryIdentity {
  readonly clientId?: string;
}

const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** The identity the string names, or why it names none (a reason for the settings' message). */
export function readTelemetryAuthentication(text: string): TelemetryIdentity | { readonly problem: string } {
  const pairs = text
    .split(';')
    .map((part) => part.trim())
    .filter((part) => part !== '');
  let authorization: string | undefined;
  let clientId: string | undefined;
  for (const pair of pairs) {
    const [key = '', value = '', ...rest] = pair.split('=').map((part) => part.trim());
    if (rest.length > 0 || value === '') return { problem: `"${key}" has no single value` };
    if (key.toLowerCase() === 'authorization') authorization = value;
    else if (key.toLowerCase() === 'clientid') clientId = value;
    else return { problem: `"${key}" is not a part of it (only Authorization and ClientId are)` };
  }
  if (authorization?.toUpperCase() !== 'AAD') return { problem: 'it needs Authorization=AAD' };
  if (clientId === undefined) return {};
  return GUID.test(clientId) ? { clientId } : { problem: 'ClientId is not a GUID' };
}
