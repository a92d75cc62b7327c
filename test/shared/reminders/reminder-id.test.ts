import { describe, expect, it } from 'vitest';
import { formatReminderId, parseReminderId } from '../../../shared/reminders/reminder-id.js';

describe('reminder ids', () => {
  it('are {obligationId}:{dueDate}:{daysBefore}', () => {
    expect(formatReminderId({ obligationId: '42', dueDate: '2026-12-03', daysBefore: 7 })).toBe('42:2026-12-03:7');
  });

  it('finds the obligation in a reminder id', () => {
    expect(parseReminderId('17:2026-12-08:7')?.obligationId).toBe('17');
    expect(parseReminderId('a:b:2026-12-08:30')?.obligationId).toBe('a:b');
    expect(parseReminderId('17:2026-12-08')?.obligationId).toBeUndefined();
  });

  it('parse reads back what format writes, whatever the obligation id holds', () => {
    for (const parts of [
      { obligationId: '17', dueDate: '2026-12-08', daysBefore: 0 },
      { obligationId: 'a:b', dueDate: '2028-02-29', daysBefore: 365 },
      { obligationId: '2026-12-08:7', dueDate: '2026-12-09', daysBefore: 1 },
      { obligationId: 'x/y%z#?', dueDate: '+010000-01-01', daysBefore: 30 },
    ]) {
      const id = formatReminderId(parts);
      expect(parseReminderId(id), id).toEqual(parts);
    }
  });

  it('rejects ids format cannot write', () => {
    for (const bad of [
      '',
      ':2026-12-08:7',
      '17:2026-12-08:',
      '17:2026-12-08:07',
      '17:2026-12-08:-1',
      '17:2026-12-08:1.5',
      '17:2026-12-08:7 ',
      '17:2026-02-30:7',
      '17:2026-12-8:7',
      '17:20261208:7',
      '2026-12-08:7',
      '17',
    ]) {
      expect(parseReminderId(bad), bad).toBeUndefined();
    }
  });
});
