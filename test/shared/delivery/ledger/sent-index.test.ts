/** The index of sent reminders by due date against Azurite. */
import { RestError } from '@azure/core-rest-pipeline';
import type { PipelinePolicy, PipelineRequest, SendRequest } from '@azure/core-rest-pipeline';
import { TableClient } from '@azure/data-tables';
import { describe, expect, it } from 'vitest';
import {
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
} from '../../../../shared/delivery/ledger/index.js';
import type { ReminderLedger } from '../../../../shared/delivery/ledger/index.js';
import { reminderFor } from '../../../support/reminder-messages.js';
import { CLAIM_MS, T0, at, claimed, useLedgerTables } from './ledger-fixture.js';

const ledgerTables = useLedgerTables();
const { freshLedger } = ledgerTables;

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
      TableClient.fromConnectionString(ledgerTables.connectionString, ledger.table.tableName, {
        allowInsecureConnection: true,
      }),
    );
    await indexSentReminder(healthy, { reminderId: '45:2026-12-08:7', obligationId: '45', sentAt: at(1000) });
    await indexSentReminder(healthy, { reminderId: '45:2026-12-08:7', obligationId: '45', sentAt: at(1000) });
    expect(await indexEntities(healthy)).toHaveLength(1);
    expect(await findSentReminderIds(healthy, [reminderFor('45')])).toEqual(new Set(['45:2026-12-08:7']));
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
