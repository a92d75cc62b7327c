/**
 * `GET /v1.0/sites/{site}/lists/{list}/items`: one page of a list's items in Graph's shape, with
 * `@odata.nextLink` (the request's own URL plus an opaque `$skiptoken`) while items remain.
 * A page examines at most {@link MAX_ITEMS_EXAMINED_PER_PAGE} items, so with a filter that matches
 * rarely a page may be short or even empty and still have a nextLink, as SharePoint's may.
 */
import { createHash } from 'node:crypto';
import type { EmulatorRequest } from '../stack/types.js';
import type { FieldValue, HostedList, StoredListItem } from './list-data.js';
import type { CompiledFilter } from './list-filter.js';
import { compileFilter } from './list-filter.js';
import type { ListItemsQuery } from './list-query.js';
import { parseListItemsQuery } from './list-query.js';
import type { SkipTokenCodec } from './skip-token.js';
import { formatGraphInstant } from './dates.js';
import { GraphRequestError } from './responses.js';

/** SharePoint's list view threshold: the most items one request looks at. */
export const MAX_ITEMS_EXAMINED_PER_PAGE = 5000;

const HONOR_NON_INDEXED_PREFERENCE = 'honornonindexedquerieswarningmayfailrandomly';
/** Lookup id SharePoint shows for items written by an app ("SharePoint App"). */
const APP_LOOKUP_ID = '1073741822';

export interface ListItemsPage {
  readonly '@odata.context': string;
  readonly '@odata.nextLink'?: string;
  readonly value: readonly Record<string, unknown>[];
}

function prefersNonIndexedQueries(request: EmulatorRequest): boolean {
  const header = request.headers.prefer;
  const values = Array.isArray(header) ? header : header === undefined ? [] : [header];
  return values.some((value) =>
    value.split(',').some((preference) => preference.trim().toLowerCase() === HONOR_NON_INDEXED_PREFERENCE),
  );
}

/** A stable GUID per item, like SharePoint's UniqueId. */
function itemGuid(list: HostedList, itemId: string): string {
  const hex = createHash('sha1').update(`${list.site.id}/${list.list.id}/${itemId}`).digest('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20, 32)}`;
}

function renderValue(list: HostedList, name: string, value: FieldValue): FieldValue {
  const type = list.columns.get(name)?.type;
  return (type === 'dateOnly' || type === 'dateTime') && typeof value === 'number' ? formatGraphInstant(value) : value;
}

function builtInFields(item: StoredListItem): Record<string, FieldValue> {
  const title = item.fields.get('Title');
  return {
    id: item.id,
    ContentType: 'Item',
    Modified: formatGraphInstant(item.lastModifiedDateTime),
    Created: formatGraphInstant(item.createdDateTime),
    AuthorLookupId: APP_LOOKUP_ID,
    EditorLookupId: APP_LOOKUP_ID,
    _UIVersionString: '1.0',
    Attachments: false,
    Edit: '',
    ...(typeof title === 'string' ? { LinkTitleNoMenu: title, LinkTitle: title } : {}),
    ItemChildCount: '0',
    FolderChildCount: '0',
  };
}

function renderFields(
  list: HostedList,
  item: StoredListItem,
  etag: string,
  select: readonly string[] | undefined,
): Record<string, unknown> {
  const fields: Record<string, unknown> = { '@odata.etag': etag };
  const builtIns = builtInFields(item);
  if (select === undefined) {
    for (const [name, value] of item.fields) {
      fields[name] = renderValue(list, name, value);
    }
    return Object.assign(fields, builtIns);
  }
  for (const name of select) {
    const value = item.fields.get(name);
    if (value !== undefined && list.columns.has(name)) {
      fields[name] = renderValue(list, name, value);
    } else if (Object.hasOwn(builtIns, name)) {
      fields[name] = builtIns[name];
    }
    // SharePoint leaves out selected fields that are empty or that the list does not have.
  }
  return fields;
}

function siteHostname(list: HostedList): string {
  return list.site.id.split(',')[0] ?? list.site.id;
}

function pathName(displayName: string): string {
  return displayName.replace(/[^A-Za-z0-9-]/g, '');
}

function renderItem(
  list: HostedList,
  item: StoredListItem,
  query: ListItemsQuery,
  origin: string,
): Record<string, unknown> {
  const guid = itemGuid(list, item.id);
  const etag = `"${guid},1"`;
  const siteUrl = `https://${siteHostname(list)}/sites/${pathName(list.site.displayName)}`;
  const properties: Record<string, unknown> = {
    createdDateTime: formatGraphInstant(item.createdDateTime),
    eTag: etag,
    id: item.id,
    lastModifiedDateTime: formatGraphInstant(item.lastModifiedDateTime),
    webUrl: `${siteUrl}/Lists/${pathName(list.list.displayName)}/${item.id}_.000`,
    createdBy: { user: { displayName: 'SharePoint App' } },
    lastModifiedBy: { user: { displayName: 'SharePoint App' } },
    parentReference: { id: list.list.id, siteId: list.site.id },
    contentType: { id: '0x01', name: 'Item' },
  };
  const selected = query.select;
  const rendered: Record<string, unknown> = { '@odata.etag': etag };
  if (selected === undefined) {
    Object.assign(rendered, properties);
  } else {
    for (const name of selected) {
      if (name === 'sharepointIds') {
        rendered[name] = { listId: list.list.id, listItemId: item.id, listItemUniqueId: guid, siteUrl };
      } else if (name !== 'fields' && Object.hasOwn(properties, name)) {
        rendered[name] = properties[name];
      }
    }
  }
  if (query.expandFields !== undefined) {
    rendered['fields@odata.context'] =
      `${origin}/v1.0/$metadata#sites('${encodeURIComponent(list.site.id)}')/lists('${list.list.id}')/items('${item.id}')/fields/$entity`;
    rendered['fields'] = renderFields(list, item, etag, query.expandFields.select);
  }
  return rendered;
}

function optionName(part: string): string {
  const raw = part.split('=')[0] ?? '';
  try {
    return decodeURIComponent(raw).toLowerCase();
  } catch {
    return raw.toLowerCase();
  }
}

/** The request's URL with `$skiptoken` set to `token`, keeping the caller's own encoding of the other options. */
function nextLink(url: URL, token: string): string {
  const kept = url.search
    .replace(/^\?/, '')
    .split('&')
    .filter((part) => part !== '' && optionName(part) !== '$skiptoken');
  kept.push(`$skiptoken=${token}`);
  return `${url.origin}${url.pathname}?${kept.join('&')}`;
}

function indexWindow(list: HostedList, filter: CompiledFilter | undefined): { start: number; end: number } {
  const ordered = list.items.orderedBy;
  if (filter === undefined || ordered === undefined) {
    return { start: 0, end: list.items.count };
  }
  const window = filter.window(ordered.column);
  return window.empty === true ? { start: 0, end: 0 } : ordered.indexRange(window.lower, window.upper);
}

export interface ListItemsRequest {
  readonly request: EmulatorRequest;
  readonly list: HostedList;
  readonly skipTokens: SkipTokenCodec;
}

/** Answers one list-items request; throws a {@link GraphRequestError} for what Graph refuses. */
export function readListItemsPage({ request, list, skipTokens }: ListItemsRequest): ListItemsPage {
  const query = parseListItemsQuery(request.url);
  const filter =
    query.filter &&
    compileFilter(query.filter.expression, list, { allowNonIndexed: prefersNonIndexedQueries(request) });
  // A token is only valid for the list and filter it was issued for.
  const scope = `${list.site.id}\n${list.list.id}\n${query.filter?.text ?? ''}`;
  let resumeAt = 0;
  if (query.skipToken !== undefined) {
    const decoded = skipTokens.decode(scope, query.skipToken);
    if (decoded === undefined) {
      throw new GraphRequestError(400, 'invalidRequest', 'The provided skip token is not valid.');
    }
    resumeAt = decoded;
  }

  const window = indexWindow(list, filter);
  const value: Record<string, unknown>[] = [];
  let index = Math.max(resumeAt, window.start);
  const examineUntil = Math.min(window.end, index + MAX_ITEMS_EXAMINED_PER_PAGE);
  while (index < examineUntil && value.length < query.top) {
    const item = list.items.itemAt(index);
    if (filter === undefined || filter.matches(item)) {
      value.push(renderItem(list, item, query, request.url.origin));
    }
    index += 1;
  }

  const context = `${request.url.origin}/v1.0/$metadata#sites('${encodeURIComponent(list.site.id)}')/lists('${list.list.id}')/items`;
  return index < window.end
    ? { '@odata.context': context, '@odata.nextLink': nextLink(request.url, skipTokens.encode(scope, index)), value }
    : { '@odata.context': context, value };
}
