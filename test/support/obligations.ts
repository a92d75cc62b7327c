/** Obligations (SharePoint list items) for tests on the local stack. */
import type { ListItemSeed, SeedFieldValue } from '../../emulators/stack/seed.js';
import type { LocalStack } from '../../emulators/stack/stack.js';
import type { ReminderMessage } from '../../shared/reminders/rules.js';
import { resetDeliveryVerification } from '../../shared/runtime.js';

/**
 * An open obligation of 250.25 EUR with a valid customer; `dueDate` is a seed date (`today+3`,
 * `2026-12-01`), `fields` override or add columns.
 */
export function obligation(
  id: number,
  dueDate: string,
  fields: Readonly<Record<string, SeedFieldValue>> = {},
): ListItemSeed {
  return {
    id: String(id),
    fields: {
      Title: `INV-${id}`,
      CustomerName: `Customer ${id}`,
      CustomerEmail: `customer${id}@example.com`,
      DueDate: dueDate,
      AmountDue: 250.25,
      Currency: 'EUR',
      Status: 'Open',
      ...fields,
    },
  };
}

/** `today+N` / `today-N` for a seed. */
export function inDays(days: number): string {
  return days >= 0 ? `today+${days}` : `today${days}`;
}

/** The open list item a sweep turns into `message` (same id, address, amount, currency, due date, texts). */
export function obligationFor(message: ReminderMessage): ListItemSeed {
  return {
    id: message.obligationId,
    fields: {
      Title: message.reference,
      CustomerName: message.customer.name,
      CustomerEmail: message.customer.email,
      DueDate: message.dueDate,
      AmountDue: Number(message.amount),
      Currency: message.currency,
      Status: 'Open',
      ...(message.language === undefined ? {} : { Language: message.language }),
    },
  };
}

const listedItems = new WeakMap<LocalStack, Map<string, ListItemSeed>>();

/**
 * Makes the stack's obligations list hold the items behind `messages` (besides those listed before in
 * this file; the seed's items go), so that delivery's verify-before-send confirms the messages. Returns them.
 */
export function listObligationsFor<M extends ReminderMessage>(stack: LocalStack, ...messages: M[]): M[] {
  const items = listedItems.get(stack) ?? new Map<string, ListItemSeed>();
  listedItems.set(stack, items);
  for (const message of messages) items.set(message.obligationId, obligationFor(message));
  stack.graph.replaceListItems(stack.seed.daemon.siteId, stack.seed.daemon.listId, [...items.values()]);
  // The list changed: delivery must not verify against a snapshot taken before.
  resetDeliveryVerification();
  return messages;
}
