import { describe, expect, it } from 'vitest';
import { decideReminder } from '../../../shared/reminders/rules.js';
import { createRunTally } from '../../../shared/reminders/run-tally.js';
import { listItem as item, testRules as rules } from '../../support/reminder-rules.js';

const at = (iso: string): Date => new Date(iso);

describe('createRunTally', () => {
  it('counts items read, eligible items, reminders and skips by reason', () => {
    const tally = createRunTally();
    const now = at('2026-12-01T07:00:00Z');
    const decisions = [
      decideReminder(item(), rules(), now),
      decideReminder(item({}, '43'), rules(), now),
      decideReminder(item({ DueDate: '2026-12-20' }), rules(), now),
      decideReminder(item({ Status: 'Paid' }), rules(), now),
      decideReminder(item({ CustomerEmail: '' }), rules(), now),
      decideReminder(item({ Status: 'cancelled' }), rules(), now),
    ];
    expect(tally.itemsRead).toBe(0);
    for (const decision of decisions) tally.record(decision);
    expect(tally.itemsRead).toBe(6);
    const summary = tally.summary();
    expect(summary).toEqual({ itemsRead: 6, eligible: 3, reminders: 2, skipped: { statusClosed: 2, missingEmail: 1 } });
    expect(Object.keys(summary.skipped)).toEqual(['statusClosed', 'missingEmail']);
  });

  it('hands out summaries that later records do not change', () => {
    const tally = createRunTally();
    tally.record({ kind: 'skip', reason: 'pastDue' });
    const first = tally.summary();
    tally.record({ kind: 'skip', reason: 'pastDue' });
    expect(first.skipped.pastDue).toBe(1);
    expect(tally.summary().skipped.pastDue).toBe(2);
  });

  it('counts status, amount and unknown-status skips apart, in SKIP_REASONS order, and ignored languages', () => {
    const tally = createRunTally();
    const now = at('2026-12-01T07:00:00Z');
    for (const fields of [
      { AmountDue: 0.004 },
      { Status: 'Opne' },
      { Status: 'Bezahlt' },
      { Status: 'Opne' },
      { Language: 'German' },
      { Language: 'Deutsch', DueDate: '2026-12-20' },
      { Language: 'de' },
    ]) {
      tally.record(decideReminder(item(fields), rules(), now));
    }
    const summary = tally.summary();
    expect(summary).toEqual({
      itemsRead: 7,
      eligible: 3,
      reminders: 2,
      skipped: { statusClosed: 1, statusUnknown: 2, amountBelowMinimum: 1 },
      languageIgnored: 2,
    });
    expect(Object.keys(summary.skipped)).toEqual(['statusClosed', 'statusUnknown', 'amountBelowMinimum']);
  });
});
