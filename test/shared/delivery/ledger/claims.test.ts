/** The claim protocol against Azurite: claims, outcomes, retried writes, an unreachable table. */
import { RestError } from '@azure/core-rest-pipeline';
import type { PipelinePolicy, PipelineRequest, SendRequest } from '@azure/core-rest-pipeline';
import { TableClient } from '@azure/data-tables';
import { describe, expect, it } from 'vitest';
import {
  LedgerError,
  claimReminder,
  createReminderLedger,
  lookupReminder,
  recordFailed,
  recordSent,
  releaseClaim,
} from '../../../../shared/delivery/ledger/index.js';
import { reminderFor } from '../../../support/reminder-messages.js';
import { CLAIM_MS, T0, at, claimed, useLedgerTables } from './ledger-fixture.js';

const ledgerTables = useLedgerTables();
const { freshLedger } = ledgerTables;

describe('claiming', () => {
  it('the first claim inserts the entry; a second one meets the live claim', async () => {
    const ledger = freshLedger();
    const first = claimed(
      await claimReminder(ledger, reminderFor('1'), { owner: 'delivery-a', now: T0, durationMs: CLAIM_MS }),
    );
    expect(first).toMatchObject({
      reminderId: '1:2026-12-08:7',
      attempt: 1,
      ambiguousSends: 0,
      claimedUntil: at(CLAIM_MS),
    });

    const second = await claimReminder(ledger, reminderFor('1'), {
      owner: 'delivery-b',
      now: at(1000),
      durationMs: CLAIM_MS,
    });
    expect(second.kind).toBe('held');
    expect(second.kind === 'held' && second.entry).toMatchObject({
      state: 'claimed',
      claimedBy: 'delivery-a',
      claimedUntil: at(CLAIM_MS),
    });

    expect(await lookupReminder(ledger, '1:2026-12-08:7')).toMatchObject({
      reminderId: '1:2026-12-08:7',
      obligationId: '1',
      reference: 'INV-1',
      dueDate: '2026-12-08',
      daysBefore: 7,
      state: 'claimed',
      attempts: 1,
    });
  });

  it('two deliveries claiming at once: exactly one gets the claim', async () => {
    const ledger = freshLedger();
    const results = await Promise.all(
      ['a', 'b', 'c', 'd'].map((owner) =>
        claimReminder(ledger, reminderFor('2'), { owner, now: T0, durationMs: CLAIM_MS }),
      ),
    );
    expect(results.filter((result) => result.kind === 'claimed')).toHaveLength(1);
    expect(results.filter((result) => result.kind === 'held')).toHaveLength(3);
  });

  it('two deliveries taking over an expired claim at once: exactly one gets it', async () => {
    const ledger = freshLedger();
    claimed(await claimReminder(ledger, reminderFor('3'), { owner: 'dead', now: T0, durationMs: CLAIM_MS }));
    const later = at(CLAIM_MS + 1);
    const results = await Promise.all(
      ['a', 'b', 'c'].map((owner) =>
        claimReminder(ledger, reminderFor('3'), { owner, now: later, durationMs: CLAIM_MS }),
      ),
    );
    const winners = results.filter((result) => result.kind === 'claimed');
    expect(winners).toHaveLength(1);
    expect(winners[0]?.kind === 'claimed' && winners[0].claim.attempt).toBe(2);
    expect(results.filter((result) => result.kind === 'held')).toHaveLength(2);
  });

  it('an expired claim is taken over, and its old holder can no longer record an outcome', async () => {
    const ledger = freshLedger();
    const dead = claimed(
      await claimReminder(ledger, reminderFor('4'), { owner: 'dead', now: T0, durationMs: CLAIM_MS }),
    );
    expect(
      (await claimReminder(ledger, reminderFor('4'), { owner: 'early', now: at(CLAIM_MS - 1), durationMs: CLAIM_MS }))
        .kind,
    ).toBe('held');

    const next = claimed(
      await claimReminder(ledger, reminderFor('4'), { owner: 'next', now: at(CLAIM_MS), durationMs: CLAIM_MS }),
    );
    expect(next.attempt).toBe(2);
    const lost = recordSent(ledger, dead, { now: at(CLAIM_MS + 5), mailRequestIds: 'late' });
    await expect(lost).rejects.toBeInstanceOf(LedgerError);
    await expect(lost).rejects.toMatchObject({ code: 'LedgerClaimLost', reminderId: '4:2026-12-08:7' });

    await recordSent(ledger, next, { now: at(CLAIM_MS + 10), mailRequestIds: 'client-request-id x' });
    expect(await lookupReminder(ledger, '4:2026-12-08:7')).toMatchObject({
      state: 'sent',
      claimedBy: 'next',
      attempts: 2,
      mailRequestIds: 'client-request-id x',
    });
  });
});

describe('outcomes', () => {
  it('sent is final: later claims find it settled', async () => {
    const ledger = freshLedger();
    const claim = claimed(await claimReminder(ledger, reminderFor('5'), { owner: 'a', now: T0, durationMs: CLAIM_MS }));
    await recordSent(ledger, claim, { now: at(2000), mailRequestIds: 'ids' });
    const again = await claimReminder(ledger, reminderFor('5'), {
      owner: 'b',
      now: at(CLAIM_MS * 10),
      durationMs: CLAIM_MS,
    });
    expect(again.kind).toBe('settled');
    expect(again.kind === 'settled' && again.entry).toMatchObject({
      state: 'sent',
      sentAt: at(2000),
      attempts: 1,
      ambiguousSends: 0,
    });
    expect(again.kind === 'settled' && again.entry.updatedAt).toBeInstanceOf(Date);
  });

  it('failed is final, with the code and message', async () => {
    const ledger = freshLedger();
    const claim = claimed(await claimReminder(ledger, reminderFor('6'), { owner: 'a', now: T0, durationMs: CLAIM_MS }));
    await recordFailed(ledger, claim, {
      now: at(1000),
      code: 'ErrorInvalidRecipients',
      message: 'Graph refused this message.',
    });
    const again = await claimReminder(ledger, reminderFor('6'), { owner: 'b', now: at(2000), durationMs: CLAIM_MS });
    expect(again.kind === 'settled' && again.entry).toMatchObject({
      state: 'failed',
      failedAt: at(1000),
      lastErrorCode: 'ErrorInvalidRecipients',
      lastError: 'Graph refused this message.',
    });
  });

  it('a released claim (nothing sent) can be claimed again at once', async () => {
    const ledger = freshLedger();
    const first = claimed(await claimReminder(ledger, reminderFor('7'), { owner: 'a', now: T0, durationMs: CLAIM_MS }));
    await releaseClaim(ledger, first, {
      outcome: 'notSent',
      now: at(1000),
      code: 'MailThrottled',
      message: 'Graph is throttling.',
    });
    expect(await lookupReminder(ledger, '7:2026-12-08:7')).toMatchObject({
      state: 'retrying',
      lastErrorCode: 'MailThrottled',
      ambiguousSends: 0,
    });

    const second = claimed(
      await claimReminder(ledger, reminderFor('7'), { owner: 'b', now: at(2000), durationMs: CLAIM_MS }),
    );
    expect(second).toMatchObject({ attempt: 2, ambiguousSends: 0 });
  });

  it('an ambiguous send is counted, the reminder can be claimed again, and the count stays after it is sent', async () => {
    const ledger = freshLedger();
    const first = claimed(await claimReminder(ledger, reminderFor('8'), { owner: 'a', now: T0, durationMs: CLAIM_MS }));
    await releaseClaim(ledger, first, {
      outcome: 'ambiguous',
      now: at(1000),
      code: 'MailOutcomeUnknown',
      message: 'No answer.',
    });
    expect(await lookupReminder(ledger, '8:2026-12-08:7')).toMatchObject({ state: 'ambiguous', ambiguousSends: 1 });

    const second = claimed(
      await claimReminder(ledger, reminderFor('8'), { owner: 'b', now: at(2000), durationMs: CLAIM_MS }),
    );
    expect(second).toMatchObject({ attempt: 2, ambiguousSends: 1 });
    await recordSent(ledger, second, { now: at(3000), mailRequestIds: 'ids' });
    expect(await lookupReminder(ledger, '8:2026-12-08:7')).toMatchObject({
      state: 'sent',
      attempts: 2,
      ambiguousSends: 1,
    });
  });
});

describe('writes retried by the SDK after a lost response', () => {
  /**
   * Lets the first entity write with `method` reach Azurite, then reports a reset connection instead of
   * its response, so that the SDK sends it again.
   */
  function losingFirstResponse(method: string): PipelinePolicy & { lostResponses: number } {
    const policy = {
      name: 'losingFirstResponse',
      lostResponses: 0,
      async sendRequest(request: PipelineRequest, next: SendRequest) {
        const response = await next(request);
        const entityWrite = request.method === method && !new URL(request.url).pathname.endsWith('/Tables');
        if (entityWrite && policy.lostResponses === 0) {
          policy.lostResponses += 1;
          throw new RestError('socket hang up', { code: 'ECONNRESET', request });
        }
        return response;
      },
    };
    return policy;
  }

  it('a claim whose insert landed is recognised as this delivery’s own', async () => {
    const losing = losingFirstResponse('POST');
    const ledger = freshLedger({ additionalPolicies: [{ policy: losing, position: 'perRetry' }] });
    const claim = claimed(await claimReminder(ledger, reminderFor('9'), { owner: 'a', now: T0, durationMs: CLAIM_MS }));
    expect(losing.lostResponses).toBe(1);
    expect(claim.attempt).toBe(1);
    await recordSent(ledger, claim, { now: at(1000), mailRequestIds: 'ids' });
    expect(await lookupReminder(ledger, '9:2026-12-08:7')).toMatchObject({ state: 'sent', attempts: 1 });
  });

  it('an outcome whose update landed is not mistaken for a lost claim', async () => {
    const losing = losingFirstResponse('PATCH');
    const ledger = freshLedger({ additionalPolicies: [{ policy: losing, position: 'perRetry' }] });
    const claim = claimed(
      await claimReminder(ledger, reminderFor('10'), { owner: 'a', now: T0, durationMs: CLAIM_MS }),
    );
    await recordSent(ledger, claim, { now: at(1000), mailRequestIds: 'ids' });
    expect(losing.lostResponses).toBe(1);
    expect(await lookupReminder(ledger, '10:2026-12-08:7')).toMatchObject({ state: 'sent' });
  });
});

describe('failures', () => {
  it('reports an unreachable table service as LedgerUnavailable, naming the table but not the connection', async () => {
    const unreachable = TableClient.fromConnectionString(
      ledgerTables.connectionString.replace(
        /TableEndpoint=http:\/\/127\.0\.0\.1:\d+/,
        'TableEndpoint=http://127.0.0.1:9',
      ),
      'ledgerdown',
      { allowInsecureConnection: true, retryOptions: { maxRetries: 0 } },
    );
    const ledger = createReminderLedger(unreachable);
    const attempt = claimReminder(ledger, reminderFor('30'), { owner: 'a', now: T0, durationMs: CLAIM_MS });
    await expect(attempt).rejects.toMatchObject({ name: 'LedgerError', code: 'LedgerUnavailable' });
    await expect(attempt).rejects.toThrow(/ledger table 'ledgerdown'/);
    await expect(attempt).rejects.not.toThrow(/AccountKey|Eby8/);
  });
});
