/** Reminder messages (what the sweep queues and delivery reads) for tests. */
import { REMINDER_MESSAGE_SCHEMA } from '../../shared/reminders/rules.js';
import type { ReminderMessage } from '../../shared/reminders/rules.js';

/**
 * A valid reminder message: its id follows `obligationId`, `dueDate` and `daysBefore` as the sweep makes
 * it, and by default it asks 100.00 EUR of `Customer <obligationId>` (customer<obligationId>@example.com).
 */
export function reminderMessage(fields: Partial<ReminderMessage> = {}): ReminderMessage {
  const obligationId = fields.obligationId ?? '17';
  const dueDate = fields.dueDate ?? '2026-12-08';
  const daysBefore = fields.daysBefore ?? 7;
  return {
    schema: REMINDER_MESSAGE_SCHEMA,
    id: `${obligationId}:${dueDate}:${daysBefore}`,
    obligationId,
    reference: `INV-${obligationId}`,
    customer: { name: `Customer ${obligationId}`, email: `customer${obligationId}@example.com` },
    dueDate,
    daysBefore,
    daysLeft: daysBefore,
    amount: '100.00',
    currency: 'EUR',
    createdAt: '2026-12-01T07:00:00.000Z',
    ...fields,
  };
}

/** The reminder `daysBefore` days before `dueDate` of obligation `obligationId`. */
export function reminderFor(obligationId: string, dueDate = '2026-12-08', daysBefore = 7): ReminderMessage {
  return reminderMessage({ obligationId, dueDate, daysBefore });
}
