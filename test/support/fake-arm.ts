/**
 * Azure Resource Manager's app settings API for one function app, as a local HTTPS server: `POST
 * …/config/appsettings/list` reads the settings, `PUT …/config/appsettings` replaces them all, with
 * ARM's answers for a wrong token (401), API version (400) or site (404).
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { FunctionAppTarget } from '../../scripts/azd/function-app-settings.js';
import { startServer } from './https-test-servers.js';
import type { TestHttpsServer } from './https-test-servers.js';

const TOKEN = 'arm-token';

/** The token the fake accepts, for the ARM scope only. */
export const ARM_CREDENTIAL = {
  getToken: async (scopes: string | string[]) => {
    const scope = Array.isArray(scopes) ? scopes.join(' ') : scopes;
    if (!/^https:\/\/[^ ]+\/\.default$/.test(scope)) throw new Error(`not an ARM scope: ${scope}`);
    return { token: TOKEN, expiresOnTimestamp: Date.now() + 3_600_000 };
  },
};

export interface FakeArm extends TestHttpsServer {
  /** The function app's settings as they are now. */
  readonly settings: Readonly<Record<string, string>>;
}

export async function startArm(site: FunctionAppTarget, initial: Record<string, string>): Promise<FakeArm> {
  const path = `/subscriptions/${site.subscriptionId}/resourceGroups/${site.resourceGroup}/providers/Microsoft.Web/sites/${site.appName}`;
  let settings = { ...initial };
  const server = await startServer((request: IncomingMessage, body: Buffer, response: ServerResponse) => {
    const url = new URL(request.url ?? '/', 'https://arm');
    const answer = (status: number, value: unknown) => {
      response.writeHead(status, { 'content-type': 'application/json' });
      response.end(JSON.stringify(value));
    };
    if (request.headers.authorization !== `Bearer ${TOKEN}`) {
      return answer(401, { error: { code: 'AuthenticationFailed' } });
    }
    if (url.searchParams.get('api-version') !== '2024-04-01') {
      return answer(400, { error: { code: 'InvalidApiVersionParameter' } });
    }
    const resource = { id: `${path}/config/appsettings`, name: 'appsettings', type: 'Microsoft.Web/sites/config' };
    if (request.method === 'POST' && url.pathname === `${path}/config/appsettings/list`) {
      return answer(200, { ...resource, properties: settings });
    }
    if (request.method === 'PUT' && url.pathname === `${path}/config/appsettings`) {
      settings = (JSON.parse(body.toString('utf8')) as { properties: Record<string, string> }).properties;
      return answer(200, { ...resource, properties: settings });
    }
    return answer(404, { error: { code: 'ResourceNotFound' } });
  });
  return {
    ...server,
    get settings() {
      return settings;
    },
  };
}
