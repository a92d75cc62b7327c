/** Obligations (SharePoint list items) for tests on the local stack. */
import type { ListItemSeed, SeedFieldValue } from '../../emulators/stack/seed.js';

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
