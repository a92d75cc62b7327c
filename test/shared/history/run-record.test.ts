import { describe, expect, it } from 'vitest';
import { indexRowKey, indexRowKeyBefore, isIndexRowKey, outcomeRowKey } from '../../../shared/history/run-keys.js';
import {
  countDeliveries,
  historyMessage,
  MAX_FAILURE_MESSAGE_LENGTH,
  runFromEntity,
  runProperties,
} from '../../../shared/history/run-record.js';
import type { RunRecord } from '../../../shared/history/run-record.js';

const RUN: RunRecord = {
  runId: '0b6c2b1e-5f7a-4c1e-9a0e-3f8d2c1b4a5e',
  trigger: 'timer',
  instant: '2026-12-01T06:00:00.000Z',
  startedAt: '2026-12-01T06:00:00.120Z',
  endedAt: '2026-12-01T06:00:01.320Z',
  durationMs: 1200,
  status: 'failed',
  dryRun: false,
  failure: { code: 'GraphAccessDenied', message: 'Graph denied access to https://graph.example/v1.0/sites/x.' },
  counts: {
    itemsRead: 12,
    eligible: 9,
    reminders: 7,
    alreadySent: 2,
    skipped: { statusClosed: 2, invalidEmail: 1 },
    languageIgnored: 1,
    warnings: ['3 due date(s) are not midnights'],
  },
  resubmittedFrom: 'earlier-run',
};

describe('run records', () => {
  it('round-trip through a Table entity, the failure message stored without its URL', () => {
    const entity = { partitionKey: 'runs', rowKey: 'k', ...runProperties(RUN) };
    expect(runFromEntity(entity)).toEqual({
      ...RUN,
      failure: { code: 'GraphAccessDenied', message: 'Graph denied access to [url]' },
    });
    expect(entity).toMatchObject({ emitted: 7, skipped: '{"statusClosed":2,"invalidEmail":1}' });
  });

  it('round-trip the sender budget: the fit as two counts, or why it was unknown (one line, no host)', () => {
    const counts = RUN.counts ?? { itemsRead: 0, eligible: 0, reminders: 0, alreadySent: 0, skipped: {} };
    const known: RunRecord = {
      ...RUN,
      counts: { ...counts, senderBudget: { known: true, fitToday: 5, overBudget: 2 } },
    };
    const knownEntity = runProperties(known);
    expect(knownEntity).toMatchObject({ budgetFitToday: 5, budgetOverBudget: 2 });
    expect(runFromEntity(knownEntity)?.counts?.senderBudget).toEqual({ known: true, fitToday: 5, overBudget: 2 });
    const reason = "the sender mailboxes' pace could not be read (LedgerUnavailable) at\nhttp://127.0.0.1:10002";
    const unknown: RunRecord = { ...RUN, counts: { ...counts, senderBudget: { known: false, reason } } };
    expect(runFromEntity(runProperties(unknown))?.counts?.senderBudget).toEqual({
      known: false,
      reason: "the sender mailboxes' pace could not be read (LedgerUnavailable) at [url]",
    });
    expect(runFromEntity(runProperties(RUN))?.counts).not.toHaveProperty('senderBudget');
  });

  it('a run that is still running has no end, counts or failure; an entity that is no run reads as none', () => {
    const started: RunRecord = {
      runId: RUN.runId,
      trigger: 'http',
      instant: RUN.instant,
      startedAt: RUN.startedAt,
      status: 'running',
      dryRun: true,
    };
    expect(runFromEntity(runProperties(started))).toEqual(started);
    expect(runFromEntity({ runId: 'x', trigger: 'pager', status: 'running' })).toBeUndefined();
    expect(runFromEntity({ ...runProperties(started), status: 'exploded' })).toBeUndefined();
  });

  it('history messages are one line without e-mail addresses, URLs or hosts, and bounded', () => {
    expect(historyMessage('sendMail for ap@mueller-logistik.de failed:\n  connect ECONNREFUSED 127.0.0.1:10002')).toBe(
      'sendMail for [address] failed: connect ECONNREFUSED [host]',
    );
    expect(
      historyMessage('GET https://contoso.vault.azure.net/secrets/x?api-version=7.5 and localhost:7071 down'),
    ).toBe('GET [url] and [host] down');
    const long = historyMessage('x'.repeat(1000));
    expect(long).toHaveLength(MAX_FAILURE_MESSAGE_LENGTH);
    expect(long.endsWith('…')).toBe(true);
  });

  it('counts deliveries by outcome, and those with a code by code (new outcomes included)', () => {
    expect(
      countDeliveries([
        { status: 'sent' },
        { status: 'sent' },
        { status: 'alreadySettled' },
        { status: 'failed', code: 'ErrorInvalidRecipients' },
        { status: 'deferred', code: 'ReminderNotSent' },
        { status: 'paced' },
      ]),
    ).toEqual({
      byStatus: { sent: 2, alreadySettled: 1, failed: 1, deferred: 1, paced: 1 },
      byCode: { ErrorInvalidRecipients: 1, ReminderNotSent: 1 },
    });
  });
});

describe('run history keys', () => {
  it('sort newer runs first, and runs before an instant after its bound', () => {
    const older = indexRowKey(new Date('2026-11-30T06:00:00Z'), 'b');
    const newer = indexRowKey(new Date('2026-12-01T06:00:00Z'), 'a');
    const sameMs = indexRowKey(new Date('2026-12-01T06:00:00Z'), 'z-z');
    expect([older, newer, sameMs].sort()).toEqual([newer, sameMs, older]);
    const bound = indexRowKeyBefore(new Date('2026-12-01T06:00:00Z'));
    expect(older > bound).toBe(true);
    expect(newer > bound || sameMs > bound).toBe(false);
    expect([older, newer].every(isIndexRowKey)).toBe(true);
    expect(['zzz', '123_x', `${'9'.repeat(13)}_`, `${'9'.repeat(13)}_a/b`].some(isIndexRowKey)).toBe(false);
  });

  it('outcome rows: one per outcome and reminder, keys escaped', () => {
    expect(outcomeRowKey('sent', '17:2026-12-08:7')).toBe('outcome:sent:17:2026-12-08:7');
    expect(outcomeRowKey('failed', 'a/b#c:2026-12-08:7')).toBe('outcome:failed:a%2Fb%23c:2026-12-08:7');
  });
});
