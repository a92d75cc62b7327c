/**
 * Deterministic synthetic payment obligations for large SharePoint lists (up to millions of items).
 * Item i is computed from (seed, i) when asked for; nothing is held per item. Items are in due-date
 * order, so a due-date window maps to an index range by binary search over the (few) days.
 */
import type { ColumnSeed, ListGeneratorSeed } from '../stack/seed.js';
import { resolveSeedDate } from '../stack/seed-dates.js';
import { addDays, createZonedCalendar } from './dates.js';

export type ObligationCurrency = 'EUR' | 'USD' | 'GBP' | 'CHF' | 'JPY';
export type ObligationStatus = 'Open' | 'Paid' | 'Cancelled' | 'Overdue';

/** A type (not an interface) so that it is assignable to a record of field values. */
export type ObligationFields = {
  /** Invoice number, e.g. `INV-2026-000123`. */
  readonly Title: string;
  readonly CustomerName: string;
  /** A small fraction is malformed on purpose: mail to them must be rejected. */
  readonly CustomerEmail: string;
  /** Calendar date `YYYY-MM-DD` (a date-only column). */
  readonly DueDate: string;
  /** Two decimals; whole numbers for JPY, which has no minor unit. */
  readonly AmountDue: number;
  readonly Currency: ObligationCurrency;
  readonly Status: ObligationStatus;
};

export interface Obligation {
  /** SharePoint item id: `String(index + 1)`. */
  readonly id: string;
  /** Epoch milliseconds. */
  readonly createdDateTime: number;
  readonly lastModifiedDateTime: number;
  readonly fields: ObligationFields;
}

/** One end of a due-date window, as an instant (epoch ms) compared with each item's midnight in the site's zone. */
export interface DueDateBound {
  readonly instant: number;
  readonly inclusive: boolean;
}

export interface IndexRange {
  /** First index in the range. */
  readonly start: number;
  /** One past the last index; `start === end` for an empty range. */
  readonly end: number;
}

export interface ObligationsGenerator {
  readonly count: number;
  /** Due date of item 0 (`YYYY-MM-DD`). */
  readonly firstDueDate: string;
  itemAt(index: number): Obligation;
  /** Midnight of item `index`'s due date in the site's zone (epoch ms). */
  dueInstantAt(index: number): number;
  /** The items whose due-date instant lies within the bounds (absent bound: open). */
  indexRangeForDueDates(lower?: DueDateBound, upper?: DueDateBound): IndexRange;
}

export interface ObligationsGeneratorOptions {
  readonly seed: ListGeneratorSeed;
  /** IANA zone of the site: due dates are midnights there, `today` is a date there. */
  readonly timeZone: string;
  /** The stack's start: resolves `today±N` in `seed.from` and decides which unpaid items are overdue. */
  readonly now: Date;
}

export class ObligationsGeneratorError extends Error {
  readonly code = 'InvalidGeneratorSeed';
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'ObligationsGeneratorError';
  }
}

/** The columns the generator fills, as a list seed declares them (DueDate indexed, as a real obligations list would be). */
export const obligationColumns: readonly ColumnSeed[] = [
  { name: 'Title', type: 'text' },
  { name: 'CustomerName', type: 'text' },
  { name: 'CustomerEmail', type: 'text' },
  { name: 'DueDate', type: 'dateOnly', indexed: true },
  { name: 'AmountDue', type: 'currency' },
  { name: 'Currency', type: 'choice' },
  { name: 'Status', type: 'choice', indexed: true },
];

/** Largest supported list: beyond this a benchmark should use several lists. */
export const MAX_GENERATED_ITEMS = 10_000_000;
const MAX_DAYS = 36_600;
const DAY_MS = 86_400_000;

/** Independent draws per item or customer: one salt per attribute. */
const salts = {
  customer: 1,
  customerName: 2,
  customerPlace: 3,
  customerLegalForm: 4,
  customerMailbox: 5,
  customerEmailFault: 6,
  customerEmailFaultKind: 7,
  customerCurrency: 8,
  amount: 9,
  status: 10,
  paymentTerm: 11,
  createdTime: 12,
  modifiedTime: 13,
} as const;

const namePrefixes = [
  'Nord',
  'Alpen',
  'Blue',
  'Silver',
  'Oak',
  'River',
  'Summit',
  'Harbor',
  'Pioneer',
  'Falcon',
  'Cedar',
  'Granite',
  'Lumen',
  'Vertex',
  'Atlas',
  'Meridian',
];
const namePlaces = [
  'Hamburg',
  'Lyon',
  'Delft',
  'Torino',
  'Austin',
  'Leeds',
  'Basel',
  'Osaka',
  'Graz',
  'Porto',
  'Malmo',
  'Aarhus',
  'Denver',
  'Bristol',
  'Zug',
  'Kobe',
];
const nameCores = [
  'Logistics',
  'Foods',
  'Systems',
  'Textiles',
  'Engineering',
  'Pharma',
  'Retail',
  'Energy',
  'Media',
  'Robotics',
  'Timber',
  'Optics',
  'Marine',
  'Software',
  'Ceramics',
  'Dairy',
];
const legalForms: Readonly<Record<ObligationCurrency, readonly string[]>> = {
  EUR: ['GmbH', 'SARL', 'B.V.', 'S.p.A.', 'S.L.'],
  USD: ['Inc.', 'LLC', 'Corp.'],
  GBP: ['Ltd', 'PLC'],
  CHF: ['AG', 'SA'],
  JPY: ['K.K.', 'Co., Ltd.'],
};
const mailboxes = ['billing', 'accounts', 'ap', 'finance', 'invoices'];
/** Cumulative shares: EUR 55 %, USD 20 %, GBP 12 %, CHF 8 %, JPY 5 %. */
const currencyShares: readonly (readonly [ObligationCurrency, number])[] = [
  ['EUR', 0.55],
  ['USD', 0.75],
  ['GBP', 0.87],
  ['CHF', 0.95],
  ['JPY', 1],
];
/** Share of customers whose address is malformed. */
const MALFORMED_EMAIL_SHARE = 0.02;

/** The finaliser of a 32-bit hash (lowbias32): every input bit affects every output bit. */
function mix32(value: number): number {
  let h = value >>> 0;
  h ^= h >>> 16;
  h = Math.imul(h, 0x7feb352d);
  h ^= h >>> 15;
  h = Math.imul(h, 0x846ca68b);
  h ^= h >>> 16;
  return h >>> 0;
}

/** A 32-bit draw for (seed, index, salt), the same on every platform. */
function hash32(seed: number, index: number, salt: number): number {
  return mix32(mix32(mix32(seed ^ 0x9e3779b9) + index) ^ Math.imul(salt, 0x27d4eb2f));
}

function unit(seed: number, index: number, salt: number): number {
  return hash32(seed, index, salt) / 0x1_0000_0000;
}

function pick<T>(values: readonly T[], seed: number, index: number, salt: number): T {
  const value = values[hash32(seed, index, salt) % values.length];
  if (value === undefined) {
    throw new ObligationsGeneratorError('Internal error: empty value table.');
  }
  return value;
}

interface Customer {
  readonly name: string;
  readonly email: string;
  readonly currency: ObligationCurrency;
}

function customerAt(seed: number, customer: number): Customer {
  const currencyDraw = unit(seed, customer, salts.customerCurrency);
  const currency = currencyShares.find(([, share]) => currencyDraw < share)?.[0] ?? 'EUR';
  const nameIndex = hash32(seed, customer, salts.customerName);
  const prefix = namePrefixes[nameIndex % namePrefixes.length] ?? 'Nord';
  const core = nameCores[Math.floor(nameIndex / namePrefixes.length) % nameCores.length] ?? 'Logistics';
  const place = pick(namePlaces, seed, customer, salts.customerPlace);
  const legalForm = pick(legalForms[currency], seed, customer, salts.customerLegalForm);
  const domain = `${prefix}-${core}-${customer + 1}`.toLowerCase();
  const mailbox = pick(mailboxes, seed, customer, salts.customerMailbox);
  return {
    name: `${prefix} ${core} ${place} ${legalForm}`,
    email: emailFor(seed, customer, mailbox, domain),
    currency,
  };
}

function emailFor(seed: number, customer: number, mailbox: string, domain: string): string {
  if (unit(seed, customer, salts.customerEmailFault) >= MALFORMED_EMAIL_SHARE) {
    return `${mailbox}@${domain}.example`;
  }
  // The mistakes people make when typing addresses into a list by hand.
  switch (hash32(seed, customer, salts.customerEmailFaultKind) % 4) {
    case 0:
      return `${mailbox}.${domain}.example`;
    case 1:
      return `${mailbox}@${domain}`;
    case 2:
      return `${mailbox} @${domain}.example`;
    default:
      return `${mailbox}@@${domain}.example`;
  }
}

function validateSeed(seed: ListGeneratorSeed): void {
  if (!Number.isInteger(seed.count) || seed.count < 0 || seed.count > MAX_GENERATED_ITEMS) {
    throw new ObligationsGeneratorError(
      `generate.count must be an integer from 0 to ${MAX_GENERATED_ITEMS}; got ${seed.count}.`,
    );
  }
  if (!Number.isInteger(seed.days) || seed.days < 1 || seed.days > MAX_DAYS) {
    throw new ObligationsGeneratorError(`generate.days must be an integer from 1 to ${MAX_DAYS}; got ${seed.days}.`);
  }
  if (!Number.isInteger(seed.seed)) {
    throw new ObligationsGeneratorError(`generate.seed must be an integer; got ${seed.seed}.`);
  }
}

/** Smallest k in [0, length) with `predicate(k)` true, or `length`; `predicate` must be monotonic. */
function firstWhere(length: number, predicate: (k: number) => boolean): number {
  let low = 0;
  let high = length;
  while (low < high) {
    const middle = (low + high) >>> 1;
    if (predicate(middle)) {
      high = middle;
    } else {
      low = middle + 1;
    }
  }
  return low;
}

export function createObligationsGenerator(options: ObligationsGeneratorOptions): ObligationsGenerator {
  const { seed: generatorSeed, timeZone, now } = options;
  validateSeed(generatorSeed);
  let calendar: ReturnType<typeof createZonedCalendar>;
  try {
    calendar = createZonedCalendar(timeZone);
  } catch (error) {
    throw new ObligationsGeneratorError(`'${timeZone}' is not a known time zone.`, { cause: error });
  }
  const resolved = resolveSeedDate(generatorSeed.from, timeZone, now);
  const firstDueDate = resolved.kind === 'date' ? resolved.date : calendar.dateOf(resolved.instant.getTime());
  const { count, days, seed } = generatorSeed;
  const nowMs = now.getTime();
  const today = calendar.dateOf(nowMs);
  const customerCount = Math.max(1, Math.ceil(count / 20));

  // One entry per day of the spread: the whole window costs `days` entries, not `count`.
  const dueDates: string[] = [];
  const dueInstants = new Float64Array(days);
  for (let day = 0; day < days; day += 1) {
    const date = addDays(firstDueDate, day);
    dueDates.push(date);
    dueInstants[day] = calendar.startOfDay(date);
  }

  // Item i falls on day floor(i * days / count): non-decreasing in i, so items are in due-date order.
  const dayOf = (index: number): number => Math.floor((index * days) / count);
  const firstIndexOfDay = (day: number): number => Math.ceil((day * count) / days);

  const checkIndex = (index: number): void => {
    if (!Number.isInteger(index) || index < 0 || index >= count) {
      throw new RangeError(`Item index ${index} is outside 0..${count - 1}.`);
    }
  };

  const dueInstantAt = (index: number): number => {
    checkIndex(index);
    return dueInstants[dayOf(index)] ?? Number.NaN;
  };

  return {
    count,
    firstDueDate,
    dueInstantAt,
    itemAt(index: number): Obligation {
      checkIndex(index);
      const day = dayOf(index);
      const dueDate = dueDates[day] ?? firstDueDate;
      const dueInstant = dueInstants[day] ?? Number.NaN;
      const customer = customerAt(seed, hash32(seed, index, salts.customer) % customerCount);

      // Log-uniform from 25 to 50,000: many small invoices, a few large ones.
      const amount = 25 * 2000 ** unit(seed, index, salts.amount);
      const amountDue = customer.currency === 'JPY' ? Math.round(amount * 150) : Math.round(amount * 100) / 100;

      const statusDraw = unit(seed, index, salts.status);
      const status: ObligationStatus =
        dueDate < today
          ? statusDraw < 0.35
            ? 'Overdue'
            : statusDraw < 0.9
              ? 'Paid'
              : 'Cancelled'
          : statusDraw < 0.82
            ? 'Open'
            : statusDraw < 0.96
              ? 'Paid'
              : 'Cancelled';

      // Invoices are written 14 to 59 days before they fall due, never after the stack's start.
      const paymentTermDays = 14 + (hash32(seed, index, salts.paymentTerm) % 46);
      const created =
        Math.min(dueInstant - paymentTermDays * DAY_MS, nowMs) -
        (hash32(seed, index, salts.createdTime) % 86_400) * 1000;
      const modified = Math.min(created + (hash32(seed, index, salts.modifiedTime) % 172_800) * 1000, nowMs);
      const createdYear = new Date(created).getUTCFullYear();

      return {
        id: String(index + 1),
        createdDateTime: created,
        lastModifiedDateTime: modified,
        fields: {
          Title: `INV-${createdYear}-${String(index + 1).padStart(6, '0')}`,
          CustomerName: customer.name,
          CustomerEmail: customer.email,
          DueDate: dueDate,
          AmountDue: amountDue,
          Currency: customer.currency,
          Status: status,
        },
      };
    },
    indexRangeForDueDates(lower?: DueDateBound, upper?: DueDateBound): IndexRange {
      const startDay =
        lower === undefined
          ? 0
          : firstWhere(days, (day) => {
              const instant = dueInstants[day] ?? Number.NaN;
              return lower.inclusive ? instant >= lower.instant : instant > lower.instant;
            });
      const endDay =
        upper === undefined
          ? days
          : firstWhere(days, (day) => {
              const instant = dueInstants[day] ?? Number.NaN;
              return upper.inclusive ? instant > upper.instant : instant >= upper.instant;
            });
      if (count === 0 || endDay <= startDay) {
        return { start: 0, end: 0 };
      }
      return { start: firstIndexOfDay(startDay), end: Math.min(count, firstIndexOfDay(endDay)) };
    },
  };
}
