/**
 * `GET /beta/auditLogs/signIns`: Entra ID's sign-in log as Graph beta serves it, here the app-only
 * sign-ins (`signInEventTypes` servicePrincipal) of the token endpoint, newest first, with the credential
 * each used (`servicePrincipalCredentialKeyId`, `servicePrincipalCredentialThumbprint`,
 * `clientCredentialType`): how an operator sees that the daemon has started using a rotated credential.
 * `$filter` on appId, servicePrincipalId, servicePrincipalCredentialKeyId, clientCredentialType and
 * `signInEventTypes/any(t: t eq 'servicePrincipal')`; `$top`. The caller needs AuditLog.Read.All. Entries
 * appear at once (Entra ID takes minutes).
 */
import type { SignInRecord } from '../entra/directory-records.js';
import type { Route } from '../stack/types.js';
import type { DirectoryContext } from './directory-context.js';
import { directoryFilter } from './directory-filter.js';
import { collection, graphDateTime } from './directory-shapes.js';
import type { Json } from './directory-shapes.js';
import { GraphRequestError } from './responses.js';

const MAX_TOP = 1000;

export function signInLogRoutes(context: DirectoryContext): Route[] {
  const { directory, respond, handler } = context;
  return [
    {
      name: 'graph.listSignIns',
      method: 'GET',
      path: '/beta/auditLogs/signIns',
      handle: handler(['AuditLog.Read.All'], (request, tenantId) => {
        const matches = directoryFilter(request.url.searchParams.get('$filter'), 'SignIn', {
          properties: ['appId', 'servicePrincipalId', 'servicePrincipalCredentialKeyId', 'clientCredentialType'],
          collections: ['signInEventTypes'],
        });
        const topText = request.url.searchParams.get('$top');
        const top = topText === null ? MAX_TOP : Number(topText);
        if (!Number.isInteger(top) || top < 1 || top > MAX_TOP) {
          throw new GraphRequestError(400, 'BadRequest', `Invalid $top value '${topText ?? ''}'.`);
        }
        const items = directory.signIns(tenantId).map(signInJson).filter(matches).slice(0, top);
        return respond.json(request, 200, collection('auditLogs/signIns', items));
      }),
    },
  ];
}

function signInJson(record: SignInRecord): Json {
  return {
    id: record.id,
    createdDateTime: graphDateTime(record.createdDateTime),
    appDisplayName: record.appDisplayName,
    appId: record.appId,
    clientCredentialType: record.clientCredentialType,
    federatedCredentialId:
      record.clientCredentialType === 'federatedIdentityCredential' ? record.credentialKeyId : null,
    ipAddress: '127.0.0.1',
    isInteractive: false,
    resourceDisplayName: record.resource,
    servicePrincipalCredentialKeyId:
      record.clientCredentialType === 'federatedIdentityCredential' ? null : record.credentialKeyId,
    servicePrincipalCredentialThumbprint: record.credentialThumbprint ?? null,
    servicePrincipalId: record.servicePrincipalId,
    servicePrincipalName: record.appDisplayName,
    signInEventTypes: ['servicePrincipal'],
    status: { errorCode: 0, failureReason: null, additionalDetails: null },
  };
}
