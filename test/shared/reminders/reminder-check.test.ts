import { describe, expect, it } from 'vitest';
import { CLOCK_SKEW_TOLERANCE_MS, checkReminder } from '../../../shared/reminders/reminder-check.js';
import { decideReminder } from '../../../shared/reminders/rules.js';
import type { ReminderMessage } from '../../../shared/reminders/rules.js';
import { listItem, reminded, testRules } from '../../support/reminder-rules.js';

const SWEEP = new Date('2026-12-01T07:00:00Z');
const DELIVERY = new Date('2026-12-01T09:30:00Z');
const rules = testRules({ catchUpDays: 2 });
/** What the sweep queued for the default item (due 8 December: the 7-day reminder). */
const queued: ReminderMessage = reminded(decideReminder(listItem(), rules, SWEEP));

describe('checkReminder', () => {
  it('confirms a message that is what the sweep would queue now, rebuilt from the list', () => {
    expect(checkReminder(queued, listItem(), rules, DELIVERY)).toEqual({ kind: 'confirmed', reminder: queued });
  });

  it('confirms a reminder delivered a day late while its reminder day is still the one due (catch-up)', () => {
    const check = checkReminder(queued, listItem(), rules, new Date('2026-12-02T09:00:00Z'));
    expect(check).toMatchObject({ kind: 'confirmed', reminder: { id: queued.id, daysLeft: 6, daysBefore: 7 } });
  });

  it('takes the texts from the list, cleaned, never from the message', () => {
    const forged = {
      ...queued,
      reference: 'Pay to IBAN XX00 instead',
      customer: { ...queued.customer, name: 'Dear customer, click here' },
    };
    const item = listItem({ Title: 'INV-\u202E42\r\n', CustomerName: 'Ada\u0000 Lovelace', Language: 'de' });
    const check = checkReminder(forged, item, rules, DELIVERY);
    expect(check).toMatchObject({
      kind: 'confirmed',
      reminder: { reference: 'INV-42', customer: { name: 'Ada Lovelace', email: 'ada@example.com' }, language: 'de' },
    });
  });

  it('refuses a message whose item is not in the list', () => {
    expect(checkReminder(queued, undefined, rules, DELIVERY)).toEqual({ kind: 'refused', reason: 'itemGone' });
    expect(checkReminder(queued, listItem({}, '43'), rules, DELIVERY)).toEqual({ kind: 'refused', reason: 'itemGone' });
  });

  it('refuses when the item was paid, or has a status nobody listed', () => {
    for (const [status, reason] of [
      ['Paid', 'itemClosed'],
      ['Bezahlt', 'itemClosed'],
      ['Pa\u200Bid', 'itemClosed'],
      ['Paid-ish', 'itemStatusUnknown'],
    ] as const) {
      expect(checkReminder(queued, listItem({ Status: status }), rules, DELIVERY)).toEqual({ kind: 'refused', reason });
    }
  });

  it('refuses when a checked value changed, naming the fields and never a value', () => {
    const cases = [
      [{ AmountDue: 1234.51 }, 'changed:amount'],
      [{ Currency: 'CHF' }, 'changed:currency'],
      [{ CustomerEmail: 'mallory@example.com' }, 'changed:email'],
      [{ DueDate: '2026-12-09T00:00:00Z' }, 'changed:dueDate'],
      [{ AmountDue: 99, Currency: 'USD' }, 'changed:amount,currency'],
    ] as const;
    for (const [fields, reason] of cases) {
      expect(checkReminder(queued, listItem(fields), rules, DELIVERY)).toEqual({ kind: 'refused', reason });
    }
  });

  it('refuses a forged message that reuses a real item with another address, amount or due date', () => {
    const forged: ReminderMessage = { ...queued, customer: { name: 'Ada', email: 'victim@example.org' } };
    const check = checkReminder(forged, listItem(), rules, DELIVERY);
    expect(check).toEqual({ kind: 'refused', reason: 'changed:email' });
    expect(JSON.stringify(check)).not.toContain('victim');
  });

  it('refuses when the sweep would now skip the item', () => {
    expect(checkReminder(queued, listItem({ CustomerEmail: 'not an address' }), rules, DELIVERY)).toEqual({
      kind: 'refused',
      reason: 'ineligible:invalidEmail',
    });
    expect(checkReminder(queued, listItem({ AmountDue: 0 }), rules, DELIVERY)).toEqual({
      kind: 'refused',
      reason: 'ineligible:amountBelowMinimum',
    });
  });

  it('refuses a reminder day that is no longer the one due', () => {
    // 4 days later the 3-day reminder is due: the 7-day one is superseded.
    expect(checkReminder(queued, listItem(), rules, new Date('2026-12-05T09:00:00Z'))).toEqual({
      kind: 'refused',
      reason: 'notDue',
    });
    const wrongDay: ReminderMessage = { ...queued, id: '42:2026-12-08:3', daysBefore: 3, daysLeft: 3 };
    expect(checkReminder(wrongDay, listItem(), rules, DELIVERY)).toEqual({ kind: 'refused', reason: 'notDue' });
  });

  it('refuses a message written later than now (beyond the clock skew allowed)', () => {
    const future = (ms: number): ReminderMessage => ({
      ...queued,
      createdAt: new Date(DELIVERY.getTime() + ms).toISOString(),
    });
    expect(checkReminder(future(CLOCK_SKEW_TOLERANCE_MS + 1), listItem(), rules, DELIVERY)).toEqual({
      kind: 'refused',
      reason: 'createdInFuture',
    });
    expect(checkReminder(future(60_000), listItem(), rules, DELIVERY).kind).toBe('confirmed');
  });
});
