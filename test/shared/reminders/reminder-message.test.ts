import { describe, expect, it } from 'vitest';
import { readReminderMessage } from '../../../shared/reminders/reminder-message.js';
import { REMINDER_MESSAGE_SCHEMA } from '../../../shared/reminders/rules.js';
import type { ReminderMessage } from '../../../shared/reminders/rules.js';

const VALID: ReminderMessage = {
  schema: REMINDER_MESSAGE_SCHEMA,
  id: '17:2026-12-08:7',
  obligationId: '17',
  reference: 'INV-2026-1001',
  customer: { name: 'Müller Logistik GmbH', email: 'accounts@mueller-logistik.de' },
  dueDate: '2026-12-08',
  daysBefore: 7,
  daysLeft: 6,
  amount: '1250.00',
  currency: 'EUR',
  createdAt: '2026-12-02T06:00:00.000Z',
};

function problemWith(overrides: Record<string, unknown>): { field: string; problem: string } {
  const reading = readReminderMessage({ ...VALID, ...overrides });
  if (reading.ok) throw new Error('expected a problem');
  return { field: reading.field, problem: reading.problem };
}

describe('readReminderMessage', () => {
  it('reads a message as the sweep writes it: object, JSON text or bytes', () => {
    expect(readReminderMessage(VALID)).toEqual({ ok: true, reminder: VALID });
    expect(readReminderMessage(JSON.stringify(VALID))).toEqual({ ok: true, reminder: VALID });
    expect(readReminderMessage(Buffer.from(JSON.stringify(VALID)))).toEqual({ ok: true, reminder: VALID });
  });

  it('keeps only the fields of the schema', () => {
    const reading = readReminderMessage({ ...VALID, extra: 'ignored' });
    expect(reading.ok && reading.reminder).toEqual(VALID);
  });

  it('cleans the texts again as the sweep does: no line break, NUL, bidi override or other control character', () => {
    const reading = readReminderMessage({
      ...VALID,
      reference: ' INV-1\r\nBcc: x@evil.example\u0000 ',
      customer: { name: '\u202Eevil\u202C Müller\tGmbH\u0007', email: VALID.customer.email },
    });
    expect(reading.ok && reading.reminder).toMatchObject({
      reference: 'INV-1 Bcc: x@evil.example',
      customer: { name: 'evil Müller GmbH', email: VALID.customer.email },
    });
  });

  it('refuses what is not a JSON object', () => {
    for (const value of ['not json', '[1]', 42, null, undefined, Buffer.from([0xff, 0xfe])]) {
      expect(readReminderMessage(value)).toMatchObject({ ok: false, field: 'message' });
    }
  });

  it('refuses another schema', () => {
    expect(problemWith({ schema: 'due-notifier.reminder/v2' }).field).toBe('schema');
    expect(problemWith({ schema: undefined }).field).toBe('schema');
  });

  it('refuses an id that is not the one derived from obligation, due date and reminder day', () => {
    expect(problemWith({ id: '17:2026-12-08:3' }).field).toBe('id');
    expect(problemWith({ id: 'anything' }).field).toBe('id');
  });

  it('names each invalid field, never its value', () => {
    const cases: readonly [Record<string, unknown>, string][] = [
      [{ obligationId: '' }, 'obligationId'],
      [{ obligationId: 'x'.repeat(129) }, 'obligationId'],
      [{ obligationId: 'a\u0000b' }, 'obligationId'],
      [{ dueDate: '2026-02-30' }, 'dueDate'],
      [{ daysBefore: 1.5 }, 'daysBefore'],
      [{ daysBefore: 366 }, 'daysBefore'],
      [{ daysLeft: -1 }, 'daysLeft'],
      [{ daysLeft: 8 }, 'daysLeft'],
      [{ reference: 42 }, 'reference'],
      [{ reference: 'x'.repeat(1001) }, 'reference'],
      [{ customer: 'x' }, 'customer'],
      [{ customer: { name: 'A', email: 'not an address' } }, 'customer.email'],
      [{ customer: { email: 'a@example.com' } }, 'customer.name'],
      [{ amount: 1250 }, 'amount'],
      [{ amount: '-1.00' }, 'amount'],
      [{ amount: '1e3' }, 'amount'],
      [{ currency: 'eur' }, 'currency'],
      [{ currency: 'XYZ' }, 'currency'],
      [{ createdAt: 'yesterday' }, 'createdAt'],
    ];
    for (const [overrides, field] of cases) {
      const { field: found, problem } = problemWith(overrides);
      expect(found).toBe(field);
      expect(problem).not.toContain('not an address');
      expect(problem).not.toContain('xxxx');
    }
  });

  it('reads the optional language: a canonical BCP 47 tag, or absent', () => {
    const german = { ...VALID, language: 'de-CH' };
    expect(readReminderMessage(german)).toEqual({ ok: true, reminder: german });
    expect(readReminderMessage(JSON.stringify(german))).toEqual({ ok: true, reminder: german });
    const reading = readReminderMessage(VALID);
    expect(reading.ok && reading.reminder).not.toHaveProperty('language');
    for (const language of ['de-ch', 'German', 'en_US', '', 42, null, ['de']]) {
      expect(problemWith({ language }), String(language)).toMatchObject({ field: 'language' });
    }
  });

  it('refuses an address with invisible or bidi characters', () => {
    for (const email of ['ad\u200Ba@example.com', 'ada@exa\u202Emple.com', 'ada\u2066@example.com']) {
      expect(problemWith({ customer: { ...VALID.customer, email } }).field).toBe('customer.email');
    }
  });
});
