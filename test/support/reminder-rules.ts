/** Reminder rules and list items for unit tests of shared/reminders: defaults as the settings give them. */
import { SETTING_DEFAULTS } from '../../shared/config/config.js';
import type {
  ListItem,
  ReminderDecision,
  ReminderMessage,
  ReminderRules,
  SkipReason,
} from '../../shared/reminders/rules.js';
import { testConfig } from './settings.js';

const DEFAULTS = testConfig();

/** REMINDER_DAYS 1,3,7 in UTC without catch-up; the default columns, status lists and minimum amount. */
export function testRules(overrides: Partial<ReminderRules> = {}): ReminderRules {
  return {
    reminderDays: [1, 3, 7],
    timeZone: 'UTC',
    catchUpDays: 0,
    columns: SETTING_DEFAULTS.columns,
    statuses: DEFAULTS.statuses,
    minimumAmount: DEFAULTS.minimumAmount,
    ...overrides,
  };
}

/** An open item of 1234.50 EUR due 8 December 2026 (UTC midnight); `fields` override or add columns. */
export function listItem(fields: Record<string, unknown> = {}, id = '42'): ListItem {
  return {
    id,
    fields: {
      Title: 'INV-2026-0042',
      CustomerName: 'Ada Lovelace',
      CustomerEmail: 'ada@example.com',
      DueDate: '2026-12-08T00:00:00Z',
      AmountDue: 1234.5,
      Currency: 'EUR',
      Status: 'Open',
      ...fields,
    },
  };
}

export function reminded(decision: ReminderDecision): ReminderMessage {
  if (decision.kind !== 'remind') {
    throw new Error(`expected a reminder, got ${JSON.stringify(decision)}`);
  }
  return decision.message;
}

export function skipReason(decision: ReminderDecision): SkipReason | undefined {
  return decision.kind === 'skip' ? decision.reason : undefined;
}
