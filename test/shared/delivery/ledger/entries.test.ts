/** The "did you remind me?" reads against Azurite. */
import { describe, expect, it } from 'vitest';
import { claimReminder, listObligationReminders, lookupReminder } from '../../../../shared/delivery/ledger/index.js';
import { reminderFor } from '../../../support/reminder-messages.js';
import { CLAIM_MS, T0, claimed, useLedgerTables } from './ledger-fixture.js';

const { freshLedger } = useLedgerTables();

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
});
