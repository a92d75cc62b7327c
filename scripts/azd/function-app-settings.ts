/**
 * Adds app settings to a deployed function app through Azure Resource Manager, keeping every other
 * setting: the settings are read (`config/appsettings/list`), merged and written back whole (`PUT
 * config/appsettings`), which is the only way ARM takes them. The Azure SDK's own pipeline carries the
 * requests (retries, bearer token for the ARM scope).
 */
import {
  bearerTokenAuthenticationPolicy,
  createDefaultHttpClient,
  createHttpHeaders,
  createPipelineFromOptions,
  createPipelineRequest,
} from '@azure/core-rest-pipeline';
import type { HttpClient, PipelineResponse } from '@azure/core-rest-pipeline';
import type { TokenCredential } from '@azure/identity';
import { DueNotifierError } from '../../shared/base/errors.js';
import { isRecord } from '../../shared/base/is-record.js';

const API_VERSION = '2024-04-01';
const TIMEOUT_MS = 60_000;

export interface FunctionAppTarget {
  readonly subscriptionId: string;
  readonly resourceGroup: string;
  readonly appName: string;
}

export interface AppSettingsClientOptions {
  readonly credential: TokenCredential;
  /** `https://management.azure.com` unless another cloud (or a test's server). */
  readonly endpoint?: string;
  readonly httpClient?: HttpClient;
}

export class AppSettingsError extends DueNotifierError<'AppSettingsUpdateFailed'> {}

function settingsOf(response: PipelineResponse, what: string): Record<string, string> {
  if (response.status !== 200) {
    throw new AppSettingsError(
      'AppSettingsUpdateFailed',
      `${what} answered ${response.status}: check that you are signed in (azd auth login) with a role that may change the function app (Website Contributor or Contributor)`,
    );
  }
  const body: unknown = JSON.parse(response.bodyAsText ?? '{}');
  const properties = isRecord(body) ? body.properties : undefined;
  if (!isRecord(properties)) {
    throw new AppSettingsError('AppSettingsUpdateFailed', `${what} answered without properties`);
  }
  return Object.fromEntries(Object.entries(properties).map(([name, value]) => [name, String(value)]));
}

/**
 * Sets `settings` on the function app, leaving the others as they are. Returns the names whose value
 * changed (none: nothing is written).
 */
export async function mergeFunctionAppSettings(
  target: FunctionAppTarget,
  settings: Readonly<Record<string, string>>,
  options: AppSettingsClientOptions,
  abortSignal?: AbortSignal,
): Promise<string[]> {
  const endpoint = options.endpoint ?? 'https://management.azure.com';
  const pipeline = createPipelineFromOptions({ retryOptions: { maxRetries: 3 } });
  pipeline.addPolicy(
    bearerTokenAuthenticationPolicy({ credential: options.credential, scopes: `${endpoint}/.default` }),
  );
  const httpClient = options.httpClient ?? createDefaultHttpClient();
  const site = `/subscriptions/${encodeURIComponent(target.subscriptionId)}/resourceGroups/${encodeURIComponent(target.resourceGroup)}/providers/Microsoft.Web/sites/${encodeURIComponent(target.appName)}`;
  const send = (method: 'POST' | 'PUT', path: string, body?: unknown) =>
    pipeline.sendRequest(
      httpClient,
      createPipelineRequest({
        url: `${endpoint}${site}${path}?api-version=${API_VERSION}`,
        method,
        headers: createHttpHeaders({ 'content-type': 'application/json' }),
        body: body === undefined ? undefined : JSON.stringify(body),
        timeout: TIMEOUT_MS,
        abortSignal,
      }),
    );

  const current = settingsOf(await send('POST', '/config/appsettings/list'), `${target.appName}'s app settings`);
  const changed = Object.keys(settings).filter((name) => current[name] !== settings[name]);
  if (changed.length === 0) return [];
  settingsOf(
    await send('PUT', '/config/appsettings', { properties: { ...current, ...settings } }),
    `Writing ${target.appName}'s app settings`,
  );
  return changed;
}
