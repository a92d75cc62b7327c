/**
 * The leak guard finds the credentials a stack issued in output, and its taps see the output of the
 * local host, console, Storage queues and MSAL-based code. Every leak here is made on purpose under a
 * guard of the test's own (withLeakGuard), so that the suite's guard stays clean.
 */
import { DefaultAzureCredential } from '@azure/identity';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { InvocationContext } from '@azure/functions';
import { QueueServiceClient } from '@azure/storage-queue';
import { beforeAll, describe, expect, it } from 'vitest';
import { loadFunctionApp } from '../../devhost/host.js';
import type { FunctionApp } from '../../devhost/host-types.js';
import { createGraphTokenProvider } from '../../shared/clients/auth.js';
import { createKeyVaultCredentialProvider } from '../../shared/clients/key-vault-credentials.js';
import { createLeakGuard, LeakDetectedError, leakGuard, stackCredentials, withLeakGuard } from './leak-guard.js';
import type { IssuedCredential, LeakGuard } from './leak-guard.js';
import { stackTokens, useStackIdentity } from './stack-tokens.js';
import { useLocalStack } from './stack.js';

const FIXTURE_APP_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../devhost/fixture-app');

const SECRET = 'Zq58Q~generated.client-secret_value~0123456789';
const TOKEN = `eyJhbGciOiJSUzI1NiJ9.eyJhdWQiOiJodHRwczovL2dyYXBoLm1pY3Jvc29mdC5jb20ifQ.${'s1gn4tur3'.repeat(30)}`;
const KEY_LINES = [
  'MIIEvQIBADANBgkqhkiG9w0BAQEFAASCBKcwggSjAgEAAoIBAQC7VJTUt9Us8cKj',
  'MIIEvQIBADANBgkqhkiG9w0BAQEFAASCBKcwggSjAgEAAoIBAQD7VJTUt9Us8cKk',
];
const PRIVATE_KEY = `-----BEGIN PRIVATE KEY-----\n${KEY_LINES.join('\n')}\n-----END PRIVATE KEY-----\n`;

function guardWith(credentials: readonly IssuedCredential[]): LeakGuard {
  const guard = createLeakGuard();
  guard.registerIssuer('test issuer', () => credentials);
  return guard;
}

describe('leak guard: credentials in captured output', () => {
  const credentials: IssuedCredential[] = [
    { kind: 'client secret', value: SECRET },
    { kind: 'access token', value: TOKEN },
    { kind: 'private key', value: PRIVATE_KEY },
    { kind: 'client secret', value: 'short-secret' },
  ];

  it.each([
    ['verbatim in a log line', `token acquired: ${TOKEN}`, 'access token'],
    [
      'form-encoded (a token request body)',
      `body: client_id=abc&${new URLSearchParams({ client_secret: SECRET }).toString()}`,
      'client secret',
    ],
    ['URL-encoded', `GET /token?secret=${encodeURIComponent(SECRET)}`, 'client secret'],
    ['inside JSON', JSON.stringify({ error: { message: `bad secret "${SECRET}"` } }), 'client secret'],
    ['a JWT cut down to its signature', `signature ${TOKEN.split('.').at(-1) ?? ''} rejected`, 'access token'],
    ['a PEM key with escaped line breaks', JSON.stringify({ pem: PRIVATE_KEY }), 'private key'],
    ['one line of a re-wrapped key', `key starts ${KEY_LINES[1] ?? ''}...`, 'private key'],
  ] as const)('finds a credential %s', (_case, text, kind) => {
    const guard = guardWith(credentials);
    guard.capture({ channel: 'console', origin: 'console.log', text });
    expect(guard.findLeaks()).toEqual([
      {
        channel: 'console',
        origin: 'console.log',
        credential: kind,
        issuer: 'test issuer',
        excerpt: expect.stringContaining(`[${kind}]`),
      },
    ]);
  });

  it('reports where each leak was seen without repeating any credential', () => {
    const guard = guardWith(credentials);
    guard.capture({
      channel: 'http response',
      origin: 'HttpResponse.arrayBuffer',
      text: `{"token":"${TOKEN}","secret":"${SECRET}"}`,
    });
    guard.capture({ channel: 'queue message', origin: 'QueueClient.sendMessage', text: 'a harmless message' });
    guard.capture({ channel: 'error message', origin: 'test', text: `failed: Bearer ${TOKEN}` });
    const thrown = (() => {
      try {
        guard.assertNoLeaks();
      } catch (error) {
        return error;
      }
      return undefined;
    })();
    expect(thrown).toBeInstanceOf(LeakDetectedError);
    const leakError = thrown as LeakDetectedError;
    expect(leakError.leaks.map((leak) => [leak.channel, leak.credential])).toEqual([
      ['http response', 'access token'],
      ['error message', 'access token'],
    ]);
    expect(leakError.leaks[0]?.excerpt).toBe('{"token":"[access token]","secret":"[client secret]"}');
    for (const text of [leakError.message, ...leakError.leaks.map((leak) => leak.excerpt)]) {
      expect(text).not.toContain(SECRET);
      expect(text).not.toContain(TOKEN.split('.').at(-1));
    }
  });

  it('ignores values too short to tell from chance, and output without credentials', () => {
    const guard = guardWith(credentials);
    guard.capture({
      channel: 'console',
      origin: 'console.log',
      text: 'the short-secret is fine; eyJhbGciOiJSUzI1NiJ9 alone is a header',
    });
    expect(guard.findLeaks()).toEqual([]);
    expect(() => guard.assertNoLeaks()).not.toThrow();
  });

  it('finds an e-mail address in the run history and in telemetry, where no personal data may be, and nowhere else', () => {
    const guard = createLeakGuard();
    const record = '{"runId":"r1","failureMessage":"sendMail to ap@mueller-logistik.de refused"}';
    guard.capture({ channel: 'run history', origin: 'GET /api/reminders/runs/r1', text: record });
    guard.capture({ channel: 'telemetry', origin: '/v1/logs', text: 'recipient someone@example.com' });
    guard.capture({ channel: 'queue message', origin: 'QueueClient.sendMessage', text: '{"email":"a@example.com"}' });
    const leaks = guard.findLeaks();
    expect(leaks.map((leak) => [leak.channel, leak.credential])).toEqual([
      ['run history', 'e-mail address'],
      ['telemetry', 'e-mail address'],
    ]);
    expect(leaks[0]?.excerpt).toContain('sendMail to [e-mail address] refused');
    expect(leaks.map((leak) => leak.excerpt).join()).not.toMatch(/@/);
  });

  it('forgets output and issuers on reset', () => {
    const guard = guardWith(credentials);
    guard.capture({ channel: 'console', origin: 'console.log', text: SECRET });
    guard.reset();
    guard.capture({ channel: 'console', origin: 'console.log', text: SECRET });
    expect(guard.findLeaks()).toEqual([]);
    expect(guard.outputs()).toHaveLength(1);
  });
});

describe('leak guard: output taps, with what a local stack issued', () => {
  const stack = useLocalStack();
  useStackIdentity(stack);
  let functionApp: FunctionApp;

  beforeAll(async () => {
    const settings = {
      FixtureStorage: stack().settings.AzureWebJobsStorage ?? '',
      FIXTURE_QUEUE: 'fixture-out',
      FIXTURE_SCHEDULE: '0 30 6 * * *',
    };
    functionApp = await loadFunctionApp({ entryPoints: ['functions/*.ts'], appRoot: FIXTURE_APP_ROOT, settings });
  });

  function stackGuard(): LeakGuard {
    const guard = createLeakGuard();
    guard.registerIssuer('the test stack', stackCredentials(stack()));
    return guard;
  }

  it('detects an access token the stack issued, logged through console.warn (the checker called directly)', async () => {
    const { tokens } = stackTokens(stack());
    const token = await tokens.getAccessToken();
    expect(stack().authority.issuedTokens()).toContain(token);

    const guard = stackGuard();
    await withLeakGuard(guard, async () => {
      console.warn(`Calling Graph with Authorization: Bearer ${token}`);
    });
    expect(guard.findLeaks()).toEqual([
      {
        channel: 'console',
        origin: 'console.warn',
        credential: 'access token',
        issuer: 'the test stack',
        excerpt: 'Calling Graph with Authorization: Bearer [access token]',
      },
    ]);
    expect(() => guard.assertNoLeaks()).toThrow(LeakDetectedError);
    expect(leakGuard.outputs().some((output) => output.text.includes(token))).toBe(false);
  });

  it('detects a client assertion returned in an HTTP function response of the local host', async () => {
    const credentials = createKeyVaultCredentialProvider({
      vaultUrl: stack().urls.keyVault,
      source: { kind: 'certificate', secretName: 'due-notifier-client-certificate' },
      tokenCredential: new DefaultAzureCredential(),
      cacheTtlMs: 60_000,
      timeoutMs: 5_000,
    });
    const tokens = createGraphTokenProvider({
      tenantId: stack().seed.daemon.tenantId,
      clientId: stack().seed.daemon.clientId,
      authorityHost: stack().urls.entra,
      credentials,
      timeoutMs: 5_000,
    });
    await tokens.getAccessToken();
    const [assertion] = stack().entra.presentedClientAssertions();
    expect(assertion).toMatch(/^eyJ[\w-]+\.[\w-]+\.[\w-]+$/);

    const guard = stackGuard();
    const outcome = await withLeakGuard(guard, () =>
      functionApp.invokeHttp('echo', {
        method: 'POST',
        headers: { 'content-type': 'text/plain' },
        body: `assertion=${assertion ?? ''}`,
      }),
    );
    expect(outcome.response.status).toBe(201);
    expect(guard.findLeaks()).toEqual([
      expect.objectContaining({
        channel: 'http response',
        origin: 'HttpResponse.arrayBuffer',
        credential: 'client assertion',
      }),
    ]);
  });

  it('detects a client secret in an invocation log line and the identity header in a queue message', async () => {
    const [secret] = stack().directory.issuedSecretValues();
    const guard = stackGuard();
    await withLeakGuard(guard, async () => {
      new InvocationContext({ logHandler: () => undefined }).error(`Entra ID refused secret ${secret ?? ''}`);
      const queue = QueueServiceClient.fromConnectionString(stack().settings.AzureWebJobsStorage ?? '').getQueueClient(
        'leak-guard',
      );
      await queue.createIfNotExists();
      await queue.sendMessage(
        Buffer.from(JSON.stringify({ header: stack().settings.IDENTITY_HEADER })).toString('base64'),
      );
    });
    expect(guard.findLeaks().map((leak) => [leak.origin, leak.credential])).toEqual([
      ['InvocationContext.error', 'client secret'],
      ['QueueClient.sendMessage (base64-decoded)', 'identity header'],
    ]);
  });

  it("sees the local host's invocation logs and queue output bindings", async () => {
    const guard = createLeakGuard();
    const outcome = await withLeakGuard(guard, () => functionApp.invokeTimer('tick'));
    expect(outcome.status).toBe('succeeded');
    const seen = guard.outputs().map((output) => [output.channel, output.text]);
    expect(seen).toContainEqual(['invocation log', expect.stringContaining('"isPastDue":false')]);
    expect(seen).toContainEqual(['queue message', '{"id":"a","text":"héllo"}']);
    expect(seen).toContainEqual(['queue message', 'plain text']);
  });
});
