/**
 * The mailbox model of the Graph emulator: each limit refuses with Graph's shape and a Retry-After that
 * is right on the mailbox clock (time compression included), per-mailbox limits, mailbox-wide refusals;
 * and over HTTPS through the local stack, the 429 a client sees.
 */
import fetch from 'node-fetch';
import { describe, expect, it } from 'vitest';
import { createMailboxModel } from '../../../emulators/graph/mailboxes.js';
import type { MailboxModelOptions } from '../../../emulators/graph/mailboxes.js';
import { GraphRequestError } from '../../../emulators/graph/responses.js';
import { useLocalStack } from '../../support/stack.js';

const billing = { id: '3ec1f266-be0f-4037-877a-3c76e500f47b', userPrincipalName: 'billing@contoso.com' };
const other = { id: '11111111-2222-4333-8444-555555555555', userPrincipalName: 'other@contoso.com' };

function modelAt(options: MailboxModelOptions = {}) {
  let now = Date.parse('2026-12-01T08:00:00Z');
  const model = createMailboxModel({ ...options, clock: () => now });
  return { model, advance: (ms: number) => (now += ms) };
}

/** One whole sendMail: admitted, accepted with `recipients`, ended. */
async function send(model: ReturnType<typeof modelAt>['model'], sender = billing, recipients = 1): Promise<void> {
  const admission = model.admit(sender);
  try {
    await admission.accept(Array.from({ length: recipients }, (_, index) => `customer${index}@fabrikam.example`));
  } finally {
    admission.end();
  }
}

async function refusal(run: () => Promise<unknown> | unknown): Promise<GraphRequestError> {
  try {
    await run();
  } catch (error) {
    if (error instanceof GraphRequestError) return error;
    throw error;
  }
  throw new Error('Expected a Graph refusal');
}

describe('the mailbox model', () => {
  it('refuses a fifth concurrent request with 429 ApplicationThrottled / MailboxConcurrency', async () => {
    const { model } = modelAt();
    const held = [1, 2, 3, 4].map(() => model.admit(billing));
    const error = await refusal(() => model.admit(billing));
    expect(error).toMatchObject({
      status: 429,
      code: 'ApplicationThrottled',
      message: 'Application is over its MailboxConcurrency limit.',
      headers: { 'Retry-After': '1' },
    });
    // Another mailbox has its own limit.
    model.admit(other).end();
    held[0]?.end();
    model.admit(billing).end();
    expect(model.usage(billing.userPrincipalName)).toMatchObject({
      throttled: 1,
      throttledBy: { MailboxConcurrency: 1 },
      peakInFlight: 4,
      requests: 6,
    });
  });

  it('accepts 30 messages a minute; the 31st waits until the first leaves the window', async () => {
    const { model, advance } = modelAt();
    for (let index = 0; index < 30; index += 1) {
      await send(model);
      advance(1_000);
    }
    const error = await refusal(() => send(model));
    expect(error).toMatchObject({ status: 429, code: 'ApplicationThrottled', headers: { 'Retry-After': '30' } });
    advance(30_000);
    await send(model);
    expect(model.usage(billing.id).messagesLastMinute).toBe(30);
  });

  it('counts every request, refused ones too, against 10,000 per 10 minutes', async () => {
    const { model, advance } = modelAt({ limits: { requestsPerTenMinutes: 5, messagesPerMinute: 1_000 } });
    for (let index = 0; index < 4; index += 1) await send(model);
    // A request whose message Graph refuses (400) counts too.
    model.admit(billing).end();
    const error = await refusal(() => model.admit(billing));
    expect(error).toMatchObject({ status: 429, message: 'Application is over its MailboxRequests limit.' });
    expect(error.headers['Retry-After']).toBe('600');
    advance(600_000);
    await send(model);
  });

  it('refuses recipients over the day with 403 ErrorExceededMessageLimit until 24 hours have passed', async () => {
    const { model, advance } = modelAt({ limits: { recipientsPerDay: 3, messagesPerMinute: 1_000 } });
    await send(model, billing, 2);
    advance(3_600_000);
    await send(model);
    const error = await refusal(() => send(model));
    expect(error).toMatchObject({ status: 403, code: 'ErrorExceededMessageLimit', headers: {} });
    expect(error.message).toContain('daily limit for message recipients');
    advance(23 * 3_600_000);
    await send(model, billing, 2);
    expect(model.usage(billing.id).recipientsLastDay).toBe(3);
  });

  it('takes limits per mailbox, by user principal name or id', async () => {
    const { model } = modelAt({
      limits: { messagesPerMinute: 2 },
      perMailbox: { 'Other@Contoso.com': { messagesPerMinute: 1 } },
    });
    expect(model.limitsOf('other@contoso.com')).toMatchObject({ messagesPerMinute: 1, concurrentRequests: 4 });
    expect(model.limitsOf(billing.id)).toMatchObject({ messagesPerMinute: 2, recipientsPerDay: 10_000 });
    await send(model, other);
    await expect(refusal(() => send(model, other))).resolves.toMatchObject({ status: 429 });
    await send(model);
    await send(model);
  });

  it('runs its clock timeScale times faster and says Retry-After in real seconds', async () => {
    const { model, advance } = modelAt({ timeScale: 600 });
    for (let index = 0; index < 30; index += 1) await send(model);
    const error = await refusal(() => send(model));
    // A mailbox minute is 100 real milliseconds.
    expect(error.headers['Retry-After']).toBe('0.1');
    advance(100);
    await send(model);
  });

  it('refuses everything mailbox-wide for a while (423 for 20 mailbox minutes)', async () => {
    const { model, advance } = modelAt({ timeScale: 60 });
    model.refuse('billing@contoso.com', {
      status: 423,
      code: 'ErrorMailboxLocked',
      message: 'Mailbox is locked.',
      forMs: 20 * 60_000,
    });
    await expect(refusal(() => send(model))).resolves.toMatchObject({ status: 423, code: 'ErrorMailboxLocked' });
    await send(model, other);
    advance(19_000);
    await expect(refusal(() => send(model))).resolves.toMatchObject({ status: 423 });
    advance(1_000);
    await send(model);
  });

  it('refuses messages to a refused recipient (a refusal of the message), counting nothing', async () => {
    const { model } = modelAt();
    model.refuseRecipient('Nobody@Fabrikam.example', {
      status: 400,
      code: 'ErrorInvalidRecipients',
      message: 'At least one recipient is not valid.',
    });
    const admission = model.admit(billing);
    await expect(refusal(() => admission.accept(['nobody@fabrikam.example']))).resolves.toMatchObject({
      status: 400,
      code: 'ErrorInvalidRecipients',
    });
    admission.end();
    expect(model.usage(billing.id)).toMatchObject({ messagesLastMinute: 0, recipientsLastDay: 0 });
  });

  it('with limits: false, only refusals apply', async () => {
    const { model } = modelAt({ limits: false });
    for (let index = 0; index < 100; index += 1) await send(model);
    expect(model.usage(billing.id).throttled).toBe(0);
  });
});

describe('the mailbox model over HTTPS (local stack)', () => {
  const stack = useLocalStack({ azurite: false, mailboxes: { limits: { messagesPerMinute: 2 } } });

  it('answers the third message of the minute with Graph 429, Retry-After and the error envelope', async () => {
    const { seed, authority } = stack();
    const { accessToken: token } = await authority.issue({
      tenantId: seed.daemon.tenantId,
      appId: seed.daemon.clientId,
      objectId: '9f8e7d6c-5b4a-4938-8271-605f4e3d2c1b',
      roles: ['Mail.Send'],
      audience: 'https://graph.microsoft.com',
    });
    const send = () =>
      fetch(`${stack().urls.graph}/v1.0/users/billing@contoso.com/sendMail`, {
        method: 'POST',
        headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
        body: JSON.stringify({
          message: { subject: 'Reminder', toRecipients: [{ emailAddress: { address: 'ap@fabrikam.example' } }] },
        }),
      });
    expect((await send()).status).toBe(202);
    expect((await send()).status).toBe(202);
    const throttled = await send();
    expect(throttled.status).toBe(429);
    expect(Number(throttled.headers.get('retry-after'))).toBeGreaterThan(55);
    expect(await throttled.json()).toEqual({
      error: {
        code: 'ApplicationThrottled',
        message: 'Application is over its MessageRate limit.',
        innerError: expect.objectContaining({ 'request-id': expect.any(String) }),
      },
    });
    expect(stack().graph.outbox()).toHaveLength(2);
    expect(stack().graph.mailboxes.usage('billing@contoso.com')).toMatchObject({ requests: 3, throttled: 1 });
  });
});
