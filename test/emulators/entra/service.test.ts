import { createPrivateKey, randomUUID } from 'node:crypto';
import { ConfidentialClientApplication, ServerError } from '@azure/msal-node';
import type { Configuration } from '@azure/msal-node';
import { SignJWT, decodeJwt, decodeProtectedHeader } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDirectory } from '../../../emulators/entra/directory.js';
import type { Directory } from '../../../emulators/entra/directory.js';
import type { DirectoryCertificate } from '../../../emulators/entra/directory-records.js';
import { createEntraService } from '../../../emulators/entra/service.js';
import { createTokenAuthority } from '../../../emulators/entra/tokens.js';
import type { TokenAuthority } from '../../../emulators/entra/tokens.js';
import type { ServiceDefinition } from '../../../emulators/stack/types.js';
import { createTestClock, daemonRoles, hostService, identityTestSeed, ids } from './identity-fixtures.js';
import type { HostedService } from './identity-fixtures.js';

const GRAPH_SCOPE = 'https://graph.microsoft.com/.default';
const ASSERTION_TYPE = 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer';

describe('Entra ID emulator', () => {
  const clock = createTestClock();
  let directory: Directory;
  let authority: TokenAuthority;
  let entra: HostedService;
  let daemonSecret: string;
  let daemonCertificate: DirectoryCertificate;
  /** Registered nowhere in the emulated tenant. */
  let strangerCertificate: DirectoryCertificate;
  /** Client assertions the token endpoint received, to check what MSAL sent. */
  const receivedAssertions: string[] = [];

  /** The service, with its token route also recording client assertions. */
  function recordingAssertions(definition: ServiceDefinition): ServiceDefinition {
    return {
      ...definition,
      routes: definition.routes.map((route) =>
        route.name !== 'entra.token'
          ? route
          : {
              ...route,
              handle: (request) => {
                const sent = new URLSearchParams(request.body.toString('utf8')).get('client_assertion');
                if (sent) receivedAssertions.push(sent);
                return route.handle(request);
              },
            },
      ),
    };
  }

  beforeAll(async () => {
    const seed = identityTestSeed();
    [directory, authority] = await Promise.all([
      createDirectory(seed, { clock: clock.now }),
      createTokenAuthority({ lifetimeSeconds: 3600, clock: clock.now }),
    ]);
    entra = await hostService(recordingAssertions(createEntraService({ directory, authority })));
    const daemon = directory.findApplication(ids.tenant, ids.daemon.clientId);
    const [secret] = daemon?.secrets ?? [];
    const [certificate] = daemon?.certificates ?? [];
    if (!secret || !certificate) throw new Error('the test seed registers a secret and a certificate for the daemon');
    daemonSecret = secret.value;
    daemonCertificate = certificate;

    const strangerDirectory = await createDirectory(identityTestSeed());
    const stranger = strangerDirectory.findApplication(ids.tenant, ids.daemon.clientId)?.certificates[0];
    if (!stranger) throw new Error('the second directory has its own certificate');
    strangerCertificate = stranger;
  });

  afterAll(async () => {
    await entra.close();
  });

  function msalApp(auth: Partial<Configuration['auth']> & { tenant?: string }): ConfidentialClientApplication {
    const { tenant = ids.tenant, ...rest } = auth;
    return new ConfidentialClientApplication({
      auth: {
        clientId: ids.daemon.clientId,
        authority: `${entra.url}/${tenant}`,
        knownAuthorities: [entra.authorityHost],
        ...rest,
      },
    });
  }

  async function serverError(pending: Promise<unknown>): Promise<ServerError> {
    const error = await pending.then(
      () => undefined,
      (rejection: unknown) => rejection,
    );
    if (!(error instanceof ServerError))
      throw new Error(`expected MSAL to reject with a ServerError, got ${String(error)}`);
    return error;
  }

  async function postToken(
    form: Record<string, string>,
    headers: Record<string, string> = {},
  ): Promise<{ status: number; body: Record<string, unknown> }> {
    const response = await fetch(`${entra.url}/${ids.tenant}/oauth2/v2.0/token`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', ...headers },
      body: new URLSearchParams(form).toString(),
    });
    return { status: response.status, body: (await response.json()) as Record<string, unknown> };
  }

  describe('with a client secret (MSAL ConfidentialClientApplication)', () => {
    it('issues a Graph token with the app roles and serves the second call from its cache', async () => {
      const app = msalApp({ clientSecret: daemonSecret });
      const before = entra.counters.get('entra.token');

      const first = await app.acquireTokenByClientCredential({ scopes: [GRAPH_SCOPE] });
      const second = await app.acquireTokenByClientCredential({ scopes: [GRAPH_SCOPE] });

      expect(first?.accessToken).toBeTruthy();
      const claims = decodeJwt(first?.accessToken ?? '');
      expect(claims).toMatchObject({
        aud: 'https://graph.microsoft.com',
        roles: [...daemonRoles],
        tid: ids.tenant,
        appid: ids.daemon.clientId,
        oid: ids.daemon.objectId,
        idtyp: 'app',
        ver: '1.0',
      });
      expect(claims.exp).toBe(Math.floor(clock.now() / 1000) + 3600);
      expect((await authority.verify(first?.accessToken ?? '', ['https://graph.microsoft.com'])).ok).toBe(true);
      expect(second?.fromCache).toBe(true);
      expect(second?.accessToken).toBe(first?.accessToken);
      expect(entra.counters.get('entra.token') - before).toBe(1);
      expect(entra.counters.get('entra.openidConfiguration')).toBeGreaterThan(0);
    });

    it('issues a Key Vault token without roles', async () => {
      const result = await msalApp({ clientSecret: daemonSecret }).acquireTokenByClientCredential({
        scopes: ['https://vault.azure.net/.default'],
      });
      const claims = decodeJwt(result?.accessToken ?? '');
      expect(claims.aud).toBe('https://vault.azure.net');
      expect(claims).not.toHaveProperty('roles');
    });

    it('rejects a wrong secret with AADSTS7000215', async () => {
      const error = await serverError(
        msalApp({ clientSecret: 'not-the-secret' }).acquireTokenByClientCredential({ scopes: [GRAPH_SCOPE] }),
      );
      expect(error).toMatchObject({ errorCode: 'invalid_client', status: 401 });
      expect(Number(error.errorNo)).toBe(7000215);
      expect(error.errorMessage).toContain(`AADSTS7000215: Invalid client secret provided.`);
      expect(error.errorMessage).toContain(ids.daemon.clientId);
    });

    it('rejects an expired secret with AADSTS7000222, while a rotated one works until revoked', async () => {
      const rotated = directory.rotateSecret(ids.daemon.clientId);
      const rotatedToken = await msalApp({ clientSecret: rotated.value }).acquireTokenByClientCredential({
        scopes: [GRAPH_SCOPE],
      });
      expect(rotatedToken?.accessToken).toBeTruthy();

      directory.expireSecret(ids.daemon.clientId, rotated.keyId);
      const expired = await serverError(
        msalApp({ clientSecret: rotated.value }).acquireTokenByClientCredential({ scopes: [GRAPH_SCOPE] }),
      );
      expect(expired).toMatchObject({ errorCode: 'invalid_client', status: 401 });
      expect(Number(expired.errorNo)).toBe(7000222);

      directory.revokeSecret(ids.daemon.clientId, rotated.keyId);
      const revoked = await serverError(
        msalApp({ clientSecret: rotated.value }).acquireTokenByClientCredential({ scopes: [GRAPH_SCOPE] }),
      );
      expect(Number(revoked.errorNo)).toBe(7000215);
      // The original secret was never touched by the rotation.
      expect(
        (await msalApp({ clientSecret: daemonSecret }).acquireTokenByClientCredential({ scopes: [GRAPH_SCOPE] }))
          ?.accessToken,
      ).toBeTruthy();
    });

    it('rejects an unknown application with AADSTS700016', async () => {
      const error = await serverError(
        msalApp({ clientId: randomUUID(), clientSecret: daemonSecret }).acquireTokenByClientCredential({
          scopes: [GRAPH_SCOPE],
        }),
      );
      expect(error).toMatchObject({ errorCode: 'unauthorized_client', status: 400 });
      expect(Number(error.errorNo)).toBe(700016);
      expect(error.errorMessage).toContain("was not found in the directory 'Fabrikam (test)'");
    });

    it('rejects an unknown tenant with AADSTS90002 at the token endpoint and in discovery', async () => {
      const unknownTenant = randomUUID();
      // With authorityMetadata MSAL skips discovery, as it does for login.microsoftonline.com (hard-coded metadata).
      const authorityMetadata = JSON.stringify({
        token_endpoint: `${entra.url}/${unknownTenant}/oauth2/v2.0/token`,
        authorization_endpoint: `${entra.url}/${unknownTenant}/oauth2/v2.0/authorize`,
        issuer: `${entra.url}/${unknownTenant}/v2.0`,
        jwks_uri: `${entra.url}/${unknownTenant}/discovery/v2.0/keys`,
        end_session_endpoint: `${entra.url}/${unknownTenant}/oauth2/v2.0/logout`,
      });
      const error = await serverError(
        msalApp({
          tenant: unknownTenant,
          clientSecret: daemonSecret,
          authorityMetadata,
        }).acquireTokenByClientCredential({
          scopes: [GRAPH_SCOPE],
        }),
      );
      expect(error).toMatchObject({ errorCode: 'invalid_tenant', status: 400 });
      expect(Number(error.errorNo)).toBe(90002);

      const discovery = await fetch(`${entra.url}/${unknownTenant}/v2.0/.well-known/openid-configuration`);
      expect(discovery.status).toBe(400);
      expect(await discovery.json()).toMatchObject({ error: 'invalid_tenant', error_codes: [90002] });
    });

    it('rejects a scope without /.default with AADSTS1002012', async () => {
      const error = await serverError(
        msalApp({ clientSecret: daemonSecret }).acquireTokenByClientCredential({
          scopes: ['https://graph.microsoft.com/Sites.Read.All'],
        }),
      );
      expect(error).toMatchObject({ errorCode: 'invalid_scope', status: 400 });
      expect(Number(error.errorNo)).toBe(1002012);
    });
  });

  describe('with a certificate (MSAL clientCertificate, PS256 assertion)', () => {
    it('issues a token for the registered certificate', async () => {
      const app = msalApp({
        clientCertificate: {
          thumbprintSha256: daemonCertificate.thumbprintSha256,
          privateKey: daemonCertificate.privateKeyPem ?? '',
        },
      });
      const result = await app.acquireTokenByClientCredential({ scopes: [GRAPH_SCOPE] });
      expect(decodeJwt(result?.accessToken ?? '')).toMatchObject({
        appid: ids.daemon.clientId,
        roles: [...daemonRoles],
      });

      const sent = receivedAssertions.at(-1) ?? '';
      expect(decodeProtectedHeader(sent)).toMatchObject({
        alg: 'PS256',
        'x5t#S256': Buffer.from(daemonCertificate.thumbprintSha256, 'hex').toString('base64url'),
      });
      expect(decodeJwt(sent)).toMatchObject({
        aud: `${entra.url}/${ids.tenant}/oauth2/v2.0/token`,
        iss: ids.daemon.clientId,
        sub: ids.daemon.clientId,
      });
    });

    it('rejects a certificate that is not registered with AADSTS700027', async () => {
      const app = msalApp({
        clientCertificate: {
          thumbprintSha256: strangerCertificate.thumbprintSha256,
          privateKey: strangerCertificate.privateKeyPem ?? '',
        },
      });
      const error = await serverError(app.acquireTokenByClientCredential({ scopes: [GRAPH_SCOPE] }));
      expect(error).toMatchObject({ errorCode: 'invalid_client', status: 401 });
      expect(Number(error.errorNo)).toBe(700027);
      expect(error.errorMessage).toContain('The key was not found.');
    });

    it('rejects the registered thumbprint signed with another key with AADSTS700027', async () => {
      const app = msalApp({
        clientCertificate: {
          thumbprintSha256: daemonCertificate.thumbprintSha256,
          privateKey: strangerCertificate.privateKeyPem ?? '',
        },
      });
      const error = await serverError(app.acquireTokenByClientCredential({ scopes: [GRAPH_SCOPE] }));
      expect(Number(error.errorNo)).toBe(700027);
      expect(error.errorMessage).toContain('The provided signature value did not match the expected signature value.');
    });
  });

  describe('token endpoint protocol details (raw HTTP)', () => {
    const tokenEndpoint = (): string => `${entra.url}/${ids.tenant}/oauth2/v2.0/token`;

    async function assertion(
      overrides: { aud?: string; iss?: string; expiresInSeconds?: number; header?: Record<string, string> } = {},
    ): Promise<string> {
      const nowSeconds = Math.floor(clock.now() / 1000);
      const thumbprintSha1 = Buffer.from(daemonCertificate.thumbprintSha1, 'hex').toString('base64url');
      return new SignJWT({ jti: randomUUID() })
        .setProtectedHeader({ alg: 'RS256', typ: 'JWT', x5t: thumbprintSha1, ...overrides.header })
        .setIssuer(overrides.iss ?? ids.daemon.clientId)
        .setSubject(ids.daemon.clientId)
        .setAudience(overrides.aud ?? tokenEndpoint())
        .setIssuedAt(nowSeconds)
        .setNotBefore(nowSeconds)
        .setExpirationTime(nowSeconds + (overrides.expiresInSeconds ?? 600))
        .sign(createPrivateKey(daemonCertificate.privateKeyPem ?? ''));
    }

    const assertionForm = (clientAssertion: string): Record<string, string> => ({
      grant_type: 'client_credentials',
      client_id: ids.daemon.clientId,
      scope: GRAPH_SCOPE,
      client_assertion_type: ASSERTION_TYPE,
      client_assertion: clientAssertion,
    });

    it('accepts an RS256 assertion identified by the legacy SHA-1 x5t', async () => {
      const { status, body } = await postToken(assertionForm(await assertion()));
      expect(status).toBe(200);
      expect(body).toMatchObject({ token_type: 'Bearer', expires_in: 3600, ext_expires_in: 3600 });
    });

    it('rejects assertions with the wrong audience, issuer or lifetime with their AADSTS codes', async () => {
      const wrongAudience = await postToken(assertionForm(await assertion({ aud: `${entra.url}/${ids.tenant}/v2.0` })));
      expect(wrongAudience).toMatchObject({ status: 401, body: { error: 'invalid_client', error_codes: [50012] } });

      const wrongIssuer = await postToken(assertionForm(await assertion({ iss: ids.noRole.clientId })));
      expect(wrongIssuer).toMatchObject({ status: 401, body: { error: 'invalid_client', error_codes: [700021] } });

      const expired = await postToken(assertionForm(await assertion({ expiresInSeconds: -600 })));
      expect(expired).toMatchObject({ status: 401, body: { error: 'invalid_client', error_codes: [700024] } });

      const noThumbprint = await postToken(assertionForm(await assertion({ header: { x5t: '' } })));
      expect(noThumbprint).toMatchObject({ status: 401, body: { error_codes: [50027] } });

      const garbage = await postToken(assertionForm('not.a.jwt'));
      expect(garbage).toMatchObject({ status: 401, body: { error_codes: [50027] } });
    });

    it('accepts client_secret_basic', async () => {
      const basic = Buffer.from(
        `${encodeURIComponent(ids.daemon.clientId)}:${encodeURIComponent(daemonSecret)}`,
      ).toString('base64');
      const { status } = await postToken(
        { grant_type: 'client_credentials', scope: GRAPH_SCOPE },
        { authorization: `Basic ${basic}` },
      );
      expect(status).toBe(200);
    });

    it('answers bad requests with Entra ID error bodies, echoing the client-request-id', async () => {
      const correlationId = randomUUID();
      const missingGrant = await postToken({ client_id: ids.daemon.clientId }, { 'client-request-id': correlationId });
      expect(missingGrant.status).toBe(400);
      expect(missingGrant.body).toMatchObject({
        error: 'invalid_request',
        error_codes: [900144],
        correlation_id: correlationId,
      });
      const description = String(missingGrant.body.error_description);
      expect(description).toMatch(
        /^AADSTS900144: The request body must contain the following parameter: 'grant_type'\.\r\nTrace ID: [0-9a-f-]{36}\r\nCorrelation ID: [0-9a-f-]{36}\r\nTimestamp: \d{4}-\d\d-\d\d \d\d:\d\d:\d\dZ$/,
      );
      expect(missingGrant.body.trace_id).toBe(description.split('\r\n')[1]?.replace('Trace ID: ', ''));

      const authorizationCode = await postToken({
        grant_type: 'authorization_code',
        client_id: ids.daemon.clientId,
        scope: GRAPH_SCOPE,
      });
      expect(authorizationCode).toMatchObject({
        status: 400,
        body: { error: 'unsupported_grant_type', error_codes: [70003] },
      });

      const noCredential = await postToken({
        grant_type: 'client_credentials',
        client_id: ids.daemon.clientId,
        scope: GRAPH_SCOPE,
      });
      expect(noCredential).toMatchObject({ status: 401, body: { error: 'invalid_client', error_codes: [7000218] } });

      const unknownResource = await postToken({
        grant_type: 'client_credentials',
        client_id: ids.daemon.clientId,
        client_secret: daemonSecret,
        scope: 'https://management.azure.com/.default',
      });
      expect(unknownResource).toMatchObject({
        status: 400,
        body: { error: 'invalid_resource', error_codes: [500011] },
      });

      const json = await fetch(tokenEndpoint(), {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: '{"grant_type":',
      });
      expect(json.status).toBe(400);
      expect(await json.json()).toMatchObject({ error_codes: [900144] });

      const get = await fetch(tokenEndpoint());
      expect(get.status).toBe(400);
      expect(await get.json()).toMatchObject({ error: 'invalid_request', error_codes: [900561] });
    });
  });

  describe('discovery', () => {
    it('serves OpenID metadata derived from the request origin and the signing keys', async () => {
      const metadata = (await (
        await fetch(`${entra.url}/${ids.tenant}/v2.0/.well-known/openid-configuration`)
      ).json()) as Record<string, unknown>;
      expect(metadata).toMatchObject({
        issuer: `${entra.url}/${ids.tenant}/v2.0`,
        token_endpoint: `${entra.url}/${ids.tenant}/oauth2/v2.0/token`,
        authorization_endpoint: `${entra.url}/${ids.tenant}/oauth2/v2.0/authorize`,
        jwks_uri: `${entra.url}/${ids.tenant}/discovery/v2.0/keys`,
      });
      const keys = await (await fetch(String(metadata.jwks_uri))).json();
      expect(keys).toEqual(authority.jwks());
    });
  });
});
