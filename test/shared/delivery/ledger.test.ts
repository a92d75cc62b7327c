/**
 * The idempotency ledger against Azurite's Table service, through the real @azure/data-tables client.
 */
import { RestError } from '@azure/core-rest-pipeline';
import type { PipelinePolicy, PipelineRequest, SendRequest } from '@azure/core-rest-pipeline';
import { TableClient } from '@azure/data-tables';
import type { TableServiceClientOptions } from '@azure/data-tables';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startAzurite } from '../../../emulators/stack/azurite.js';
import type { AzuriteInstance } from '../../../emulators/stack/azurite.js';
import {
  LedgerError,
  claimReminder,
  createReminderLedger,
  encodeTableKey,
  findSentReminderIds,
  indexSentReminder,
  listObligationReminders,
  lookupReminder,
  recordFailed,
  recordSent,
  releaseClaim,
  sentIndexPartitionKey,
} from '../../../shared/delivery/ledger.js';
import type { ClaimResult, LedgerClaim, ReminderLedger } from '../../../shared/delivery/ledger.js';
import { reminderFor } from '../../support/reminder-messages.js';

const T0 = new Date('2026-12-01T07:00:00Z');
const CLAIM_MS = 300_000;

function at(offsetMs: number): Date {
  return new Date(T0.getTime() + offsetMs);
}

function claimed(result: ClaimResult): LedgerClaim {
  if (result.kind !== 'claimed') throw new Error(`expected a claim, got ${result.kind}`);
  return result.claim;
}

let azurite: AzuriteInstance;
let tableCount = 0;

beforeAll(async () => {
  azurite = await startAzurite({ inMemory: true });
});

afterAll(async () => {
  await azurite?.stop();
});

/** A ledger on a fresh table, so that tests never see each other's entities. */
function freshLedger(options: TableServiceClientOptions = {}): ReminderLedger {
  tableCount += 1;
  const table = TableClient.fromConnectionString(azurite.connectionString, `ledgertest${tableCount}`, {
    allowInsecureConnection: true,
    retryOptions: { retryDelayInMs: 10, maxRetryDelayInMs: 50 },
    ...options,
  });
  return createReminderLedger(table);
}

describe('table keys', () => {
  it('percent-encodes the characters Table storage forbids in keys, and % itself; ordinary ids stay as they are', () => {
    expect(encodeTableKey('17:2026-12-08:7')).toBe('17:2026-12-08:7');
    expect(encodeTableKey('a/b\\c#d?e%f\u0001g\u007fh\u0085')).toBe('a%2Fb%5Cc%23d%3Fe%25f%01g%7Fh%85');
  });
});

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

describe('reading the ledger ("did you remind me?")', () => {
  it('looks reminders up by id and lists them by obligation, whatever characters the ids hold', async () => {
    const ledger = freshLedger();
    const odd = 'a/b#c?d\\e%f';
    for (const message of [
      reminderFor(odd, '2026-12-08', 7),
      reminderFor(odd, '2026-12-08', 3),
      reminderFor('other'),
    ]) {
      claimed(await claimReminder(ledger, message, { owner: 'a', now: T0, durationMs: CLAIM_MS }));
    }
    expect(await lookupReminder(ledger, `${odd}:2026-12-08:3`)).toMatchObject({ obligationId: odd, daysBefore: 3 });
    expect(await lookupReminder(ledger, `${odd}:2026-12-09:3`)).toBeUndefined();
    expect((await listObligationReminders(ledger, odd)).map((entry) => entry.reminderId)).toEqual([
      `${odd}:2026-12-08:3`,
      `${odd}:2026-12-08:7`,
    ]);
    expect(await listObligationReminders(ledger, 'nobody')).toEqual([]);

    const stored = await ledger.table.getEntity('a%2Fb%23c%3Fd%5Ce%25f', 'a%2Fb%23c%3Fd%5Ce%25f:2026-12-08:3');
    expect(stored).toMatchObject({
      partitionKey: 'a%2Fb%23c%3Fd%5Ce%25f',
      rowKey: 'a%2Fb%23c%3Fd%5Ce%25f:2026-12-08:3',
    });
    await expect(lookupReminder(ledger, 'not a reminder id')).rejects.toThrow(RangeError);
  });

  it('finds which reminders are recorded as sent', async () => {
    const ledger = freshLedger();
    const sent = [reminderFor('20'), reminderFor('21', '2026-12-04', 3), reminderFor('22')];
    for (const message of sent) {
      const claim = claimed(await claimReminder(ledger, message, { owner: 'a', now: T0, durationMs: CLAIM_MS }));
      await recordSent(ledger, claim, { now: T0, mailRequestIds: 'ids' });
    }
    // Same obligation as a sent one, another reminder day: not sent.
    const sameObligation = reminderFor('21', '2026-12-04', 1);
    const held = reminderFor('23');
    claimed(await claimReminder(ledger, held, { owner: 'a', now: T0, durationMs: CLAIM_MS }));
    const failed = claimed(
      await claimReminder(ledger, reminderFor('24'), { owner: 'a', now: T0, durationMs: CLAIM_MS }),
    );
    await recordFailed(ledger, failed, { now: T0, code: 'ErrorInvalidRecipients', message: 'refused' });

    const asked = [...sent, sameObligation, held, reminderFor('24'), reminderFor('25')];
    const found = await findSentReminderIds(ledger, asked, { concurrency: 2 });
    expect([...found].sort()).toEqual(['20:2026-12-08:7', '21:2026-12-04:3', '22:2026-12-08:7']);
    expect(await findSentReminderIds(ledger, [])).toEqual(new Set());
  });
});

describe('the index of sent reminders by due date', () => {
  /** Counts the entity queries (GETs with a filter) that reach Table storage. */
  function countingQueries(): PipelinePolicy & { queries: string[] } {
    const policy = {
      name: 'countingQueries',
      queries: [] as string[],
      async sendRequest(request: PipelineRequest, next: SendRequest) {
        const filter = new URL(request.url).searchParams.get('$filter');
        if (request.method === 'GET' && filter !== null) policy.queries.push(filter);
        return next(request);
      },
    };
    return policy;
  }

  /** Fails every upsert (PUT) of an index entity, as an outage of that one write would. */
  function failingIndexWrites(): PipelinePolicy {
    return {
      name: 'failingIndexWrites',
      async sendRequest(request: PipelineRequest, next: SendRequest) {
        if (
          request.method === 'PUT' &&
          decodeURIComponent(new URL(request.url).pathname).includes(sentIndexPartitionKey(''))
        ) {
          throw new RestError('connect ECONNREFUSED', { code: 'ECONNREFUSED', request });
        }
        return next(request);
      },
    };
  }

  async function indexEntities(ledger: ReminderLedger): Promise<Record<string, unknown>[]> {
    const prefix = sentIndexPartitionKey('');
    const entities: Record<string, unknown>[] = [];
    const filter = `PartitionKey ge '${prefix}' and PartitionKey lt '${prefix.slice(0, -1)};'`;
    for await (const entity of ledger.table.listEntities<Record<string, unknown>>({ queryOptions: { filter } }))
      entities.push(entity);
    return entities;
  }

  it('never shares a partition with an obligation: encoded ids have a % only before two hex digits', () => {
    expect(sentIndexPartitionKey('2026-12-08')).toMatch(/%[^0-9A-F]/);
    for (const id of ['%sent:2026-12-08', '%s', 'a%b']) {
      expect(encodeTableKey(id)).not.toMatch(/%[^0-9A-F]/);
      expect(encodeTableKey(id)).not.toMatch(/%[0-9A-F]?$/);
    }
  });

  it('recording a reminder as sent indexes it under its due date; the "did you remind me?" reads do not see the index', async () => {
    const ledger = freshLedger();
    const odd = 'x/y%z';
    const claim = claimed(
      await claimReminder(ledger, reminderFor(odd, '2026-12-08', 3), { owner: 'a', now: T0, durationMs: CLAIM_MS }),
    );
    expect(await recordSent(ledger, claim, { now: at(1000), mailRequestIds: 'ids' })).toEqual({});

    const indexed = await ledger.table.getEntity<Record<string, unknown>>(
      sentIndexPartitionKey('2026-12-08'),
      encodeTableKey(`${odd}:2026-12-08:3`),
    );
    expect(indexed).toMatchObject({ reminderId: `${odd}:2026-12-08:3`, obligationId: odd, sentAt: at(1000) });
    expect((await listObligationReminders(ledger, odd)).map((entry) => entry.reminderId)).toEqual([
      `${odd}:2026-12-08:3`,
    ]);
    expect(await lookupReminder(ledger, `${odd}:2026-12-08:3`)).toMatchObject({ state: 'sent' });
  });

  it('checks the sweep’s reminders with one query per due date, whatever the number of obligations', async () => {
    const counting = countingQueries();
    const ledger = freshLedger({ additionalPolicies: [{ policy: counting, position: 'perCall' }] });
    const dueDates = ['2026-12-04', '2026-12-08', '2026-12-31'];
    const asked = Array.from({ length: 30 }, (_, index) =>
      reminderFor(`o${index}`, dueDates[index % dueDates.length], 3),
    );
    const sentIds: string[] = [];
    for (const message of asked.filter((_, index) => index % 2 === 0)) {
      await recordSent(
        ledger,
        claimed(await claimReminder(ledger, message, { owner: 'a', now: T0, durationMs: CLAIM_MS })),
        { now: T0, mailRequestIds: 'ids' },
      );
      sentIds.push(message.id);
    }
    // Sent, but not asked: in a queried partition, not in the answer.
    const other = reminderFor('unasked', '2026-12-08', 3);
    await recordSent(
      ledger,
      claimed(await claimReminder(ledger, other, { owner: 'a', now: T0, durationMs: CLAIM_MS })),
      { now: T0, mailRequestIds: 'ids' },
    );

    counting.queries.length = 0;
    const found = await findSentReminderIds(ledger, asked);
    expect([...found].sort()).toEqual(sentIds.sort());
    expect(counting.queries).toHaveLength(dueDates.length);
  });

  it('failed, ambiguous, retrying and claimed reminders are not indexed', async () => {
    const ledger = freshLedger();
    const failed = claimed(
      await claimReminder(ledger, reminderFor('40'), { owner: 'a', now: T0, durationMs: CLAIM_MS }),
    );
    await recordFailed(ledger, failed, { now: T0, code: 'ErrorInvalidRecipients', message: 'refused' });
    const ambiguous = claimed(
      await claimReminder(ledger, reminderFor('41'), { owner: 'a', now: T0, durationMs: CLAIM_MS }),
    );
    await releaseClaim(ledger, ambiguous, {
      outcome: 'ambiguous',
      now: T0,
      code: 'MailOutcomeUnknown',
      message: 'No answer.',
    });
    const retrying = claimed(
      await claimReminder(ledger, reminderFor('42'), { owner: 'a', now: T0, durationMs: CLAIM_MS }),
    );
    await releaseClaim(ledger, retrying, {
      outcome: 'notSent',
      now: T0,
      code: 'MailThrottled',
      message: 'Graph is throttling.',
    });
    claimed(await claimReminder(ledger, reminderFor('43'), { owner: 'a', now: T0, durationMs: CLAIM_MS }));
    const sent = claimed(await claimReminder(ledger, reminderFor('44'), { owner: 'a', now: T0, durationMs: CLAIM_MS }));
    await recordSent(ledger, sent, { now: T0, mailRequestIds: 'ids' });

    expect((await indexEntities(ledger)).map((entity) => entity.reminderId)).toEqual(['44:2026-12-08:7']);
    const asked = ['40', '41', '42', '43', '44'].map((id) => reminderFor(id));
    expect([...(await findSentReminderIds(ledger, asked))]).toEqual(['44:2026-12-08:7']);
  });

  it('an index write that fails leaves the reminder recorded as sent and reports the failure; indexing again is idempotent', async () => {
    const ledger = freshLedger({
      additionalPolicies: [{ policy: failingIndexWrites(), position: 'perRetry' }],
      retryOptions: { maxRetries: 0 },
    });
    const claim = claimed(
      await claimReminder(ledger, reminderFor('45'), { owner: 'a', now: T0, durationMs: CLAIM_MS }),
    );
    const { indexError } = await recordSent(ledger, claim, { now: at(1000), mailRequestIds: 'ids' });
    expect(indexError).toMatchObject({ name: 'LedgerError', code: 'LedgerUnavailable', reminderId: '45:2026-12-08:7' });
    expect(await lookupReminder(ledger, '45:2026-12-08:7')).toMatchObject({ state: 'sent' });
    expect(await indexEntities(ledger)).toEqual([]);
    expect(await findSentReminderIds(ledger, [reminderFor('45')])).toEqual(new Set());

    const healthy = createReminderLedger(
      TableClient.fromConnectionString(azurite.connectionString, ledger.table.tableName, {
        allowInsecureConnection: true,
      }),
    );
    await indexSentReminder(healthy, { reminderId: '45:2026-12-08:7', obligationId: '45', sentAt: at(1000) });
    await indexSentReminder(healthy, { reminderId: '45:2026-12-08:7', obligationId: '45', sentAt: at(1000) });
    expect(await indexEntities(healthy)).toHaveLength(1);
    expect(await findSentReminderIds(healthy, [reminderFor('45')])).toEqual(new Set(['45:2026-12-08:7']));
  });
});

describe('failures', () => {
  it('reports an unreachable table service as LedgerUnavailable, naming the table but not the connection', async () => {
    const unreachable = TableClient.fromConnectionString(
      azurite.connectionString.replace(/TableEndpoint=http:\/\/127\.0\.0\.1:\d+/, 'TableEndpoint=http://127.0.0.1:9'),
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
