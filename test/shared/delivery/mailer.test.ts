/**
 * The Graph sendMail client against the local stack's Graph emulator (its outbox shows what was
 * accepted), with tokens from MSAL and Key Vault, and faults injected into the emulator.
 */
import { createServer } from 'node:net';
import type { Server, Socket } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import type { GraphTokenProvider } from '../../../shared/clients/auth.js';
import { createMailer } from '../../../shared/delivery/mailer.js';
import type { MailerOptions, OutgoingMail, SendMailResult } from '../../../shared/delivery/mailer.js';
import { useLocalStack } from '../../support/stack.js';
import { APP_WITHOUT_PERMISSIONS, stackTokens, useStackIdentity } from '../../support/stack-tokens.js';
import { recordingLogger } from '../../support/recording-logger.js';

const stack = useLocalStack({ azurite: false });
useStackIdentity(stack);

const MAIL: OutgoingMail = {
  subject: 'Payment reminder: INV-1 – €10.00 due in 7 days',
  html: '<p>Dear customer,</p>',
  to: { address: 'accounts@mueller-logistik.de', name: 'Müller Logistik GmbH' },
  headers: { 'X-DueNotifier-Reminder-Id': '1:2026-12-08:7' },
};

function sender(): string {
  const [user] = stack().seed.graph.users ?? [];
  if (!user) throw new Error('The seed has no mailbox');
  return user.userPrincipalName;
}

function mailer(overrides: Partial<MailerOptions> = {}) {
  const { tokens, metrics } = stackTokens(stack());
  const logger = recordingLogger();
  const client = createMailer({
    baseUrl: stack().settings.GRAPH_BASE_URL ?? '',
    tokens,
    timeoutMs: 5_000,
    metrics,
    logger,
    ...overrides,
  });
  return { client, metrics, logger };
}

function send(
  client: ReturnType<typeof createMailer>,
  mail: OutgoingMail = MAIL,
  abortSignal?: AbortSignal,
): Promise<SendMailResult> {
  return client.sendMail(mail, { sender: sender(), saveToSentItems: false, ...(abortSignal ? { abortSignal } : {}) });
}

function sendMailRequests(): number {
  return stack().counters.get('graph.sendMail');
}

afterEach(() => {
  stack().graph.clearOutbox();
});

describe('sendMail', () => {
  it('sends the message as the sender mailbox, as HTML, with the reminder header: 202 is sent', async () => {
    const { client, metrics } = mailer();
    const result = await send(client);
    expect(result).toMatchObject({ kind: 'sent', attempts: 1 });
    expect(result.kind === 'sent' && result.requestIds).toMatch(/^client-request-id [0-9a-f-]{36}, request-id /);
    expect(metrics.snapshot().graph).toBe(1);

    const [sent, ...others] = stack().graph.outbox();
    expect(others).toEqual([]);
    expect(sent).toMatchObject({
      from: { userPrincipalName: 'billing@contoso.com' },
      subject: MAIL.subject,
      body: { contentType: 'html', content: MAIL.html },
      toRecipients: [{ address: 'accounts@mueller-logistik.de', name: 'Müller Logistik GmbH' }],
      ccRecipients: [],
      bccRecipients: [],
      internetMessageHeaders: [{ name: 'X-DueNotifier-Reminder-Id', value: '1:2026-12-08:7' }],
      saveToSentItems: false,
    });
  });

  it('passes saveToSentItems and leaves an empty name out', async () => {
    const { client } = mailer();
    await client.sendMail(
      { ...MAIL, to: { address: 'x@example.com', name: '' } },
      { sender: sender(), saveToSentItems: true },
    );
    expect(stack().graph.outbox()[0]).toMatchObject({
      saveToSentItems: true,
      toRecipients: [{ address: 'x@example.com' }],
    });
    expect(stack().graph.outbox()[0]?.toRecipients[0]).not.toHaveProperty('name');
  });

  it('rides out 429s with fractional Retry-After and a 503: one e-mail', async () => {
    stack().faults.add({
      endpoint: 'graph.sendMail',
      action: { type: 'status', status: 429, retryAfter: '0.05' },
      count: 1,
    });
    stack().faults.add({
      endpoint: 'graph.sendMail',
      action: { type: 'status', status: 503, retryAfter: '0.02' },
      count: 1,
    });
    const { client, logger } = mailer();
    expect(await send(client)).toMatchObject({ kind: 'sent', attempts: 3 });
    expect(stack().graph.outbox()).toHaveLength(1);
    expect(sendMailRequests()).toBe(3);
    expect(logger.lines.filter((line) => /Retrying in/.test(line))).toHaveLength(2);
  });

  it('does not sit out a long Retry-After: notSent at once, with the wait for the delivery to take', async () => {
    stack().faults.add({ endpoint: 'graph.sendMail', action: { type: 'status', status: 429, retryAfter: '120' } });
    const result = await send(mailer().client);
    expect(result.kind === 'notSent' && result.error).toMatchObject({ code: 'MailThrottled', retryAfterMs: 120_000 });
    expect(sendMailRequests()).toBe(1);
  });

  it('mailbox-wide refusals (423, 409, a mailbox code in a 400, the daily recipient limit) are notSent; a recipient refusal is final', async () => {
    const { mailboxes } = stack().graph;
    const cases = [
      { status: 423, code: 'ErrorMailboxLocked', expected: 'MailboxRefused' },
      { status: 409, code: 'ErrorIrresolvableConflict', expected: 'MailboxRefused' },
      { status: 400, code: 'ErrorMailboxStoreUnavailable', expected: 'MailboxRefused' },
      { status: 403, code: 'ErrorExceededMessageLimit', expected: 'MailboxLimitReached' },
    ];
    for (const { status, code, expected } of cases) {
      mailboxes.refuse(sender(), { status, code, message: 'Refused for now.' });
      const result = await send(mailer().client);
      mailboxes.clearRefusals();
      expect(result.kind === 'notSent' && result.error).toMatchObject({ code: expected, status, graphCode: code });
    }
    const invalid = await send(mailer().client, { ...MAIL, to: { address: 'no-at-sign' } });
    expect(invalid.kind === 'rejected' && invalid.error).toMatchObject({ graphCode: 'ErrorInvalidRecipients' });
    expect(stack().graph.outbox()).toEqual([]);
  });

  it('gives up on a throttling storm with notSent, nothing sent', async () => {
    stack().faults.add({ endpoint: 'graph.sendMail', action: { type: 'status', status: 429, retryAfter: '0.01' } });
    const { client } = mailer({ retry: { maxAttempts: 3 } });
    const result = await send(client);
    expect(result.kind).toBe('notSent');
    expect(result.kind === 'notSent' && result.error).toMatchObject({ code: 'MailThrottled', status: 429 });
    expect(result.kind === 'notSent' && result.error.message).toContain('gave up after 3 attempts');
    expect(stack().graph.outbox()).toEqual([]);
  });

  it('a refused recipient (400) is rejected for good, without the address in the error', async () => {
    const { client } = mailer();
    const result = await send(client, { ...MAIL, to: { address: 'customer@localhost' } });
    expect(result.kind).toBe('rejected');
    const error = result.kind === 'rejected' ? result.error : undefined;
    expect(error).toMatchObject({ code: 'MailRejected', status: 400, graphCode: 'ErrorInvalidRecipients' });
    expect(error?.message).toContain("Recipient '<address>' is not resolved");
    expect(error?.message).not.toContain('customer@localhost');
    expect(sendMailRequests()).toBe(1);
  });

  it('an app without Mail.Send (403) is not sent, not retried here, and the error says how to fix it', async () => {
    const { tokens } = stackTokens(stack(), APP_WITHOUT_PERMISSIONS);
    const { client } = mailer({ tokens });
    const result = await send(client);
    expect(result.kind === 'notSent' && result.error).toMatchObject({
      code: 'MailAccessDenied',
      status: 403,
      graphCode: 'ErrorAccessDenied',
    });
    expect(result.kind === 'notSent' && result.error.message).toContain('application permission Mail.Send');
    expect(sendMailRequests()).toBe(1);
  });

  it('an unknown sender mailbox (404) is not sent and names SENDER_MAILBOX', async () => {
    const { client } = mailer();
    const result = await client.sendMail(MAIL, { sender: 'nobody@contoso.com', saveToSentItems: false });
    expect(result.kind === 'notSent' && result.error).toMatchObject({
      code: 'MailboxNotFound',
      status: 404,
      graphCode: 'ErrorInvalidUser',
    });
    expect(result.kind === 'notSent' && result.error.message).toContain('SENDER_MAILBOX');
  });

  it('a refused token (401) is renewed once and the mail sent', async () => {
    stack().faults.add({ endpoint: 'graph.sendMail', action: { type: 'status', status: 401 }, count: 1 });
    const { client } = mailer();
    const tokenRequestsBefore = stack().counters.get('entra.token');
    expect(await send(client)).toMatchObject({ kind: 'sent', attempts: 2 });
    // The first token, then the forced renewal.
    expect(stack().counters.get('entra.token') - tokenRequestsBefore).toBe(2);
    expect(stack().graph.outbox()).toHaveLength(1);
  });

  it('no token at all: not sent', async () => {
    const tokens: GraphTokenProvider = { getAccessToken: () => Promise.reject(new Error('Entra ID is down')) };
    const { client } = mailer({ tokens });
    const result = await send(client);
    expect(result.kind === 'notSent' && result.error.code).toBe('MailTokenUnavailable');
    expect(sendMailRequests()).toBe(0);
  });
});

describe('sendMail: did the request leave?', () => {
  it('no answer after the request left (timeout): the outcome is unknown, and it is not retried here', async () => {
    stack().faults.add({ endpoint: 'graph.sendMail', action: { type: 'latency', ms: 2_000 }, count: 1 });
    const { client } = mailer({ timeoutMs: 300 });
    const result = await send(client);
    expect(result.kind).toBe('unknown');
    expect(result.kind === 'unknown' && result.error.code).toBe('MailOutcomeUnknown');
    expect(result.kind === 'unknown' && result.error.message).toMatch(
      /got no answer within 300 ms after the request was sent/,
    );
    expect(sendMailRequests()).toBe(1);
  });

  it('a connection reset after the request left: unknown', async () => {
    stack().faults.add({ endpoint: 'graph.sendMail', action: { type: 'reset' }, count: 1 });
    const { client } = mailer();
    const result = await send(client);
    expect(result.kind === 'unknown' && result.error.code).toBe('MailOutcomeUnknown');
    expect(sendMailRequests()).toBe(1);
  });

  it('a gateway timeout (504): unknown', async () => {
    stack().faults.add({ endpoint: 'graph.sendMail', action: { type: 'status', status: 504 }, count: 1 });
    const { client } = mailer();
    expect(await send(client)).toMatchObject({ kind: 'unknown', error: { code: 'MailOutcomeUnknown', status: 504 } });
    expect(sendMailRequests()).toBe(1);
  });

  it('connection refused: not sent (retried here first)', async () => {
    const server = await holdingServer();
    const port = server.port;
    await server.close();
    const { client } = mailer({ baseUrl: `https://127.0.0.1:${port}/v1.0`, retry: { maxAttempts: 2, baseDelayMs: 1 } });
    const result = await send(client);
    expect(result.kind === 'notSent' && result.error).toMatchObject({ code: 'MailConnectionFailed' });
    expect(result.kind === 'notSent' && result.error.message).toMatch(
      /failed \(ECONNREFUSED\) before the request was sent.*gave up after 2 attempts/,
    );
  });

  it('a timeout while the connection is still being set up: not sent', async () => {
    // Accepts TCP connections but never answers the TLS handshake.
    const server = await holdingServer();
    try {
      const { client } = mailer({
        baseUrl: `https://127.0.0.1:${server.port}/v1.0`,
        timeoutMs: 200,
        retry: { maxAttempts: 2, baseDelayMs: 1 },
      });
      const result = await send(client);
      expect(result.kind === 'notSent' && result.error.code).toBe('MailConnectionFailed');
      expect(result.kind === 'notSent' && result.error.message).toContain(
        'got no answer within 200 ms before the request was sent',
      );
      expect(server.connections()).toBe(2);
    } finally {
      await server.close();
    }
  });

  it('stopped by the caller before sending: not sent', async () => {
    const { client } = mailer();
    const result = await send(client, MAIL, AbortSignal.abort());
    expect(result.kind === 'notSent' && result.error.code).toBe('MailAborted');
    expect(sendMailRequests()).toBe(0);
  });
});

/** A TCP server on a free port that accepts connections and never says a word. */
async function holdingServer(): Promise<{ port: number; connections(): number; close(): Promise<void> }> {
  const sockets = new Set<Socket>();
  let accepted = 0;
  const server: Server = createServer((socket) => {
    accepted += 1;
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  if (address === null || typeof address === 'string') throw new Error('no port');
  return {
    port: address.port,
    connections: () => accepted,
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
}
