/**
 * The registration's plan, without I/O: from an empty tenant every step, from a finished registration
 * none, and in between only what is missing or different; permissions are found by value in Graph's
 * app roles.
 */
import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import type { DirectoryState } from '../../registration/directory-state.js';
import { isCertificateRegistered, planRegistration } from '../../registration/plan.js';
import type { RegistrationSpec } from '../../registration/spec.js';
import { GRAPH_APP_ID } from '../../registration/spec.js';

const TENANT = '11111111-1111-4111-8111-111111111111';
const ROLES = {
  'Sites.Read.All': '332a536c-c7ef-4017-ab91-336970924f0d',
  'Sites.Selected': '883ea226-0bf2-4a8f-9f9d-92c9162a727d',
  'Mail.Send': 'b633e1c5-b582-4048-a93e-9f11b44c7e96',
};
const NOW = new Date('2026-12-01T00:00:00Z');

const spec: RegistrationSpec = {
  tenantId: TENANT,
  uniqueName: 'due-notifier',
  displayName: 'due-notifier',
  signInAudience: 'AzureADMyOrg',
  sitesPermission: 'Sites.Read.All',
  credential: 'secret',
  keyVaultUrl: 'https://vault.example',
  secretName: 'client-secret',
  certificateName: 'client-certificate',
  secretLifetimeDays: 180,
  renewWithinDays: 30,
  authorityHost: 'https://login.microsoftonline.com',
  graphBaseUrl: 'https://graph.microsoft.com/v1.0',
};

const emptyTenant: DirectoryState = {
  graph: {
    id: 'graph-sp',
    appRoles: [
      ...Object.entries(ROLES).map(([value, id]) => ({
        id,
        value,
        allowedMemberTypes: ['Application'],
        isEnabled: true,
      })),
      // A delegated permission with the same value must not be picked.
      { id: 'delegated-mail-send', value: 'Mail.Send', allowedMemberTypes: ['User'], isEnabled: true },
    ],
  },
  grantedAppRoleIds: [],
};

const registered: DirectoryState = {
  ...emptyTenant,
  application: {
    id: 'app-object',
    appId: 'app-id',
    displayName: 'due-notifier',
    signInAudience: 'AzureADMyOrg',
    requiredResourceAccess: [
      {
        resourceAppId: GRAPH_APP_ID,
        resourceAccess: [
          { id: ROLES['Sites.Read.All'], type: 'Role' },
          { id: ROLES['Mail.Send'], type: 'Role' },
        ],
      },
    ],
    passwordCredentials: [{ keyId: 'key-1', endDateTime: '2027-05-30T00:00:00Z' }],
    keyCredentials: [],
    redirectUris: [],
  },
  servicePrincipalId: 'app-sp',
  grantedAppRoleIds: [ROLES['Sites.Read.All'], ROLES['Mail.Send']],
  secret: { version: 'v1', passwordKeyId: 'key-1', enabled: true },
};

function withoutSecret(state: DirectoryState): DirectoryState {
  return Object.fromEntries(Object.entries(state).filter(([key]) => key !== 'secret')) as unknown as DirectoryState;
}

const kinds = (state: DirectoryState, options: Partial<RegistrationSpec> = {}): string[] =>
  planRegistration({ ...spec, ...options }, state, NOW).steps.map((step) => step.kind);

describe('planRegistration', () => {
  it('plans everything on an empty tenant, with the application permissions found by value', () => {
    const plan = planRegistration(spec, emptyTenant, NOW);
    expect(plan.steps.map((step) => step.kind)).toEqual([
      'createApplication',
      'createServicePrincipal',
      'grantAppRole',
      'grantAppRole',
      'addClientSecret',
    ]);
    expect(plan.appRoleIds).toEqual({ 'Sites.Read.All': ROLES['Sites.Read.All'], 'Mail.Send': ROLES['Mail.Send'] });
  });

  it('plans nothing for a registration that is as asked', () => {
    expect(kinds(registered)).toEqual([]);
  });

  it('plans only what differs or is missing', () => {
    const app = registered.application!;
    expect(kinds({ ...registered, application: { ...app, redirectUris: ['https://x'] } })).toEqual([
      'updateApplication',
    ]);
    expect(kinds({ ...registered, grantedAppRoleIds: [ROLES['Mail.Send']] })).toEqual(['grantAppRole']);
    expect(kinds(registered, { signInAudience: 'AzureADMultipleOrgs' })).toEqual(['updateApplication']);
    expect(kinds(registered, { sitesPermission: 'Sites.Selected', siteId: 'host,a,b' })).toEqual([
      'updateApplication',
      'grantAppRole',
      'grantSite',
    ]);
  });

  it('renews a client secret that expires within the renewal window, or that the vault does not hold', () => {
    const app = registered.application!;
    const expiring = { ...app, passwordCredentials: [{ keyId: 'key-1', endDateTime: '2026-12-20T00:00:00Z' }] };
    expect(kinds({ ...registered, application: expiring })).toEqual(['addClientSecret']);
    expect(kinds({ ...registered, secret: { version: 'v2', passwordKeyId: 'other', enabled: true } })).toEqual([
      'addClientSecret',
    ]);
    expect(kinds(withoutSecret(registered))).toEqual(['addClientSecret']);
  });

  it('creates and registers a certificate, registers one the app lacks, and leaves a registered one', () => {
    const cer = new Uint8Array([1, 2, 3, 4]);
    const certificate = { version: 'c1', cer, expiresOn: new Date('2027-10-01T00:00:00Z') };
    const mode = { credential: 'certificate' } as const;
    expect(kinds(registered, mode)).toEqual(['createCertificate', 'registerCertificate']);
    expect(kinds({ ...registered, certificate }, mode)).toEqual(['registerCertificate']);
    const withKey = {
      ...registered.application!,
      keyCredentials: [
        { keyId: 'k', type: 'AsymmetricX509Cert', usage: 'Verify', key: Buffer.from(cer).toString('base64') },
      ],
    };
    expect(kinds({ ...registered, application: withKey, certificate }, mode)).toEqual([]);
  });

  it('recognises a registered certificate by its SHA-1 thumbprint when Graph leaves out the key', () => {
    const cer = new Uint8Array([9, 8, 7]);
    const thumbprint = createHash('sha1').update(cer).digest('base64');
    const app = {
      ...registered.application!,
      keyCredentials: [{ keyId: 'k', type: 'AsymmetricX509Cert', usage: 'Verify', customKeyIdentifier: thumbprint }],
    };
    expect(isCertificateRegistered(app, cer)).toBe(true);
    expect(isCertificateRegistered(app, new Uint8Array([1]))).toBe(false);
  });

  it('adds the federated credential, and updates one whose subject or issuer differs', () => {
    const mode = {
      credential: 'managed-identity',
      managedIdentity: { clientId: 'mi-client', principalId: 'mi-principal' },
    } as const;
    const base = withoutSecret(registered);
    expect(kinds(base, mode)).toEqual(['createFederatedCredential']);
    const federatedCredential = {
      id: 'fic',
      name: 'due-notifier-managed-identity',
      issuer: `https://login.microsoftonline.com/${TENANT}/v2.0`,
      subject: 'mi-principal',
      audiences: ['api://AzureADTokenExchange'],
    };
    expect(kinds({ ...base, federatedCredential }, mode)).toEqual([]);
    expect(kinds({ ...base, federatedCredential: { ...federatedCredential, subject: 'old' } }, mode)).toEqual([
      'updateFederatedCredential',
    ]);
  });

  it('refuses a permission Graph does not offer as an application permission, naming it', () => {
    const state = { ...emptyTenant, graph: { ...emptyTenant.graph, appRoles: emptyTenant.graph.appRoles.slice(1) } };
    expect(() => planRegistration(spec, state, NOW)).toThrow(/no application permission 'Sites\.Read\.All'/);
    const delegatedOnly = {
      ...emptyTenant,
      graph: {
        ...emptyTenant.graph,
        appRoles: emptyTenant.graph.appRoles.filter((role) => role.id !== ROLES['Mail.Send']),
      },
    };
    expect(() => planRegistration(spec, delegatedOnly, NOW)).toThrow(/'Mail\.Send'/);
  });
});
