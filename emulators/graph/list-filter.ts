/**
 * Turns a parsed `$filter` into a predicate over a list's stored items, with SharePoint's rules:
 * only `fields/{column}` may be referenced, only indexed columns unless the caller sends
 * `Prefer: HonorNonIndexedQueriesWarningMayFailRandomly`, text compares case-insensitively, date
 * literals are instants (a bare date is midnight in the site's zone).
 */
import type { ColumnSeed } from '../stack/seed.js';
import { isCalendarDate, parseGraphInstant } from './dates.js';
import type { ComparisonOperator, FilterExpression, FilterLiteral } from './odata-filter.js';
import type { FieldValue, HostedList, StoredListItem, ValueBound } from './list-data.js';
import { GraphRequestError } from './responses.js';

export interface CompiledFilter {
  matches(item: StoredListItem): boolean;
  /** Values of `column` that can satisfy the filter: items outside need not be examined. */
  window(column: string): ValueWindow;
}

export interface ValueWindow {
  readonly lower?: ValueBound;
  readonly upper?: ValueBound;
  /** True when no value can satisfy the filter. */
  readonly empty?: boolean;
}

export interface CompileFilterOptions {
  /** The request carried `Prefer: HonorNonIndexedQueriesWarningMayFailRandomly`. */
  readonly allowNonIndexed: boolean;
}

type Comparable = string | number | boolean | null;

function invalidRequest(message: string): GraphRequestError {
  return new GraphRequestError(400, 'invalidRequest', message);
}

function literalText(literal: FilterLiteral): string {
  return literal.kind === 'null' ? 'null' : String(literal.value);
}

/** The literal as a value of the column's stored type (null for `null`). */
function literalValue(column: ColumnSeed, literal: FilterLiteral, list: HostedList): Comparable {
  if (literal.kind === 'null') {
    return null;
  }
  const text = literalText(literal);
  const invalid = (): GraphRequestError =>
    invalidRequest(`The value '${text}' is not valid for field '${column.name}' of type ${column.type}.`);
  switch (column.type) {
    case 'text':
    case 'choice':
      return text.toLowerCase();
    case 'number':
    case 'currency': {
      const number =
        literal.kind === 'number'
          ? literal.value
          : literal.kind === 'string' && text.trim() !== ''
            ? Number(text)
            : Number.NaN;
      if (!Number.isFinite(number)) {
        throw invalid();
      }
      return number;
    }
    case 'boolean':
      if (literal.kind === 'boolean') {
        return literal.value;
      }
      if (text === '1' || text === '0' || text === 'true' || text === 'false') {
        return text === '1' || text === 'true';
      }
      throw invalid();
    case 'dateOnly':
    case 'dateTime': {
      if (literal.kind !== 'string' && literal.kind !== 'dateTime') {
        throw invalid();
      }
      if (isCalendarDate(text)) {
        return list.calendar.startOfDay(text);
      }
      const instant = parseGraphInstant(text);
      if (instant === undefined) {
        throw invalid();
      }
      return instant;
    }
  }
}

function stored(value: FieldValue | undefined): Comparable {
  if (value === undefined) {
    return null;
  }
  return typeof value === 'string' ? value.toLowerCase() : value;
}

function compare(operator: ComparisonOperator, actual: Comparable, expected: Comparable): boolean {
  if (expected === null || actual === null) {
    // OData: null equals only null, and ordering against null is never true.
    const equal = expected === actual;
    return operator === 'eq' ? equal : operator === 'ne' ? !equal : false;
  }
  switch (operator) {
    case 'eq':
      return actual === expected;
    case 'ne':
      return actual !== expected;
    case 'gt':
      return actual > expected;
    case 'ge':
      return actual >= expected;
    case 'lt':
      return actual < expected;
    case 'le':
      return actual <= expected;
  }
}

const unbounded: ValueWindow = {};

function tighterLower(a: ValueBound | undefined, b: ValueBound | undefined): ValueBound | undefined {
  if (a === undefined || b === undefined) {
    return a ?? b;
  }
  return a.instant !== b.instant
    ? a.instant > b.instant
      ? a
      : b
    : { instant: a.instant, inclusive: a.inclusive && b.inclusive };
}

function tighterUpper(a: ValueBound | undefined, b: ValueBound | undefined): ValueBound | undefined {
  if (a === undefined || b === undefined) {
    return a ?? b;
  }
  return a.instant !== b.instant
    ? a.instant < b.instant
      ? a
      : b
    : { instant: a.instant, inclusive: a.inclusive && b.inclusive };
}

function looserLower(a: ValueBound | undefined, b: ValueBound | undefined): ValueBound | undefined {
  if (a === undefined || b === undefined) {
    return undefined;
  }
  return a.instant !== b.instant
    ? a.instant < b.instant
      ? a
      : b
    : { instant: a.instant, inclusive: a.inclusive || b.inclusive };
}

function looserUpper(a: ValueBound | undefined, b: ValueBound | undefined): ValueBound | undefined {
  if (a === undefined || b === undefined) {
    return undefined;
  }
  return a.instant !== b.instant
    ? a.instant > b.instant
      ? a
      : b
    : { instant: a.instant, inclusive: a.inclusive || b.inclusive };
}

function intersect(a: ValueWindow, b: ValueWindow): ValueWindow {
  if (a.empty === true || b.empty === true) {
    return { empty: true };
  }
  const lower = tighterLower(a.lower, b.lower);
  const upper = tighterUpper(a.upper, b.upper);
  const empty =
    lower !== undefined &&
    upper !== undefined &&
    (lower.instant > upper.instant || (lower.instant === upper.instant && !(lower.inclusive && upper.inclusive)));
  return empty ? { empty: true } : { ...(lower ? { lower } : {}), ...(upper ? { upper } : {}) };
}

function union(a: ValueWindow, b: ValueWindow): ValueWindow {
  if (a.empty === true) {
    return b;
  }
  if (b.empty === true) {
    return a;
  }
  const lower = looserLower(a.lower, b.lower);
  const upper = looserUpper(a.upper, b.upper);
  return { ...(lower ? { lower } : {}), ...(upper ? { upper } : {}) };
}

function comparisonWindow(operator: ComparisonOperator, value: Comparable): ValueWindow {
  if (typeof value !== 'number') {
    return unbounded;
  }
  switch (operator) {
    case 'eq':
      return { lower: { instant: value, inclusive: true }, upper: { instant: value, inclusive: true } };
    case 'gt':
    case 'ge':
      return { lower: { instant: value, inclusive: operator === 'ge' } };
    case 'lt':
    case 'le':
      return { upper: { instant: value, inclusive: operator === 'le' } };
    case 'ne':
      return unbounded;
  }
}

interface Node {
  matches(item: StoredListItem): boolean;
  window(column: string): ValueWindow;
}

function compileNode(expression: FilterExpression, list: HostedList, options: CompileFilterOptions): Node {
  switch (expression.kind) {
    case 'logical': {
      const left = compileNode(expression.left, list, options);
      const right = compileNode(expression.right, list, options);
      return expression.operator === 'and'
        ? {
            matches: (item) => left.matches(item) && right.matches(item),
            window: (column) => intersect(left.window(column), right.window(column)),
          }
        : {
            matches: (item) => left.matches(item) || right.matches(item),
            window: (column) => union(left.window(column), right.window(column)),
          };
    }
    case 'not': {
      const operand = compileNode(expression.operand, list, options);
      return { matches: (item) => !operand.matches(item), window: () => unbounded };
    }
    case 'comparison':
      return compileComparison(expression, list, options);
  }
}

function compileComparison(
  expression: Extract<FilterExpression, { kind: 'comparison' }>,
  list: HostedList,
  options: CompileFilterOptions,
): Node {
  const match = /^fields\/([^/]+)$/.exec(expression.property);
  const name = match?.[1];
  if (name === undefined) {
    throw invalidRequest('The provided filter statement is not supported');
  }
  const column = list.columns.get(name);
  if (column === undefined) {
    throw invalidRequest(`Column '${name}' does not exist. It may have been deleted by another user.`);
  }
  if (column.indexed !== true && !options.allowNonIndexed) {
    throw invalidRequest(
      `Field '${name}' cannot be referenced in filter or orderby as it is not indexed. Provide the 'Prefer: HonorNonIndexedQueriesWarningMayFailRandomly' header to allow this, but be warned that such queries may fail on large lists.`,
    );
  }
  const expected = literalValue(column, expression.literal, list);
  const { operator } = expression;
  return {
    matches: (item) => compare(operator, stored(item.fields.get(name)), expected),
    window: (target) => (target === name ? comparisonWindow(operator, expected) : unbounded),
  };
}

/** Compiles a parsed filter for `list`; throws a 400 {@link GraphRequestError} as Graph answers. */
export function compileFilter(
  expression: FilterExpression,
  list: HostedList,
  options: CompileFilterOptions,
): CompiledFilter {
  return compileNode(expression, list, options);
}
