import { describe, expect, it } from 'vitest';
import { createSeededRandom } from '../../../emulators/stack/seeded-random.js';
import { addDays, calendarDateIn, startOfDayIn } from '../../../shared/reminders/calendar.js';
import type { ListColumns, ListItem, ReminderDecision, SkipReason } from '../../../shared/reminders/rules.js';
import {
  MAX_TEXT_FIELD_LENGTH,
  REMINDER_MESSAGE_SCHEMA,
  SKIP_REASONS,
  decideReminder,
  dueDateFilterWindow,
} from '../../../shared/reminders/rules.js';
import { listItem as item, reminded, skipReason, testRules as rules } from '../../support/reminder-rules.js';

const at = (iso: string): Date => new Date(iso);

describe('decideReminder: the message', () => {
  it('has the documented shape', () => {
    const decision = decideReminder(item(), rules(), at('2026-12-01T07:00:00Z'));
    expect(decision).toEqual({
      kind: 'remind',
      message: {
        schema: REMINDER_MESSAGE_SCHEMA,
        id: '42:2026-12-08:7',
        obligationId: '42',
        reference: 'INV-2026-0042',
        customer: { name: 'Ada Lovelace', email: 'ada@example.com' },
        dueDate: '2026-12-08',
        daysBefore: 7,
        daysLeft: 7,
        amount: '1234.50',
        currency: 'EUR',
        createdAt: '2026-12-01T07:00:00.000Z',
      },
    });
    expect(REMINDER_MESSAGE_SCHEMA).toBe('due-notifier.reminder/v1');
  });

  it('has an id that depends on item, due date and reminder day only', () => {
    const early = reminded(decideReminder(item(), rules(), at('2026-12-01T00:00:01Z')));
    const late = reminded(decideReminder(item(), rules(), at('2026-12-01T23:59:59Z')));
    expect(late.id).toBe(early.id);
    expect(late.createdAt).not.toBe(early.createdAt);
    const edited = reminded(
      decideReminder(item({ AmountDue: 99, Title: 'changed' }), rules(), at('2026-12-01T12:00:00Z')),
    );
    expect(edited.id).toBe(early.id);
    const otherDay = reminded(decideReminder(item(), rules(), at('2026-12-05T12:00:00Z')));
    expect(otherDay.id).toBe('42:2026-12-08:3');
    const otherItem = reminded(decideReminder(item({}, '43'), rules(), at('2026-12-01T12:00:00Z')));
    expect(otherItem.id).toBe('43:2026-12-08:7');
    const moved = reminded(
      decideReminder(item({ DueDate: '2026-12-09T00:00:00Z' }), rules(), at('2026-12-02T12:00:00Z')),
    );
    expect(moved.id).toBe('42:2026-12-09:7');
  });

  it('formats the amount with the currency minor units and no float artefacts', () => {
    const amountOf = (AmountDue: unknown, Currency: unknown): string =>
      reminded(decideReminder(item({ AmountDue, Currency }), rules(), at('2026-12-01T07:00:00Z'))).amount;
    expect(amountOf(1234.5, 'EUR')).toBe('1234.50');
    expect(amountOf(0.1 + 0.2, 'EUR')).toBe('0.30');
    expect(amountOf(1.005, 'USD')).toBe('1.01');
    expect(amountOf(1500.4, 'JPY')).toBe('1500');
    expect(amountOf(1500.5, 'JPY')).toBe('1501');
    expect(amountOf('12.3456', 'BHD')).toBe('12.346');
    expect(amountOf(0.005, 'EUR')).toBe('0.01');
    expect(amountOf('1e3', 'EUR')).toBe('1000.00');
  });

  it('upper-cases the currency', () => {
    const message = reminded(decideReminder(item({ Currency: ' chf' }), rules(), at('2026-12-01T07:00:00Z')));
    expect(message.currency).toBe('CHF');
  });

  it('keeps HTML verbatim, strips control characters and trims texts', () => {
    const message = reminded(
      decideReminder(
        item({ Title: ' INV\u00007 ', CustomerName: 'ACME <b>&amp;</b>\u0007 Co\r\nLtd\u009b' }),
        rules(),
        at('2026-12-01T07:00:00Z'),
      ),
    );
    expect(message.reference).toBe('INV7');
    expect(message.customer.name).toBe('ACME <b>&amp;</b> Co Ltd');
  });

  it('trims the e-mail address and keeps it as written', () => {
    const message = reminded(
      decideReminder(item({ CustomerEmail: '  Ada.Lovelace+Bills@Example.COM ' }), rules(), at('2026-12-01T07:00:00Z')),
    );
    expect(message.customer.email).toBe('Ada.Lovelace+Bills@Example.COM');
  });

  it('removes bidi controls, zero-width spaces and BOMs from texts, keeping joiners', () => {
    const message = reminded(
      decideReminder(
        item({
          Title: '\u202EINV-\u200B0042\u202C\uFEFF',
          CustomerName: '\u2067Ada\u2069 \u200ELovelace\u200F \u{1F469}\u200D\u{1F4BB}',
        }),
        rules(),
        at('2026-12-01T07:00:00Z'),
      ),
    );
    expect(message.reference).toBe('INV-0042');
    expect(message.customer.name).toBe('Ada Lovelace \u{1F469}\u200D\u{1F4BB}');
  });

  it('uses empty texts for a missing reference or name, and numbers as written', () => {
    const message = reminded(
      decideReminder(item({ Title: 1042, CustomerName: null }), rules(), at('2026-12-01T07:00:00Z')),
    );
    expect(message.reference).toBe('1042');
    expect(message.customer.name).toBe('');
  });

  it('reads the columns the rules name', () => {
    const columns: ListColumns = {
      reference: 'InvoiceNo',
      customerName: 'Kunde',
      customerEmail: 'Mail',
      dueDate: 'Faellig',
      amountDue: 'Betrag',
      currency: 'Waehrung',
      status: 'Zustand',
      language: 'Sprache',
    };
    const custom: ListItem = {
      id: '7',
      fields: {
        InvoiceNo: 'R-1',
        Kunde: 'Grace',
        Mail: 'grace@example.org',
        Faellig: '2026-12-04',
        Betrag: '10',
        Waehrung: 'EUR',
        Zustand: 'Offen',
        Sprache: 'de-ch',
        Title: 'ignored',
        Language: 'fr',
      },
    };
    const german = rules({ columns, statuses: { open: ['offen'], closed: ['paid'] } });
    const message = reminded(decideReminder(custom, german, at('2026-12-01T07:00:00Z')));
    expect(message).toMatchObject({
      id: '7:2026-12-04:3',
      reference: 'R-1',
      customer: { name: 'Grace', email: 'grace@example.org' },
      amount: '10.00',
      language: 'de-CH',
    });
    const paid = { ...custom, fields: { ...custom.fields, Zustand: 'Paid' } };
    expect(skipReason(decideReminder(paid, german, at('2026-12-01T07:00:00Z')))).toBe('statusClosed');
  });

  it('stays far below the 64 KiB queue limit at the longest allowed texts, even base64-encoded', () => {
    const longest = '\u{1F600}'.repeat(MAX_TEXT_FIELD_LENGTH / 2); // surrogate pairs: 4 UTF-8 bytes each
    const message = reminded(
      decideReminder(
        item({ Title: longest, CustomerName: '<'.repeat(MAX_TEXT_FIELD_LENGTH) }),
        rules(),
        at('2026-12-01T07:00:00Z'),
      ),
    );
    const queued = Buffer.from(JSON.stringify(message)).toString('base64');
    expect(queued.length).toBeLessThan(16 * 1024);
  });
});

describe('decideReminder: when reminders are due', () => {
  it('reminds on each reminder day, and not between them', () => {
    const due = item({ DueDate: '2026-12-08T00:00:00Z' });
    const byDay = new Map<string, ReminderDecision>();
    for (let date = '2026-11-28'; date <= '2026-12-09'; date = addDays(date, 1)) {
      byDay.set(date, decideReminder(due, rules(), at(`${date}T07:00:00Z`)));
    }
    const remindedOn = [...byDay]
      .filter(([, decision]) => decision.kind === 'remind')
      .map(([date, decision]) => [date, reminded(decision).daysBefore]);
    expect(remindedOn).toEqual([
      ['2026-12-01', 7],
      ['2026-12-05', 3],
      ['2026-12-07', 1],
    ]);
    expect(byDay.get('2026-12-02')).toEqual({ kind: 'notDueToday' });
    expect(byDay.get('2026-12-08')).toEqual({ kind: 'notDueToday' });
    expect(byDay.get('2026-12-09')).toEqual({ kind: 'skip', reason: 'pastDue' });
  });

  it('reminds on the due date itself when 0 is a reminder day', () => {
    const message = reminded(decideReminder(item(), rules({ reminderDays: [0] }), at('2026-12-08T23:59:59Z')));
    expect(message).toMatchObject({ daysBefore: 0, daysLeft: 0 });
  });

  it('catches up reminders that missed runs should have sent', () => {
    const catchUp = rules({ reminderDays: [1, 3, 7], catchUpDays: 2 });
    const decisionWithDaysLeft = (daysLeft: number): ReminderDecision =>
      decideReminder(item({ DueDate: '2026-12-08' }), catchUp, at(`${addDays('2026-12-08', -daysLeft)}T07:00:00Z`));
    expect(decisionWithDaysLeft(8)).toEqual({ kind: 'notDueToday' });
    expect(reminded(decisionWithDaysLeft(7))).toMatchObject({ daysBefore: 7, daysLeft: 7 });
    expect(reminded(decisionWithDaysLeft(6))).toMatchObject({ daysBefore: 7, daysLeft: 6, id: '42:2026-12-08:7' });
    expect(reminded(decisionWithDaysLeft(5))).toMatchObject({ daysBefore: 7, daysLeft: 5 });
    expect(decisionWithDaysLeft(4)).toEqual({ kind: 'notDueToday' });
    expect(reminded(decisionWithDaysLeft(3))).toMatchObject({ daysBefore: 3 });
    expect(reminded(decisionWithDaysLeft(2))).toMatchObject({ daysBefore: 3, daysLeft: 2 });
    expect(reminded(decisionWithDaysLeft(1))).toMatchObject({ daysBefore: 1 });
    expect(reminded(decisionWithDaysLeft(0))).toMatchObject({ daysBefore: 1, daysLeft: 0 });
  });

  it('gives one reminder per run: the candidate with the smallest k, whatever the order of the days', () => {
    for (const reminderDays of [
      [1, 2, 3],
      [3, 1, 2],
    ]) {
      const decision = decideReminder(
        item({ DueDate: '2026-12-08' }),
        rules({ reminderDays, catchUpDays: 2 }),
        at('2026-12-07T07:00:00Z'),
      );
      expect(reminded(decision)).toMatchObject({ daysBefore: 1, daysLeft: 1 });
    }
  });

  it('crosses month and year ends', () => {
    const newYear = item({ DueDate: '2027-01-01' });
    expect(reminded(decideReminder(newYear, rules(), at('2026-12-25T07:00:00Z')))).toMatchObject({
      daysBefore: 7,
      dueDate: '2027-01-01',
    });
    expect(reminded(decideReminder(newYear, rules(), at('2026-12-31T07:00:00Z')))).toMatchObject({ daysBefore: 1 });
    const firstOfMarch = item({ DueDate: '2026-03-02' });
    expect(reminded(decideReminder(firstOfMarch, rules(), at('2026-02-23T07:00:00Z')))).toMatchObject({
      daysBefore: 7,
    });
  });

  it('knows leap days', () => {
    const leapDay = item({ DueDate: '2028-02-29' });
    expect(reminded(decideReminder(leapDay, rules(), at('2028-02-22T07:00:00Z')))).toMatchObject({
      daysBefore: 7,
      id: '42:2028-02-29:7',
    });
    expect(reminded(decideReminder(leapDay, rules(), at('2028-02-26T07:00:00Z')))).toMatchObject({ daysBefore: 3 });
    expect(reminded(decideReminder(leapDay, rules(), at('2028-02-28T07:00:00Z')))).toMatchObject({ daysBefore: 1 });
    const afterLeapDay = item({ DueDate: '2028-03-01' });
    expect(reminded(decideReminder(afterLeapDay, rules(), at('2028-02-23T07:00:00Z')))).toMatchObject({
      daysBefore: 7,
    });
    expect(reminded(decideReminder(afterLeapDay, rules(), at('2028-02-29T07:00:00Z')))).toMatchObject({
      daysBefore: 1,
    });
  });
});

describe('decideReminder: time zones', () => {
  it('reads a date-only column from a Berlin site as the Berlin date', () => {
    // Graph returns 1 December of a Berlin site as 2026-11-30T23:00:00Z.
    const berlinItem = item({ DueDate: '2026-11-30T23:00:00Z' });
    const inBerlin = reminded(
      decideReminder(berlinItem, rules({ timeZone: 'Europe/Berlin' }), at('2026-11-24T06:00:00Z')),
    );
    expect(inBerlin).toMatchObject({ dueDate: '2026-12-01', daysBefore: 7, daysLeft: 7, id: '42:2026-12-01:7' });
    // Read in UTC the same value is 30 November: the reminder would come a day early.
    const inUtc = reminded(decideReminder(berlinItem, rules({ timeZone: 'UTC' }), at('2026-11-23T06:00:00Z')));
    expect(inUtc.dueDate).toBe('2026-11-30');
  });

  it('takes T in the rules time zone: a run just before or after local midnight', () => {
    const nyRules = rules({ timeZone: 'America/New_York' });
    const due = item({ DueDate: '2026-07-07T12:00:00-04:00' });
    // 23:30 on 30 June in New York, already 1 July in UTC.
    expect(reminded(decideReminder(due, nyRules, at('2026-07-01T03:30:00Z')))).toMatchObject({
      daysLeft: 7,
      daysBefore: 7,
    });
    // 00:30 on 1 July in New York.
    expect(decideReminder(due, nyRules, at('2026-07-01T04:30:00Z'))).toEqual({ kind: 'notDueToday' });
  });

  it('counts days correctly across a spring-forward week (Europe/Berlin)', () => {
    const berlin = rules({ timeZone: 'Europe/Berlin' });
    // Run at 07:00 CEST on the day clocks go forward; due 5 April (a Berlin date-only column).
    const due = item({ DueDate: '2026-04-04T22:00:00Z' });
    expect(reminded(decideReminder(due, berlin, at('2026-03-29T05:00:00Z')))).toMatchObject({
      dueDate: '2026-04-05',
      daysLeft: 7,
    });
    // Run at 07:00 CET the day before: 8 days left.
    expect(decideReminder(due, berlin, at('2026-03-28T06:00:00Z'))).toEqual({ kind: 'notDueToday' });
  });

  it('counts days correctly across a fall-back week (America/New_York)', () => {
    const ny = rules({ timeZone: 'America/New_York' });
    // Clocks go back on 1 November 2026; due 4 November (midnight EST = 05:00Z).
    const due = item({ DueDate: '2026-11-04T05:00:00Z' });
    expect(reminded(decideReminder(due, ny, at('2026-11-01T11:00:00Z')))).toMatchObject({
      dueDate: '2026-11-04',
      daysLeft: 3,
    });
    expect(reminded(decideReminder(due, ny, at('2026-10-28T11:00:00Z')))).toMatchObject({ daysLeft: 7 });
    // One millisecond earlier it is still 3 November in New York.
    const dueEarlier = item({ DueDate: '2026-11-04T04:59:59.999Z' });
    expect(reminded(decideReminder(dueEarlier, ny, at('2026-11-02T11:00:00Z')))).toMatchObject({
      dueDate: '2026-11-03',
      daysLeft: 1,
    });
  });

  it('follows Australia/Sydney and Pacific/Auckland across the April fall-back', () => {
    // Both leave daylight saving time on 5 April 2026 at 03:00 local.
    const sydney = rules({ timeZone: 'Australia/Sydney' });
    const sydneyDue = item({ DueDate: '2026-04-11T14:00:00Z' }); // midnight 12 April AEST
    expect(reminded(decideReminder(sydneyDue, sydney, at('2026-04-04T20:00:00Z')))).toMatchObject({
      dueDate: '2026-04-12',
      daysLeft: 7,
    });

    const auckland = rules({ timeZone: 'Pacific/Auckland' });
    const runAt = at('2026-04-04T18:30:00Z'); // 06:30 NZST on 5 April
    expect(reminded(decideReminder(item({ DueDate: '2026-04-11T12:00:00Z' }), auckland, runAt))).toMatchObject({
      dueDate: '2026-04-12',
      daysLeft: 7,
    });
    expect(decideReminder(item({ DueDate: '2026-04-11T11:59:59Z' }), auckland, runAt)).toEqual({ kind: 'notDueToday' });
  });

  it('treats a date-only value as that calendar date in any zone', () => {
    for (const timeZone of ['UTC', 'Pacific/Auckland', 'America/New_York']) {
      const now = startOfDayIn('2026-12-01', timeZone);
      expect(reminded(decideReminder(item({ DueDate: '2026-12-08' }), rules({ timeZone }), now))).toMatchObject({
        dueDate: '2026-12-08',
        daysLeft: 7,
      });
    }
  });
});

describe('decideReminder: skip reasons', () => {
  const now = at('2026-12-01T07:00:00Z');
  const reasonFor = (fields: Record<string, unknown>): SkipReason | undefined =>
    skipReason(decideReminder(item(fields), rules(), now));

  it('statusClosed: Paid or Cancelled in any case', () => {
    for (const Status of ['Paid', 'paid', ' PAID ', 'Cancelled', 'cancelled']) {
      expect(reasonFor({ Status }), Status).toBe('statusClosed');
    }
    for (const Status of ['Open', 'Partially paid', 'Overdue', '', null, undefined]) {
      expect(reasonFor({ Status }), String(Status)).toBeUndefined();
    }
  });

  it('statusUnknown: neither open nor known to be closed, a number or an object', () => {
    for (const Status of ['Opne', 'Pending', 'Paid in full', 3, { Value: 'Open' }, true]) {
      expect(reasonFor({ Status }), String(Status)).toBe('statusUnknown');
    }
  });

  it('statusClosed: the default closed list, in several languages and spellings', () => {
    for (const Status of [
      'Canceled',
      'Closed',
      'Written off',
      'written  OFF',
      'Disputed',
      'Bezahlt',
      'Payée',
      'Betaald',
    ]) {
      expect(reasonFor({ Status }), Status).toBe('statusClosed');
    }
    for (const Status of ['Open', 'Unpaid', 'Due', 'Overdue', 'Partially Paid', 'PARTIALLY PAID']) {
      expect(reasonFor({ Status }), Status).toBeUndefined();
    }
  });

  it('compares statuses after NFKC, without invisible characters and with whitespace collapsed', () => {
    for (const Status of [
      'Pa\u200Bid',
      '\uFEFFPaid',
      'P\u00ADaid',
      '\u202EPaid\u202C',
      '\uFF30\uFF41\uFF49\uFF44',
      'Paid\u00A0',
    ]) {
      expect(reasonFor({ Status }), JSON.stringify(Status)).toBe('statusClosed');
    }
    expect(reasonFor({ Status: 'Partially\u00A0\tPaid' })).toBeUndefined();
    expect(reasonFor({ Status: 'O\u200Dpen' })).toBeUndefined();
  });

  it('reads a multi-choice status: open only if every choice is', () => {
    expect(reasonFor({ Status: ['Open'] })).toBeUndefined();
    expect(reasonFor({ Status: ['Open', 'Overdue'] })).toBeUndefined();
    expect(reasonFor({ Status: [] })).toBeUndefined(); // no choice: an empty status
    expect(reasonFor({ Status: ['Paid'] })).toBe('statusClosed');
    expect(reasonFor({ Status: ['Open', 'Paid'] })).toBe('statusClosed');
    expect(reasonFor({ Status: ['Open', 'Opne'] })).toBe('statusUnknown');
    expect(reasonFor({ Status: ['Paid', 'Opne'] })).toBe('statusUnknown');
    expect(reasonFor({ Status: ['Open', 7] })).toBe('statusUnknown');
  });

  it('follows the configured lists, the empty status included', () => {
    const strict = rules({ statuses: { open: ['offen', 'open'], closed: ['bezahlt', ''] } });
    const reason = (Status: unknown) => skipReason(decideReminder(item({ Status }), strict, now));
    expect(reason('Offen')).toBeUndefined();
    expect(reason('Bezahlt')).toBe('statusClosed');
    expect(reason('')).toBe('statusClosed');
    expect(reason(null)).toBe('statusClosed');
    expect(reason('Paid')).toBe('statusUnknown');
    const noEmpty = rules({ statuses: { open: ['open'], closed: [] } });
    expect(skipReason(decideReminder(item({ Status: undefined }), noEmpty, now))).toBe('statusUnknown');
  });

  it('missingDueDate and invalidDueDate', () => {
    for (const DueDate of [null, undefined, '', '   ']) {
      expect(reasonFor({ DueDate }), String(DueDate)).toBe('missingDueDate');
    }
    for (const DueDate of ['2026-02-30', '2026-12-08T00:00:00', '08.12.2026', 'next week', 1796688000000, true, {}]) {
      expect(reasonFor({ DueDate }), String(DueDate)).toBe('invalidDueDate');
    }
  });

  it('pastDue: D before T, but not D = T', () => {
    expect(reasonFor({ DueDate: '2026-11-30' })).toBe('pastDue');
    expect(reasonFor({ DueDate: '2026-11-30T23:59:59Z' })).toBe('pastDue');
    expect(
      skipReason(decideReminder(item({ DueDate: '2026-12-01' }), rules({ reminderDays: [0] }), now)),
    ).toBeUndefined();
  });

  it('missingEmail and invalidEmail', () => {
    for (const CustomerEmail of [null, undefined, '', '  ']) {
      expect(reasonFor({ CustomerEmail }), String(CustomerEmail)).toBe('missingEmail');
    }
    for (const CustomerEmail of [
      'ada',
      'ada@',
      '@example.com',
      'ada@example',
      'ada@@example.com',
      'ada@foo@example.com',
      'ada lovelace@example.com',
      'Ada <ada@example.com>',
      'ada@example.com>',
      'ada@exa mple.com',
      'ada@example..com',
      'ada@.example.com',
      'ada@example.com.',
      'ada@-example.com',
      'ada,bob@example.com',
      'ada@example.com; bob@example.com',
      'ada\u0000@example.com',
      'ada\u200B@example.com',
      'ada@exam\u200Bple.com',
      'ad\u200Da@example.com',
      'ada\u200C@example.com',
      '\u200Eada@example.com',
      'ada@example.com\u200F',
      'ada\u202E@example.com',
      'ada@\u202Aexample.com',
      'ada\u2066@example.com',
      'ada@example\u2069.com',
      'a\uFEFFda@example.com',
      'ada\u2060@example.com',
      'ada\u00AD@example.com',
      'ada@exa\uFE0Fmple.com',
      `${'a'.repeat(65)}@example.com`,
      `ada@${'a'.repeat(250)}.com`,
      ['ada@example.com'],
      42,
    ]) {
      expect(reasonFor({ CustomerEmail }), String(CustomerEmail)).toBe('invalidEmail');
    }
    for (const CustomerEmail of [
      'a@b.co',
      'first.last+bills@sub.example.com',
      "o'brien@example.ie",
      'jörg@müller.de',
      'info@bücher.de',
      'संपर्क@उदाहरण.भारत',
      'user@例え.テスト',
      'почта@пример.рф',
      `${'a'.repeat(64)}@example.com`,
    ]) {
      expect(reasonFor({ CustomerEmail }), CustomerEmail).toBeUndefined();
    }
  });

  it('invalidCurrency', () => {
    for (const Currency of ['XYZ', 'EURO', '€', '', null, undefined, 978]) {
      expect(reasonFor({ Currency }), String(Currency)).toBe('invalidCurrency');
    }
  });

  it('invalidAmount', () => {
    for (const AmountDue of [
      null,
      undefined,
      '',
      -0.01,
      '-5',
      'twelve',
      '1.234,50',
      Number.NaN,
      Number.POSITIVE_INFINITY,
      1e15,
      true,
    ]) {
      expect(reasonFor({ AmountDue }), String(AmountDue)).toBe('invalidAmount');
    }
  });

  it('amountBelowMinimum: an amount that rounds to zero in the currency minor units', () => {
    for (const [AmountDue, Currency] of [
      [0, 'EUR'],
      ['0.00', 'EUR'],
      [0.004, 'EUR'],
      ['0.0049', 'USD'],
      [0.4, 'JPY'],
      ['0.0004', 'BHD'],
    ] as const) {
      expect(reasonFor({ AmountDue, Currency }), `${AmountDue} ${Currency}`).toBe('amountBelowMinimum');
    }
    for (const [AmountDue, Currency] of [
      [0.005, 'EUR'],
      [0.01, 'EUR'],
      [0.5, 'JPY'],
      ['0.0005', 'BHD'],
    ] as const) {
      expect(reasonFor({ AmountDue, Currency }), `${AmountDue} ${Currency}`).toBeUndefined();
    }
  });

  it('amountBelowMinimum: below the configured minimum, for every currency or its own', () => {
    const minimum = rules({ minimumAmount: { allCurrencies: '5', byCurrency: { JPY: '500', CHF: '0' } } });
    const reason = (AmountDue: unknown, Currency: string) =>
      skipReason(decideReminder(item({ AmountDue, Currency }), minimum, now));
    expect(reason(4.99, 'EUR')).toBe('amountBelowMinimum');
    expect(reason(4.995, 'EUR')).toBeUndefined(); // rounds to 5.00
    expect(reason(5, 'EUR')).toBeUndefined();
    expect(reason(499, 'JPY')).toBe('amountBelowMinimum');
    expect(reason(500, 'JPY')).toBeUndefined();
    expect(reason(0.01, 'CHF')).toBeUndefined();
    expect(reason(0, 'CHF')).toBe('amountBelowMinimum');
  });

  it('fieldTooLong: reference or name over the limit (after stripping control characters)', () => {
    const limit = 'x'.repeat(MAX_TEXT_FIELD_LENGTH);
    expect(reasonFor({ Title: limit, CustomerName: limit })).toBeUndefined();
    expect(reasonFor({ Title: `${limit}\u0000\u0001` })).toBeUndefined();
    expect(reasonFor({ Title: `${limit}y` })).toBe('fieldTooLong');
    expect(reasonFor({ CustomerName: `${limit}y` })).toBe('fieldTooLong');
  });

  it('reports the first failing check, in SKIP_REASONS order', () => {
    expect(reasonFor({ Status: 'Paid', CustomerEmail: null, DueDate: null })).toBe('statusClosed');
    expect(reasonFor({ DueDate: '2020-01-01', CustomerEmail: 'not an address' })).toBe('pastDue');
    expect(reasonFor({ CustomerEmail: 'nope', Currency: 'XYZ', AmountDue: -1 })).toBe('invalidEmail');
    expect(reasonFor({ Currency: 'XYZ', AmountDue: -1 })).toBe('invalidCurrency');
    expect(reasonFor({ AmountDue: -1, Title: 'x'.repeat(5000) })).toBe('invalidAmount');
    expect(reasonFor({ Status: 'Opne', DueDate: null })).toBe('statusUnknown');
    expect(reasonFor({ AmountDue: 0, Title: 'x'.repeat(5000) })).toBe('amountBelowMinimum');
    expect(SKIP_REASONS).toEqual([
      'statusClosed',
      'statusUnknown',
      'missingDueDate',
      'invalidDueDate',
      'pastDue',
      'missingEmail',
      'invalidEmail',
      'invalidCurrency',
      'invalidAmount',
      'amountBelowMinimum',
      'fieldTooLong',
    ]);
  });

  it('never carries the e-mail address in a skip or not-due decision', () => {
    const email = 'secret.customer@example.com';
    for (const fields of [{ Status: 'Paid' }, { AmountDue: -1 }, { DueDate: '2027-06-01' }]) {
      const decision = decideReminder(item({ ...fields, CustomerEmail: email }), rules(), now);
      expect(decision.kind).not.toBe('remind');
      expect(JSON.stringify(decision)).not.toContain('secret.customer');
    }
  });
});

describe('decideReminder: the customer language', () => {
  const now = at('2026-12-01T07:00:00Z');

  it('carries a BCP 47 tag of a known language in its canonical form', () => {
    for (const [Language, language] of [
      ['de', 'de'],
      [' fr-ch ', 'fr-CH'],
      ['IT', 'it'],
      ['nl-BE', 'nl-BE'],
      ['es-419', 'es-419'],
      ['en-GB', 'en-GB'],
      ['zh-hant-tw', 'zh-Hant-TW'],
    ]) {
      expect(reminded(decideReminder(item({ Language }), rules(), now)).language, Language).toBe(language);
    }
  });

  it('leaves the language out when the column is absent or empty', () => {
    for (const Language of [undefined, null, '', '  ']) {
      const decision = decideReminder(item({ Language }), rules(), now);
      expect(decision).not.toHaveProperty('languageIgnored');
      expect(reminded(decision)).not.toHaveProperty('language');
    }
  });

  it('still reminds when the language is not a tag of a known language, without it and flagged', () => {
    for (const Language of ['German', 'english', 'en_US', 'xx', 'und', 'x-private', 'de-'.repeat(20), 49, ['de']]) {
      const decision = decideReminder(item({ Language }), rules(), now);
      expect(decision, String(Language)).toMatchObject({ kind: 'remind', languageIgnored: true });
      expect(reminded(decision), String(Language)).not.toHaveProperty('language');
    }
    expect(decideReminder(item({ Language: 'German', DueDate: '2026-12-20' }), rules(), now)).toEqual({
      kind: 'notDueToday',
      languageIgnored: true,
    });
  });
});

describe('dueDateFilterWindow', () => {
  it('covers D from T + max(0, min k − catch-up) to T + max k, padded by a day on each side', () => {
    const window = dueDateFilterWindow(rules({ reminderDays: [1, 3, 7], catchUpDays: 2 }), at('2026-12-01T07:00:00Z'));
    // D from 1 December (1 − 2 < 0) to 8 December; padded: 30 November to 9 December inclusive.
    expect(window.from.toISOString()).toBe('2026-11-30T00:00:00.000Z');
    expect(window.to.toISOString()).toBe('2026-12-10T00:00:00.000Z');

    const later = dueDateFilterWindow(rules({ reminderDays: [5, 10], catchUpDays: 1 }), at('2026-12-01T07:00:00Z'));
    expect(later.from.toISOString()).toBe('2026-12-04T00:00:00.000Z');
    expect(later.to.toISOString()).toBe('2026-12-13T00:00:00.000Z');
  });

  it('uses day starts in the rules time zone (Berlin, across the DST change)', () => {
    const window = dueDateFilterWindow(
      rules({ timeZone: 'Europe/Berlin', reminderDays: [7], catchUpDays: 0 }),
      at('2026-03-22T06:00:00Z'),
    );
    // T = 22 March (CET); D = 29 March, padded: 28 March 00:00 CET to 31 March 00:00 CEST.
    expect(window.from.toISOString()).toBe('2026-03-27T23:00:00.000Z');
    expect(window.to.toISOString()).toBe('2026-03-30T22:00:00.000Z');
  });

  it('is empty without reminder days', () => {
    const window = dueDateFilterWindow(rules({ reminderDays: [] }), at('2026-12-01T07:00:00Z'));
    expect(window.to.getTime() - window.from.getTime()).toBe(0);
  });

  it('is tight: the first and last due dates it must cover do get reminders, the padding days do not', () => {
    const zones = ['UTC', 'Europe/Berlin', 'Pacific/Auckland', 'America/Santiago'];
    for (const timeZone of zones) {
      const testRules = rules({ timeZone, reminderDays: [2, 5, 9], catchUpDays: 1 });
      const now = at('2026-09-03T10:00:00Z');
      const today = calendarDateIn(now, timeZone);
      const window = dueDateFilterWindow(testRules, now);
      const decide = (instant: number): ReminderDecision['kind'] =>
        decideReminder(item({ DueDate: new Date(instant).toISOString() }), testRules, now).kind;
      const firstDay = startOfDayIn(addDays(today, 1), timeZone).getTime();
      const afterLastDay = startOfDayIn(addDays(today, 10), timeZone).getTime();
      expect(window.from.getTime(), timeZone).toBe(startOfDayIn(today, timeZone).getTime());
      expect(window.to.getTime(), timeZone).toBe(startOfDayIn(addDays(today, 11), timeZone).getTime());
      expect(decide(firstDay), timeZone).toBe('remind');
      expect(decide(firstDay - 1), timeZone).not.toBe('remind');
      expect(decide(afterLastDay - 1), timeZone).toBe('remind');
      expect(decide(afterLastDay), timeZone).not.toBe('remind');
    }
  });

  it('never excludes a due date that gets a reminder (random items, zones, rules and runs)', () => {
    const random = createSeededRandom(20261201);
    const zones = [
      'UTC',
      'Europe/Berlin',
      'America/New_York',
      'Australia/Sydney',
      'Pacific/Auckland',
      'America/Santiago',
      'Asia/Kolkata',
      'Pacific/Kiritimati',
      'Pacific/Pago_Pago',
    ];
    const pick = <T>(values: readonly T[]): T => values[Math.floor(random() * values.length)] as T;
    const runsStart = Date.parse('2026-01-01T00:00:00Z');
    let remindersSeen = 0;
    for (let run = 0; run < 200; run += 1) {
      const reminderDays = [
        ...new Set(Array.from({ length: 1 + Math.floor(random() * 4) }, () => Math.floor(random() * 15))),
      ];
      const testRules = rules({ timeZone: pick(zones), reminderDays, catchUpDays: Math.floor(random() * 4) });
      const now = new Date(runsStart + Math.floor(random() * 3 * 365 * 86_400_000));
      const window = dueDateFilterWindow(testRules, now);
      for (let n = 0; n < 60; n += 1) {
        const dueInstant = now.getTime() + Math.floor((random() * 24 - 4) * 86_400_000);
        // Date-only values as well as instants: a date-only value's D is its own date.
        const dateOnly = random() < 0.3;
        const dueDate = dateOnly ? calendarDateIn(dueInstant, pick(zones)) : new Date(dueInstant).toISOString();
        const decision = decideReminder(item({ DueDate: dueDate }), testRules, now);
        if (decision.kind === 'remind') {
          remindersSeen += 1;
          const filteredOn = dateOnly ? startOfDayIn(dueDate, testRules.timeZone).getTime() : dueInstant;
          expect(filteredOn, `${dueDate} ${testRules.timeZone} ${now.toISOString()}`).toBeGreaterThanOrEqual(
            window.from.getTime(),
          );
          expect(filteredOn, `${dueDate} ${testRules.timeZone} ${now.toISOString()}`).toBeLessThan(window.to.getTime());
        }
      }
    }
    expect(remindersSeen).toBeGreaterThan(500);
  });
});
