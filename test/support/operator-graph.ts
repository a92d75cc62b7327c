/**
 * The operator of the local stack's tenant, as `npm run register` signs in (@azure/identity's
 * ClientSecretCredential against the Entra ID emulator), and Graph requests made with its token; plus
 * registering the daemon by hand through those requests, for tests that need a registration made the way
 * an administrator makes one.
 */
import { GRAPH_APP_ID } from '../../emulators/entra/first-party-apps.js';
import type { LocalStack } from '../../emulators/stack/stack.js';
import { operatorSignIn } from '../../scripts/support/register-on-stack.js';

export type Json = Record<string, unknown>;

/** The operator's sign-in: the one `npm run demo -- --from-scratch` uses too. */
export const operatorCredential = operatorSignIn;

export interface GraphAnswer {
  readonly status: number;
  readonly body: Json;
}

/** One Graph request (`path` under /v1.0) with the operator's token, or `token` when given. */
export async function operatorGraph(
  stack: LocalStack,
  method: string,
  path: string,
  options: { readonly body?: unknown; readonly token?: string; readonly headers?: Record<string, string> } = {},
): Promise<GraphAnswer> {
  const token =
    options.token ?? (await operatorCredential(stack).getToken('https://graph.microsoft.com/.default')).token;
  const response = await fetch(`${stack.urls.graph}/v1.0${path}`, {
    method,
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json', ...options.headers },
    ...(options.body === undefined ? {} : { body: JSON.stringify(options.body) }),
  });
  const text = await response.text();
  return { status: response.status, body: text === '' ? {} : (JSON.parse(text) as Json) };
}

/** Like operatorGraph, but any answer other than 2xx throws with Graph's error. */
export async function operatorGraphOk(
  stack: LocalStack,
  method: string,
  path: string,
  requestBody?: unknown,
): Promise<Json> {
  const answer = await operatorGraph(stack, method, path, requestBody === undefined ? {} : { body: requestBody });
  if (answer.status >= 300) throw new Error(`${method} ${path}: ${answer.status} ${JSON.stringify(answer.body)}`);
  return answer.body;
}

/** Microsoft Graph's service principal and the id of its app role `value`. */
export async function graphServicePrincipal(stack: LocalStack): Promise<{ id: string; roleId(value: string): string }> {
  const found = await operatorGraphOk(stack, 'GET', `/servicePrincipals?$filter=appId eq '${GRAPH_APP_ID}'`);
  const [graph] = found.value as Json[];
  const roles = (graph?.appRoles ?? []) as { id: string; value: string }[];
  return {
    id: String(graph?.id),
    roleId: (value) => roles.find((role) => role.value === value)?.id ?? '',
  };
}

export interface ManualRegistration {
  readonly objectId: string;
  readonly appId: string;
  readonly servicePrincipalId: string;
  /** Ids of the app role assignments (admin consent) on Microsoft Graph. */
  readonly assignmentIds: readonly string[];
}

/** The daemon's app registration, its service principal and admin consent for Sites.Read.All and Mail.Send. */
export async function registerDaemonByHand(stack: LocalStack, displayName: string): Promise<ManualRegistration> {
  const graph = await graphServicePrincipal(stack);
  const application = await operatorGraphOk(stack, 'POST', '/applications', {
    displayName,
    signInAudience: 'AzureADMyOrg',
  });
  const servicePrincipal = await operatorGraphOk(stack, 'POST', '/servicePrincipals', { appId: application.appId });
  const assignmentIds: string[] = [];
  for (const value of ['Sites.Read.All', 'Mail.Send']) {
    const assignment = await operatorGraphOk(stack, 'POST', `/servicePrincipals/${graph.id}/appRoleAssignedTo`, {
      principalId: servicePrincipal.id,
      resourceId: graph.id,
      appRoleId: graph.roleId(value),
    });
    assignmentIds.push(String(assignment.id));
  }
  return {
    objectId: String(application.id),
    appId: String(application.appId),
    servicePrincipalId: String(servicePrincipal.id),
    assignmentIds,
  };
}
