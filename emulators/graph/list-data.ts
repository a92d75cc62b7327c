/**
 * The SharePoint sites and lists the Graph emulator serves: seeded items held as typed values,
 * generated lists computed on demand. Date columns hold epoch milliseconds (a date-only value is
 * midnight in the site's time zone), numbers and booleans their JSON types, the rest strings.
 */
import type { ColumnSeed, GraphSeed, ListItemSeed, ListSeed, SeedFieldValue, SiteSeed } from '../stack/seed.js';
import { resolveSeedDate } from '../stack/seed-dates.js';
import type { ZonedCalendar } from './dates.js';
import { createZonedCalendar, isCalendarDate, parseGraphInstant } from './dates.js';
import type { DueDateBound, IndexRange } from './obligations-generator.js';
import { createObligationsGenerator } from './obligations-generator.js';
import { GraphRequestError } from './responses.js';

export type FieldValue = string | number | boolean;

export interface StoredListItem {
  readonly id: string;
  /** Epoch milliseconds. */
  readonly createdDateTime: number;
  readonly lastModifiedDateTime: number;
  /** Values of the list's columns; an empty field is absent, as Graph omits it. */
  readonly fields: ReadonlyMap<string, FieldValue>;
}

/** Bound on a column's value, compared as numbers (date columns: epoch ms). */
export type ValueBound = DueDateBound;

/** A list kept in the order of one column: a window on that column maps to an index range. */
export interface OrderedColumn {
  readonly column: string;
  indexRange(lower?: ValueBound, upper?: ValueBound): IndexRange;
}

export interface ListItemSource {
  readonly count: number;
  itemAt(index: number): StoredListItem;
  readonly orderedBy?: OrderedColumn;
}

export interface HostedList {
  readonly site: SiteSeed;
  readonly list: ListSeed;
  readonly columns: ReadonlyMap<string, ColumnSeed>;
  readonly calendar: ZonedCalendar;
  readonly items: ListItemSource;
}

export interface ListStore {
  /** The list, found by site id and list id or display name; throws 404 `itemNotFound` otherwise. */
  get(siteId: string, listIdOrName: string): HostedList;
  /** Replaces a list's items (tests); throws 404 like {@link get} for an unknown list. */
  replaceItems(siteId: string, listIdOrName: string, items: readonly ListItemSeed[]): void;
}

/** A seed value the emulator cannot store in its column. */
export class GraphSeedError extends Error {
  readonly code = 'InvalidGraphSeed';
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'GraphSeedError';
  }
}

export interface ListStoreOptions {
  readonly seed: GraphSeed;
  /** The stack's start: resolves `today±N` values and dates seeded items. */
  readonly now: Date;
}

interface ConversionContext {
  readonly calendar: ZonedCalendar;
  readonly now: Date;
  readonly where: string;
}

function dateValue(column: ColumnSeed, value: string, context: ConversionContext): number {
  // Absolute values are the common case (every generated item): skip the relative-date resolver for them.
  if (isCalendarDate(value)) {
    return context.calendar.startOfDay(value);
  }
  const instant = column.type === 'dateTime' ? parseGraphInstant(value) : undefined;
  if (instant !== undefined) {
    return instant;
  }
  let resolved: ReturnType<typeof resolveSeedDate>;
  try {
    resolved = resolveSeedDate(value, context.calendar.timeZone, context.now);
  } catch (error) {
    throw new GraphSeedError(`${context.where}: '${value}' is not a valid ${column.type} value.`, { cause: error });
  }
  if (resolved.kind === 'date') {
    return context.calendar.startOfDay(resolved.date);
  }
  const resolvedInstant = resolved.instant.getTime();
  return column.type === 'dateOnly'
    ? context.calendar.startOfDay(context.calendar.dateOf(resolvedInstant))
    : resolvedInstant;
}

/** Converts a seed value into the column's stored type; undefined for an empty field. */
function toFieldValue(
  column: ColumnSeed,
  value: SeedFieldValue | undefined,
  context: ConversionContext,
): FieldValue | undefined {
  if (value === null || value === undefined || value === '') {
    return undefined;
  }
  const invalid = (): GraphSeedError =>
    new GraphSeedError(`${context.where}: ${JSON.stringify(value)} is not a valid ${column.type} value.`);
  switch (column.type) {
    case 'text':
    case 'choice':
      return String(value);
    case 'number':
    case 'currency': {
      const number = typeof value === 'number' ? value : typeof value === 'string' ? Number(value) : Number.NaN;
      if (!Number.isFinite(number)) {
        throw invalid();
      }
      return number;
    }
    case 'boolean':
      if (typeof value === 'boolean') {
        return value;
      }
      throw invalid();
    case 'dateOnly':
    case 'dateTime':
      if (typeof value !== 'string') {
        throw invalid();
      }
      return dateValue(column, value, context);
  }
}

function toStoredFields(
  columns: ReadonlyMap<string, ColumnSeed>,
  values: Readonly<Record<string, SeedFieldValue | undefined>>,
  context: ConversionContext,
): Map<string, FieldValue> {
  const fields = new Map<string, FieldValue>();
  for (const column of columns.values()) {
    const value = toFieldValue(column, values[column.name], {
      ...context,
      where: `${context.where} field '${column.name}'`,
    });
    if (value !== undefined) {
      fields.set(column.name, value);
    }
  }
  return fields;
}

function seededItems(
  list: ListSeed,
  columns: ReadonlyMap<string, ColumnSeed>,
  items: readonly ListItemSeed[],
  calendar: ZonedCalendar,
  now: Date,
): ListItemSource {
  const nowMs = now.getTime();
  let nextId = 1;
  const stored = items.map((item, index): StoredListItem => {
    const id = item.id ?? String(nextId);
    const numericId = Number(id);
    nextId = Number.isInteger(numericId) ? Math.max(nextId, numericId + 1) : nextId + 1;
    // Seeded items were written a minute apart, the last one just before the stack started.
    const written = nowMs - (items.length - index) * 60_000;
    return {
      id,
      createdDateTime: written,
      lastModifiedDateTime: written,
      fields: toStoredFields(columns, item.fields, { calendar, now, where: `list '${list.id}' item ${index}` }),
    };
  });
  return {
    count: stored.length,
    itemAt(index) {
      const item = stored[index];
      if (item === undefined) {
        throw new RangeError(`Item index ${index} is outside 0..${stored.length - 1}.`);
      }
      return item;
    },
  };
}

function generatedItems(
  list: ListSeed,
  site: SiteSeed,
  columns: ReadonlyMap<string, ColumnSeed>,
  calendar: ZonedCalendar,
  now: Date,
): ListItemSource {
  const generate = list.generate;
  if (generate === undefined) {
    throw new GraphSeedError(`list '${list.id}' has no generator.`);
  }
  const generator = createObligationsGenerator({ seed: generate, timeZone: site.timeZone, now });
  const dueDateColumn = columns.get('DueDate');
  const dueDateIsDate = dueDateColumn?.type === 'dateOnly' || dueDateColumn?.type === 'dateTime';
  const context = { calendar, now, where: `list '${list.id}' generated item` };
  return {
    count: generator.count,
    itemAt(index) {
      const item = generator.itemAt(index);
      return {
        id: item.id,
        createdDateTime: item.createdDateTime,
        lastModifiedDateTime: item.lastModifiedDateTime,
        fields: toStoredFields(columns, item.fields, context),
      };
    },
    ...(dueDateIsDate
      ? {
          orderedBy: {
            column: 'DueDate',
            indexRange: (lower, upper) => generator.indexRangeForDueDates(lower, upper),
          } satisfies OrderedColumn,
        }
      : {}),
  };
}

function hostList(
  site: SiteSeed,
  list: ListSeed,
  calendar: ZonedCalendar,
  now: Date,
  items?: readonly ListItemSeed[],
): HostedList {
  const columns = new Map(list.columns.map((column) => [column.name, column]));
  const source =
    items === undefined && list.generate !== undefined
      ? generatedItems(list, site, columns, calendar, now)
      : seededItems(list, columns, items ?? list.items ?? [], calendar, now);
  return { site, list, columns, calendar, items: source };
}

export function createListStore(options: ListStoreOptions): ListStore {
  const { seed, now } = options;
  const sites = new Map<string, { site: SiteSeed; lists: HostedList[] }>();
  for (const site of seed.sites) {
    let calendar: ZonedCalendar;
    try {
      calendar = createZonedCalendar(site.timeZone);
    } catch (error) {
      throw new GraphSeedError(`site '${site.id}': '${site.timeZone}' is not a known time zone.`, { cause: error });
    }
    sites.set(site.id.toLowerCase(), { site, lists: site.lists.map((list) => hostList(site, list, calendar, now)) });
  }

  const locate = (siteId: string, listIdOrName: string): { lists: HostedList[]; index: number; hosted: HostedList } => {
    const entry = sites.get(siteId.toLowerCase());
    if (entry === undefined) {
      throw new GraphRequestError(404, 'itemNotFound', 'Requested site could not be found');
    }
    const key = listIdOrName.toLowerCase();
    // Graph accepts a list's title in place of its id.
    const index = entry.lists.findIndex(
      (hosted) => hosted.list.id.toLowerCase() === key || hosted.list.displayName.toLowerCase() === key,
    );
    const hosted = entry.lists[index];
    if (hosted === undefined) {
      throw new GraphRequestError(404, 'itemNotFound', 'List does not exist.');
    }
    return { lists: entry.lists, index, hosted };
  };

  return {
    get: (siteId, listIdOrName) => locate(siteId, listIdOrName).hosted,
    replaceItems(siteId, listIdOrName, items) {
      const { lists, index, hosted } = locate(siteId, listIdOrName);
      lists[index] = hostList(hosted.site, hosted.list, hosted.calendar, now, items);
    },
  };
}
