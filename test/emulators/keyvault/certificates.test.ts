/**
 * Key Vault certificates on the local stack, through the real @azure/keyvault-certificates client: a
 * self-signed certificate created by policy, its public part (`cer`) uploaded to the app registration's
 * keyCredentials through Graph, and its private key read back from the secret of the same name — the
 * certificate credential mode end to end, up to an MSAL token signed with that key.
 */
import { createHash } from 'node:crypto';
import { ClientSecretCredential } from '@azure/identity';
import { CertificateClient } from '@azure/keyvault-certificates';
import { SecretClient } from '@azure/keyvault-secrets';
import { ConfidentialClientApplication } from '@azure/msal-node';
import { describe, expect, it } from 'vitest';
import { parsePemCertificate } from '../../../shared/clients/client-certificate.js';
import { useLocalStack } from '../../support/stack.js';

const stack = useLocalStack({ azurite: false, emptyTenant: true });
const NAME = 'due-notifier-client-certificate';

function operatorCredential(who: 'admin' | 'nonAdmin' = 'admin'): ClientSecretCredential {
  const operator = stack().operator;
  const signIn = operator?.[who];
  if (!operator || !signIn) throw new Error('the seed names no operator');
  return new ClientSecretCredential(operator.tenantId, signIn.clientId, signIn.clientSecret, {
    authorityHost: operator.authorityHost,
    disableInstanceDiscovery: true,
  });
}

const clientOptions = { disableChallengeResourceVerification: true, retryOptions: { maxRetries: 0 } };

async function graph(method: string, path: string, body?: unknown): Promise<Record<string, unknown>> {
  const token = await operatorCredential().getToken('https://graph.microsoft.com/.default');
  const response = await fetch(`${stack().urls.graph}/v1.0${path}`, {
    method,
    headers: { authorization: `Bearer ${token.token}`, 'content-type': 'application/json' },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  const text = await response.text();
  expect(response.status, text).toBeLessThan(300);
  return text === '' ? {} : (JSON.parse(text) as Record<string, unknown>);
}

describe('Key Vault certificates', () => {
  it('creates a self-signed PEM certificate whose key signs the app registration client assertion', async () => {
    const certificates = new CertificateClient(stack().urls.keyVault, operatorCredential(), clientOptions);
    const poller = await certificates.beginCreateCertificate(
      NAME,
      { issuerName: 'Self', subject: 'CN=due-notifier', contentType: 'application/x-pem-file', validityInMonths: 6 },
      { intervalInMs: 10 },
    );
    const certificate = await poller.pollUntilDone();
    const der = Buffer.from(certificate.cer ?? new Uint8Array());
    expect(Buffer.from(certificate.properties.x509Thumbprint ?? new Uint8Array())).toEqual(
      createHash('sha1').update(der).digest(),
    );

    const secrets = new SecretClient(stack().urls.keyVault, operatorCredential(), clientOptions);
    const secret = await secrets.getSecret(NAME);
    expect(secret.properties).toMatchObject({ contentType: 'application/x-pem-file', managed: true });
    const parsed = parsePemCertificate(secret.value ?? '');
    if (!parsed.ok) throw new Error(parsed.reason);
    expect(parsed.certificate.thumbprintSha256).toBe(createHash('sha256').update(der).digest('hex').toUpperCase());

    const application = await graph('POST', '/applications', {
      displayName: 'due-notifier',
      signInAudience: 'AzureADMyOrg',
    });
    await graph('POST', '/servicePrincipals', { appId: application.appId });
    await graph('PATCH', `/applications/${String(application.id)}`, {
      keyCredentials: [
        { type: 'AsymmetricX509Cert', usage: 'Verify', key: der.toString('base64'), displayName: 'CN=due-notifier' },
      ],
    });
    const keys = await graph('GET', `/applications/${String(application.id)}?$select=keyCredentials`);
    expect(keys.keyCredentials).toEqual([
      expect.objectContaining({ key: der.toString('base64'), type: 'AsymmetricX509Cert' }),
    ]);

    const app = new ConfidentialClientApplication({
      auth: {
        clientId: String(application.appId),
        authority: `${stack().urls.entra}/${stack().seed.daemon.tenantId}`,
        knownAuthorities: [new URL(stack().urls.entra).host],
        clientCertificate: {
          thumbprintSha256: parsed.certificate.thumbprintSha256,
          privateKey: parsed.certificate.privateKey,
          x5c: parsed.certificate.x5c,
        },
      },
    });
    const token = await app.acquireTokenByClientCredential({ scopes: ['https://graph.microsoft.com/.default'] });
    expect(token?.accessToken).toBeTruthy();
  });

  it("refuses Key Vault's default PKCS#12 content type, naming the fix, and a caller without the role", async () => {
    const certificates = new CertificateClient(stack().urls.keyVault, operatorCredential(), clientOptions);
    await expect(
      certificates.beginCreateCertificate('other', { issuerName: 'Self', subject: 'CN=other' }),
    ).rejects.toMatchObject({
      statusCode: 400,
      code: 'BadParameter',
      message: expect.stringContaining('application/x-pem-file'),
    });
    const stranger = new CertificateClient(stack().urls.keyVault, operatorCredential('nonAdmin'), clientOptions);
    await expect(
      stranger.beginCreateCertificate('other', {
        issuerName: 'Self',
        subject: 'CN=other',
        contentType: 'application/x-pem-file',
      }),
    ).rejects.toMatchObject({ statusCode: 403 });
  });
});
