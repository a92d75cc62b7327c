/**
 * The soak's obligations list and its history: items due over the simulated period, and every change
 * the soak makes to them (paid, amount, address or due date edited), each with the simulated instant
 * it happened at, so that the invariant checker can ask what an item looked like when an e-mail left.
 */
import type { ListItemSeed } from '../../emulators/stack/seed.js';
import { addDays } from '../../shared/reminders/calendar.js';

/** The columns the soak fills (the demo list's internal names); a type, so that it is a record of field values. */
export type ObligationState = {
  readonly Title: string;
  readonly CustomerName: string;
  readonly CustomerEmail: string;
  /** `YYYY-MM-DD`, a date-only column. */
  readonly DueDate: string;
  /** Below 1,000 and with two decimals, so that the e-mail shows it as `123.45` in every locale's digits. */
  readonly AmountDue: number;
  readonly Currency: string;
  readonly Status: string;
};

export type ObligationChange = 'paid' | 'amountEdited' | 'addressEdited' | 'dueDateEdited';

interface Version {
  /** Simulated epoch milliseconds from which this version holds. */
  readonly from: number;
  readonly state: ObligationState;
  readonly change?: ObligationChange;
}

export interface ObligationsHistory {
  readonly ids: readonly string[];
  /** The item as it was at `instant` (its first version before the first change). */
  stateAt(id: string, instant: number): ObligationState | undefined;
  /** Whether the item changed in (after, until]. */
  changedBetween(id: string, after: number, until: number): boolean;
  /** Applies a change at `instant` (new values drawn from `random`) and returns the new state. */
  change(id: string, kind: ObligationChange, instant: number, random: () => number): ObligationState;
  /** Every item as it is now, as the Graph emulator takes them. */
  currentItems(): ListItemSeed[];
}

export interface ObligationsOptions {
  /** First simulated date (`YYYY-MM-DD`): due dates start the day after. */
  readonly firstDate: string;
  /** Days over which due dates are spread. */
  readonly days: number;
  readonly itemsPerDay: number;
  /** Draws the items' amounts and statuses. */
  readonly random: () => number;
}

/** Share of items closed before the soak starts: they must never get a reminder. */
const CLOSED_SHARE = 0.05;

export function createObligations(options: ObligationsOptions): ObligationsHistory {
  const { random } = options;
  const versions = new Map<string, Version[]>();
  const count = options.days * options.itemsPerDay;
  for (let index = 0; index < count; index += 1) {
    const id = String(index + 1);
    const state: ObligationState = {
      Title: `INV-SOAK-${id.padStart(6, '0')}`,
      CustomerName: `Soak Customer ${id}`,
      CustomerEmail: `customer${id}@soak.example`,
      DueDate: addDays(options.firstDate, 1 + Math.floor(index / options.itemsPerDay)),
      AmountDue: randomAmount(random),
      Currency: 'EUR',
      Status: random() < CLOSED_SHARE ? 'Paid' : 'Open',
    };
    versions.set(id, [{ from: Number.NEGATIVE_INFINITY, state }]);
  }

  const history = (id: string): Version[] => {
    const found = versions.get(id);
    if (!found) throw new RangeError(`No obligation ${id}`);
    return found;
  };

  return {
    ids: [...versions.keys()],
    stateAt(id, instant) {
      return history(id)
        .filter((version) => version.from <= instant)
        .at(-1)?.state;
    },
    changedBetween(id, after, until) {
      return history(id).some((version) => version.from > after && version.from <= until);
    },
    change(id, kind, instant, random) {
      const list = history(id);
      const current = list.at(-1)?.state;
      if (!current) throw new RangeError(`No obligation ${id}`);
      const state = changed(current, kind, id, list.length, random);
      list.push({ from: instant, state, change: kind });
      return state;
    },
    currentItems() {
      return [...versions.entries()].map(([id, list]) => ({ id, fields: { ...list.at(-1)?.state } }));
    },
  };
}

function changed(
  state: ObligationState,
  kind: ObligationChange,
  id: string,
  version: number,
  random: () => number,
): ObligationState {
  switch (kind) {
    case 'paid':
      return { ...state, Status: 'Paid' };
    case 'amountEdited':
      return { ...state, AmountDue: randomAmount(random) };
    case 'addressEdited':
      return { ...state, CustomerEmail: `customer${id}.v${version}@soak.example` };
    case 'dueDateEdited':
      return { ...state, DueDate: addDays(state.DueDate, 1 + Math.floor(random() * 5)) };
  }
}

/** 10.00 to 999.99: never grouped with a thousands separator, and above the default minimum. */
function randomAmount(random: () => number): number {
  return Math.round((10 + random() * 989.99) * 100) / 100;
}
