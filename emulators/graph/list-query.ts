/**
 * OData query options of `GET /sites/{site}/lists/{list}/items` as Graph reads them:
 * `$expand=fields` or `fields($select=A,B)`, `$select` of listItem properties, `$top` (1..5000,
 * default 200), `$filter`, `$skiptoken`. Anything else that starts with `$` is refused.
 */
import type { FilterExpression } from './odata-filter.js';
import { FilterSyntaxError, parseFilter } from './odata-filter.js';
import { GraphRequestError } from './responses.js';

export const DEFAULT_PAGE_SIZE = 200;
export const MAX_PAGE_SIZE = 5000;

/** Properties of `microsoft.graph.listItem` that `$select` may name. */
export const listItemProperties: readonly string[] = [
  'id',
  'createdDateTime',
  'lastModifiedDateTime',
  'eTag',
  'webUrl',
  'createdBy',
  'lastModifiedBy',
  'parentReference',
  'contentType',
  'sharepointIds',
  'fields',
];
const navigationProperties: ReadonlySet<string> = new Set([
  'fields',
  'analytics',
  'driveItem',
  'versions',
  'documentSetVersions',
]);

export interface ListItemsQuery {
  /** Item properties to return; undefined: the default set. */
  readonly select?: readonly string[];
  /** Undefined: fields not expanded. `select` undefined: every field. */
  readonly expandFields?: { readonly select?: readonly string[] };
  readonly top: number;
  readonly filter?: { readonly text: string; readonly expression: FilterExpression };
  readonly skipToken?: string;
}

function badRequest(message: string): GraphRequestError {
  return new GraphRequestError(400, 'BadRequest', message);
}

function notFoundOnListItem(name: string): GraphRequestError {
  return badRequest(
    `Parsing OData Select and Expand failed: Could not find a property named '${name}' on type 'microsoft.graph.listItem'.`,
  );
}

function splitList(text: string): string[] {
  return text
    .split(',')
    .map((part) => part.trim())
    .filter((part) => part !== '');
}

/** Splits on commas outside parentheses: `fields($select=A,B),driveItem` -> two items. */
function splitTopLevel(text: string): string[] {
  const parts: string[] = [];
  let depth = 0;
  let current = '';
  for (const char of text) {
    if (char === '(') {
      depth += 1;
    } else if (char === ')') {
      depth -= 1;
    }
    if (char === ',' && depth === 0) {
      parts.push(current.trim());
      current = '';
    } else {
      current += char;
    }
  }
  parts.push(current.trim());
  return parts.filter((part) => part !== '');
}

function parseExpand(text: string): ListItemsQuery['expandFields'] {
  let expandFields: ListItemsQuery['expandFields'];
  for (const part of splitTopLevel(text)) {
    const match = /^([A-Za-z]+)(?:\((.*)\))?$/s.exec(part);
    const name = match?.[1];
    if (match === null || name === undefined) {
      throw badRequest(`Parsing OData Select and Expand failed: The expression '${part}' is not valid.`);
    }
    if (!navigationProperties.has(name)) {
      throw notFoundOnListItem(name);
    }
    if (name !== 'fields') {
      throw badRequest(`Expanding '${name}' is not supported by the Graph emulator.`);
    }
    expandFields = parseFieldsOptions(match[2]);
  }
  return expandFields;
}

function parseFieldsOptions(options: string | undefined): NonNullable<ListItemsQuery['expandFields']> {
  if (options === undefined || options.trim() === '') {
    return {};
  }
  let select: string[] | undefined;
  for (const option of options.split(';')) {
    const match = /^\s*\$select\s*=(.*)$/s.exec(option);
    if (match === null) {
      throw badRequest(`Parsing OData Select and Expand failed: The expression 'fields(${options})' is not valid.`);
    }
    select = splitList(match[1] ?? '');
  }
  return select === undefined ? {} : { select };
}

function parseTop(text: string): number {
  if (!/^\d+$/.test(text.trim())) {
    throw badRequest(`Invalid value '${text}' for query option $top: a positive integer is required.`);
  }
  const top = Number(text.trim());
  if (top < 1 || top > MAX_PAGE_SIZE) {
    throw badRequest(
      `The limit of '${MAX_PAGE_SIZE}' for top query has been exceeded. The value from the incoming request is '${text.trim()}'.`,
    );
  }
  return top;
}

function parseSelect(text: string): string[] {
  const names = splitList(text);
  for (const name of names) {
    if (!listItemProperties.includes(name)) {
      throw notFoundOnListItem(name);
    }
  }
  return names;
}

/** Reads the query options of a list-items request; throws a 400 {@link GraphRequestError} as Graph answers. */
export function parseListItemsQuery(url: URL): ListItemsQuery {
  const options = new Map<string, string>();
  for (const [rawName, value] of url.searchParams) {
    if (!rawName.startsWith('$')) {
      continue; // Graph ignores custom query parameters.
    }
    const name = rawName.toLowerCase();
    if (options.has(name)) {
      throw badRequest(
        `Query option '${rawName}' was specified more than once, but it must be specified at most once.`,
      );
    }
    options.set(name, value);
  }

  let select: readonly string[] | undefined;
  let expandFields: ListItemsQuery['expandFields'];
  let top = DEFAULT_PAGE_SIZE;
  let filter: ListItemsQuery['filter'];
  let skipToken: string | undefined;
  for (const [name, value] of options) {
    switch (name) {
      case '$expand':
        expandFields = parseExpand(value);
        break;
      case '$select':
        select = parseSelect(value);
        break;
      case '$top':
        top = parseTop(value);
        break;
      case '$filter':
        filter = { text: value, expression: parseFilterOption(value) };
        break;
      case '$skiptoken':
        skipToken = value;
        break;
      default:
        throw badRequest(`Query option '${name}' is not supported on list items by the Graph emulator.`);
    }
  }
  return { select, expandFields, top, filter, skipToken };
}

function parseFilterOption(text: string): FilterExpression {
  try {
    return parseFilter(text);
  } catch (error) {
    if (error instanceof FilterSyntaxError) {
      throw new GraphRequestError(400, 'BadRequest', `Invalid filter clause: ${error.message}`, {}, { cause: error });
    }
    throw error;
  }
}
