/**
 * The claim → send → record pipeline against the local stack: the ledger in Azurite's Table service,
 * mail through the Graph emulator (its outbox is what customers would receive), tokens from MSAL.
 * Each test uses its own obligation ids, so that the ledger entries of one never meet another's.
 */
import { RestError } from '@azure/core-rest-pipeline';
import type { PipelinePolicy } from '@azure/core-rest-pipeline';
import { TableClient } from '@azure/data-tables';
import { afterEach, describe, expect, it } from 'vitest';
import { deliverReminder, DeliveryError, REMINDER_ID_HEADER } from '../../../shared/delivery/deliver-reminder.js';
import type { DeliveryDependencies, DeliveryOutcome } from '../../../shared/delivery/deliver-reminder.js';
import type { Reschedule } from '../../../shared/delivery/deferral.js';
import {
  claimReminder,
  deferClaim,
  createReminderLedger,
  findSentReminderIds,
  lookupReminder,
  sentIndexPartitionKey,
} from '../../../shared/delivery/ledger/index.js';
import type { ReminderLedger } from '../../../shared/delivery/ledger/index.js';
import { createMailer } from '../../../shared/delivery/mailer.js';
import type { MailerOptions } from '../../../shared/delivery/mailer.js';
import type { ReminderMessage } from '../../../shared/reminders/rules.js';
import { useLocalStack } from '../../support/stack.js';
import { APP_WITHOUT_PERMISSIONS, stackTokens, useStackIdentity } from '../../support/stack-tokens.js';
import { recordingLogger } from '../../support/recording-logger.js';
import { renderTestMail } from '../../support/mail-templates.js';
import { reminderMessage } from '../../support/reminder-messages.js';
import { confirmingVerifier } from '../../support/verifiers.js';

const stack = useLocalStack();
useStackIdentity(stack);

/** 08:00 in Berlin on 1 December 2026. */
const NOW = new Date('2026-12-01T07:00:00Z');
const CLAIM_MS = 300_000;
let nextObligation = 100;

function reminder(overrides: Partial<ReminderMessage> = {}): ReminderMessage {
  nextObligation += 1;
  const obligationId = overrides.obligationId ?? String(nextObligation);
  return reminderMessage({
    obligationId,
    customer: { name: 'Müller Logistik GmbH', email: `accounts${obligationId}@mueller-logistik.de` },
    daysLeft: 7,
    amount: '1250.00',
    createdAt: NOW.toISOString(),
    ...overrides,
  });
}

function ledgerOf(
  connectionString: string,
  options: { maxRetries?: number; policy?: PipelinePolicy } = {},
): ReminderLedger {
  const { policy, ...retryOptions } = options;
  return createReminderLedger(
    TableClient.fromConnectionString(connectionString, 'reminderledger', {
      allowInsecureConnection: true,
      retryOptions: { retryDelayInMs: 10, ...retryOptions },
      ...(policy ? { additionalPolicies: [{ policy, position: 'perRetry' as const }] } : {}),
    }),
  );
}

/** Fails every write (PUT) of an index entity of sent reminders. */
const failingIndexWrites: PipelinePolicy = {
  name: 'failingIndexWrites',
  sendRequest(request, next) {
    if (
      request.method === 'PUT' &&
      decodeURIComponent(new URL(request.url).pathname).includes(sentIndexPartitionKey(''))
    ) {
      return Promise.reject(new RestError('connect ECONNREFUSED', { code: 'ECONNREFUSED', request }));
    }
    return next(request);
  },
};

/** A reschedule that keeps when each copy of a message was put back for, instead of a queue. */
function recordedCopies(): { readonly copies: Date[]; readonly reschedule: Reschedule } {
  const copies: Date[] = [];
  return {
    copies,
    reschedule: async (_message, at) => {
      copies.push(at);
    },
  };
}

function deliveryDeps(
  overrides: { clock?: () => Date; mailer?: Partial<MailerOptions>; ledger?: ReminderLedger } = {},
): DeliveryDependencies & { logger: ReturnType<typeof recordingLogger> } {
  const running = stack();
  const { tokens, metrics } = stackTokens(running);
  const logger = recordingLogger();
  const [mailbox] = running.seed.graph.users ?? [];
  return {
    ledger: overrides.ledger ?? ledgerOf(running.azurite?.connectionString ?? ''),
    mailer: createMailer({
      baseUrl: running.settings.GRAPH_BASE_URL ?? '',
      tokens,
      timeoutMs: 5_000,
      metrics,
      logger,
      ...overrides.mailer,
    }),
    // Verify before send has tests of its own (test/shared/delivery/verification/).
    verifier: confirmingVerifier(),
    renderMail: (message, daysLeft) => renderTestMail(message, { daysLeft }),
    settings: {
      senderMailbox: mailbox?.userPrincipalName ?? '',
      saveToSentItems: false,
      claimDurationMs: CLAIM_MS,
      timeZone: 'Europe/Berlin',
    },
    logger,
    clock: overrides.clock ?? (() => NOW),
  };
}

function outboxFor(message: ReminderMessage) {
  return stack()
    .graph.outbox()
    .filter((mail) =>
      mail.internetMessageHeaders.some((header) => header.name === REMINDER_ID_HEADER && header.value === message.id),
    );
}

async function deliveryError(promise: Promise<unknown>): Promise<DeliveryError> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof DeliveryError) return error;
    throw error;
  }
  throw new Error('expected a DeliveryError');
}

afterEach(() => {
  stack().graph.clearOutbox();
});

describe('deliverReminder', () => {
  it('sends the reminder e-mail and records it as sent', async () => {
    const deps = deliveryDeps();
    const message = reminder();
    expect(await deliverReminder(deps, message, { deliveryId: 'inv-1' })).toEqual({
      status: 'sent',
      reminderId: message.id,
      attempt: 1,
      ambiguousSends: 0,
    });

    const [mail, ...others] = outboxFor(message);
    expect(others).toEqual([]);
    expect(mail).toMatchObject({
      from: { userPrincipalName: 'billing@contoso.com' },
      subject: `Payment reminder: ${message.reference} – €1,250.00 due in 7 days`,
      body: { contentType: 'html' },
      toRecipients: [{ address: message.customer.email, name: 'Müller Logistik GmbH' }],
      saveToSentItems: false,
    });
    expect(mail?.body.content).toContain('<html lang="en-GB"');
    expect(mail?.body.content).toContain('>Tuesday, 8 December 2026</td>');
    expect(await lookupReminder(deps.ledger, message.id)).toMatchObject({
      state: 'sent',
      attempts: 1,
      claimedBy: 'inv-1',
      sentAt: NOW,
    });
    expect(deps.logger.lines.join('\n')).not.toContain(message.customer.email);
  });

  it('a message delivered twice sends one e-mail', async () => {
    const deps = deliveryDeps();
    const message = reminder();
    await deliverReminder(deps, message, { deliveryId: 'first' });
    const requestsAfterFirst = stack().counters.get('graph.sendMail');
    expect(await deliverReminder(deps, message, { deliveryId: 'second' })).toEqual({
      status: 'alreadySettled',
      reminderId: message.id,
      state: 'sent',
    });
    expect(outboxFor(message)).toHaveLength(1);
    expect(stack().counters.get('graph.sendMail')).toBe(requestsAfterFirst);
  });

  it('two copies delivered at once send one e-mail', async () => {
    const message = reminder();
    const outcomes = await Promise.all([
      deliverReminder(deliveryDeps(), message, { deliveryId: 'a' }),
      deliverReminder(deliveryDeps(), message, { deliveryId: 'b' }),
    ]);
    const statuses = outcomes.map((outcome: DeliveryOutcome) => outcome.status).sort();
    expect(statuses[1]).toBe('sent');
    expect(['alreadySettled', 'inProgress']).toContain(statuses[0]);
    expect(outboxFor(message)).toHaveLength(1);
  });

  it('a message that meets a live claim comes back after the claim ends (the claimant may have deferred with the ledger down), and then sends', async () => {
    const message = reminder();
    let now = NOW;
    const { copies, reschedule } = recordedCopies();
    const deps = { ...deliveryDeps({ clock: () => now }), reschedule };
    // A delivery claimed it, then lost the ledger: its claim is neither settled nor released.
    await claimReminder(deps.ledger, message, { owner: 'deferred-with-ledger-down', now, durationMs: CLAIM_MS });

    now = new Date(NOW.getTime() + 60_000);
    expect(await deliverReminder(deps, message, { deliveryId: 'its-copy' })).toMatchObject({
      status: 'deferred',
      code: 'ClaimHeld',
      until: new Date(NOW.getTime() + CLAIM_MS + 5_000),
    });
    expect(copies).toEqual([new Date(NOW.getTime() + CLAIM_MS + 5_000)]);
    expect(outboxFor(message)).toEqual([]);

    now = copies[0] ?? now;
    expect(await deliverReminder(deps, message, { deliveryId: 'its-copy-again' })).toMatchObject({ status: 'sent' });
    expect(outboxFor(message)).toHaveLength(1);
  });

  it('a copy that meets a deferred reminder comes back when the deferral ends, not at once (no spinning copy)', async () => {
    const message = reminder();
    let now = NOW;
    const { copies, reschedule } = recordedCopies();
    const deps = { ...deliveryDeps({ clock: () => now }), reschedule };
    const deferredUntil = new Date(NOW.getTime() + 3_600_000);
    const held = await claimReminder(deps.ledger, message, { owner: 'paced', now, durationMs: CLAIM_MS });
    if (held.kind !== 'claimed') throw new Error('expected a claim');
    await deferClaim(deps.ledger, held.claim, {
      now,
      until: deferredUntil,
      slotKept: false,
      reason: 'MailboxPaused',
      code: 'MailThrottled',
      message: 'paused',
    });

    now = new Date(NOW.getTime() + 60_000);
    expect(await deliverReminder(deps, message, { deliveryId: 'duplicate-copy' })).toMatchObject({
      status: 'deferred',
      code: 'ClaimHeld',
      until: new Date(deferredUntil.getTime() + 5_000),
    });
    expect(copies).toEqual([new Date(deferredUntil.getTime() + 5_000)]);
    expect(outboxFor(message)).toEqual([]);
  });

  it("a reminder deferred to a slot comes back 5 s before it and waits for it in the worker (the queue's polling would make it late)", async () => {
    const start = new Date(NOW.getTime() + 86_400_000);
    let now = start;
    const { copies, reschedule } = recordedCopies();
    const sleeps: number[] = [];
    const base = deliveryDeps({ clock: () => now });
    const deps: DeliveryDependencies = {
      ...base,
      settings: {
        ...base.settings,
        senders: [{ mailbox: base.settings.senderMailbox, messagesPerMinute: 30, recipientsPerDay: 10_000 }],
      },
      reschedule,
      sleep: async (ms) => {
        sleeps.push(ms);
      },
    };
    // Slots every 2.1 s (30 a minute, 5 % below): five within the 10 s the worker waits, the sixth deferred.
    const messages = Array.from({ length: 6 }, () => reminder());
    const outcomes: DeliveryOutcome[] = [];
    for (const message of messages) outcomes.push(await deliverReminder(deps, message, { deliveryId: message.id }));
    expect(outcomes.map((outcome) => outcome.status)).toEqual(['sent', 'sent', 'sent', 'sent', 'sent', 'deferred']);
    const slot = new Date(start.getTime() + 5 * 2_100);
    expect(outcomes[5]).toMatchObject({ code: 'MailboxPace', until: slot });
    expect(copies).toEqual([new Date(slot.getTime() - 5_000)]);

    now = copies[0] ?? now;
    sleeps.length = 0;
    const last = messages[5] ?? reminder();
    expect(await deliverReminder(deps, last, { deliveryId: 'its-copy' })).toMatchObject({ status: 'sent' });
    expect(sleeps).toEqual([5_000]);
    expect(outboxFor(last)).toHaveLength(1);
  });

  it('a delivery that died between claim and send: its claim holds until it expires, then a redelivery sends', async () => {
    const message = reminder();
    let now = NOW;
    const deps = deliveryDeps({ clock: () => now });
    await claimReminder(deps.ledger, message, { owner: 'crashed-worker', now, durationMs: CLAIM_MS });

    now = new Date(NOW.getTime() + CLAIM_MS - 1_000);
    expect(await deliverReminder(deps, message, { deliveryId: 'too-early' })).toEqual({
      status: 'inProgress',
      reminderId: message.id,
      claimedUntil: new Date(NOW.getTime() + CLAIM_MS),
    });
    expect(outboxFor(message)).toEqual([]);

    now = new Date(NOW.getTime() + CLAIM_MS + 1_000);
    expect(await deliverReminder(deps, message, { deliveryId: 'redelivery' })).toMatchObject({
      status: 'sent',
      attempt: 2,
    });
    expect(outboxFor(message)).toHaveLength(1);
  });

  it('a transient failure (sendMail 503) releases the claim and throws; the retry sends one e-mail', async () => {
    const message = reminder();
    stack().faults.add({ endpoint: 'graph.sendMail', action: { type: 'status', status: 503 }, count: 1 });
    const deps = deliveryDeps({ mailer: { retry: { maxAttempts: 1 } } });
    const error = await deliveryError(deliverReminder(deps, message, { deliveryId: 'first' }));
    expect(error).toMatchObject({
      code: 'ReminderNotSent',
      reminderId: message.id,
      cause: { code: 'MailServiceUnavailable', status: 503 },
    });
    expect(await lookupReminder(deps.ledger, message.id)).toMatchObject({
      state: 'retrying',
      lastErrorCode: 'MailServiceUnavailable',
    });

    expect(await deliverReminder(deps, message, { deliveryId: 'retry' })).toMatchObject({
      status: 'sent',
      attempt: 2,
      ambiguousSends: 0,
    });
    expect(outboxFor(message)).toHaveLength(1);
  });

  it('access denied (403) is not sent and throws, so that the message is retried after the fix', async () => {
    const message = reminder();
    const deps = deliveryDeps({ mailer: { tokens: stackTokens(stack(), APP_WITHOUT_PERMISSIONS).tokens } });
    expect(await deliveryError(deliverReminder(deps, message, { deliveryId: 'first' }))).toMatchObject({
      code: 'ReminderNotSent',
      cause: { code: 'MailAccessDenied' },
    });
    expect(await lookupReminder(deps.ledger, message.id)).toMatchObject({
      state: 'retrying',
      lastErrorCode: 'MailAccessDenied',
    });
    expect(await deliverReminder(deliveryDeps(), message, { deliveryId: 'after-the-fix' })).toMatchObject({
      status: 'sent',
      attempt: 2,
    });
  });

  it('a refused recipient (400) is recorded as failed and never retried', async () => {
    const deps = deliveryDeps();
    const message = reminder({ customer: { name: 'Nobody', email: 'nobody@localhost' } });
    expect(await deliverReminder(deps, message, { deliveryId: 'first' })).toEqual({
      status: 'failed',
      reminderId: message.id,
      code: 'ErrorInvalidRecipients',
    });
    expect(await lookupReminder(deps.ledger, message.id)).toMatchObject({
      state: 'failed',
      lastErrorCode: 'ErrorInvalidRecipients',
    });
    expect((await lookupReminder(deps.ledger, message.id))?.lastError).not.toContain('nobody@localhost');

    const requests = stack().counters.get('graph.sendMail');
    expect(await deliverReminder(deps, message, { deliveryId: 'redelivery' })).toEqual({
      status: 'alreadySettled',
      reminderId: message.id,
      state: 'failed',
    });
    expect(stack().counters.get('graph.sendMail')).toBe(requests);
    expect(deps.logger.lines.join('\n')).not.toContain('nobody@localhost');
  });

  it('no answer after the request left: recorded as ambiguous and thrown; the retry sends and the count stays', async () => {
    const message = reminder();
    stack().faults.add({ endpoint: 'graph.sendMail', action: { type: 'latency', ms: 2_000 }, count: 1 });
    const deps = deliveryDeps({ mailer: { timeoutMs: 300 } });
    expect(await deliveryError(deliverReminder(deps, message, { deliveryId: 'first' }))).toMatchObject({
      code: 'ReminderOutcomeUnknown',
      cause: { code: 'MailOutcomeUnknown' },
    });
    expect(await lookupReminder(deps.ledger, message.id)).toMatchObject({ state: 'ambiguous', ambiguousSends: 1 });

    expect(await deliverReminder(deps, message, { deliveryId: 'retry' })).toEqual({
      status: 'sent',
      reminderId: message.id,
      attempt: 2,
      ambiguousSends: 1,
    });
    expect(await lookupReminder(deps.ledger, message.id)).toMatchObject({ state: 'sent', ambiguousSends: 1 });
    expect(
      deps.logger.lines.some(
        (line) => line.startsWith('warn ') && line.includes('may have received it more than once'),
      ),
    ).toBe(true);
  });

  it('says "due today" when a reminder created yesterday is sent on the due date', async () => {
    const message = reminder({ dueDate: '2026-12-02', daysBefore: 1, daysLeft: 1 });
    const deps = deliveryDeps({ clock: () => new Date('2026-12-01T23:30:00Z') }); // 00:30 on 2 December in Berlin
    await deliverReminder(deps, message, { deliveryId: 'late' });
    expect(outboxFor(message)[0]?.subject).toMatch(/due today$/);
  });

  it('does not send a reminder whose due date has passed: failed, ReminderExpired', async () => {
    const deps = deliveryDeps({ clock: () => new Date('2026-12-09T07:00:00Z') });
    const message = reminder();
    expect(await deliverReminder(deps, message, { deliveryId: 'late' })).toEqual({
      status: 'failed',
      reminderId: message.id,
      code: 'ReminderExpired',
    });
    expect(outboxFor(message)).toEqual([]);
    expect(await lookupReminder(deps.ledger, message.id)).toMatchObject({
      state: 'failed',
      lastErrorCode: 'ReminderExpired',
    });
  });

  it('an index write that fails only warns: the reminder is sent and recorded; a redelivery skips it and indexes it', async () => {
    const connectionString = stack().azurite?.connectionString ?? '';
    const deps = deliveryDeps({ ledger: ledgerOf(connectionString, { maxRetries: 0, policy: failingIndexWrites }) });
    const message = reminder();
    expect(await deliverReminder(deps, message, { deliveryId: 'a' })).toMatchObject({ status: 'sent' });
    expect(deps.logger.lines.filter((line) => line.startsWith('warn'))).toEqual([
      expect.stringMatching(new RegExp(`^warn Reminder ${message.id}: recorded as sent, but indexing it failed`)),
    ]);
    expect(await lookupReminder(deps.ledger, message.id)).toMatchObject({ state: 'sent' });
    expect(await findSentReminderIds(deps.ledger, [message])).toEqual(new Set());

    // The sweep emits it again; delivery skips it as sent and writes the missing index entity.
    const redelivery = deliveryDeps({ ledger: ledgerOf(connectionString) });
    expect(await deliverReminder(redelivery, message, { deliveryId: 'b' })).toEqual({
      status: 'alreadySettled',
      reminderId: message.id,
      state: 'sent',
    });
    expect(outboxFor(message)).toHaveLength(1);
    expect(await findSentReminderIds(redelivery.ledger, [message])).toEqual(new Set([message.id]));
  });

  it('sends nothing when the ledger cannot be reached (the claim comes first)', async () => {
    const connectionString =
      stack().azurite?.connectionString.replace(
        /TableEndpoint=http:\/\/127\.0\.0\.1:\d+/,
        'TableEndpoint=http://127.0.0.1:9',
      ) ?? '';
    const deps = deliveryDeps({ ledger: ledgerOf(connectionString, { maxRetries: 0 }) });
    const requests = stack().counters.get('graph.sendMail');
    await expect(deliverReminder(deps, reminder(), { deliveryId: 'x' })).rejects.toMatchObject({
      code: 'LedgerUnavailable',
    });
    expect(stack().counters.get('graph.sendMail')).toBe(requests);
  });
});
