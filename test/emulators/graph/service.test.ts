import { performance } from 'node:perf_hooks';
import fetch from 'node-fetch';
import type { Response } from 'node-fetch';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createRequestCounters } from '../../../emulators/stack/counters.js';
import { createFaultController } from '../../../emulators/stack/faults.js';
import { createGraphService } from '../../../emulators/graph/service.js';
import type { GraphControl } from '../../../emulators/graph/service.js';
import { createObligationsGenerator, obligationColumns } from '../../../emulators/graph/obligations-generator.js';
import type { ColumnSeed, GraphSeed, ListItemSeed } from '../../../emulators/stack/seed.js';
import { startEmulatorServer } from '../../../emulators/stack/server.js';
import type { EmulatorServer } from '../../../emulators/stack/server.js';
import { ensureLocalCa } from '../../../emulators/stack/tls.js';
import { createTokenAuthority } from '../../../emulators/entra/tokens.js';
import type { TokenAuthority } from '../../../emulators/entra/tokens.js';

const now = new Date('2026-11-26T12:00:00Z');
const TENANT_ID = '6f1c2a44-1d2b-4c55-9a0e-3b7f1f0c9d21';
const SITE_ID = 'contoso.sharepoint.com,2c7d6a1e-59b1-4a5e-9d7e-0f1c3b5a7e90,8e2f4b6d-1a3c-4e5f-8a9b-0c1d2e3f4a5b';
const OBLIGATIONS_LIST_ID = '0c9e1f2a-3b4c-4d5e-8f60-718293a4b5c6';
const READER_APP = 'a1b2c3d4-0000-4000-8000-000000000001';
const SELECTED_APP = 'a1b2c3d4-0000-4000-8000-000000000002';
const sender = {
  id: '5d7e9f01-2a3b-4c4d-8e5f-6a7b8c9d0e1f',
  userPrincipalName: 'billing@contoso.example',
  mail: 'billing@contoso.example',
  displayName: 'Contoso Billing',
};
const largeGenerator = { count: 1_000_000, seed: 7, from: '2026-10-01', days: 365 };
const sampleGenerator = { count: 20_000, seed: 11, from: '2026-10-01', days: 120 };

const obligationColumnsSeed: readonly ColumnSeed[] = [
  { name: 'Title', type: 'text' },
  { name: 'CustomerEmail', type: 'text' },
  { name: 'DueDate', type: 'dateOnly', indexed: true },
  { name: 'AmountDue', type: 'currency', indexed: true },
  { name: 'Status', type: 'choice', indexed: true },
  { name: 'ReminderSent', type: 'dateTime' },
  { name: 'Disputed', type: 'boolean' },
];
const statuses = ['Open', 'Paid', 'Overdue', 'Cancelled'];

/** 1,234 items: due dates over 60 days from 1 December, amounts 0..993.75, every 10th without an e-mail. */
const obligationItems: ListItemSeed[] = Array.from({ length: 1234 }, (_, index) => ({
  fields: {
    Title: `INV-2026-${String(index + 1).padStart(6, '0')}`,
    CustomerEmail: index % 10 === 0 ? null : `customer${index}@fabrikam.example`,
    DueDate: new Date(Date.UTC(2026, 11, 1 + (index % 60))).toISOString().slice(0, 10),
    AmountDue: (index * 7.25) % 1000,
    Status: statuses[index % 4] ?? 'Open',
    Disputed: index % 7 === 0,
  },
}));

const graphSeed: GraphSeed = {
  sites: [
    {
      id: SITE_ID,
      displayName: 'Finance',
      timeZone: 'Europe/Berlin',
      lists: [
        { id: OBLIGATIONS_LIST_ID, displayName: 'Obligations', columns: obligationColumnsSeed, items: obligationItems },
        {
          id: '1a2b3c4d-5e6f-4a7b-8c9d-0e1f2a3b4c5d',
          displayName: 'Dates',
          columns: obligationColumnsSeed,
          items: [
            {
              id: '1',
              fields: {
                Title: 'winter',
                DueDate: '2026-12-01',
                ReminderSent: '2026-12-01T07:30:00.000+01:00',
                AmountDue: 12.5,
              },
            },
            { id: '2', fields: { Title: 'summer', DueDate: '2026-07-01' } },
            { id: '3', fields: { Title: 'relative', DueDate: 'today+3' } },
          ],
        },
        {
          id: '2b3c4d5e-6f7a-4b8c-9d0e-1f2a3b4c5d6e',
          displayName: 'Large',
          columns: obligationColumns,
          generate: largeGenerator,
        },
        {
          id: '3c4d5e6f-7a8b-4c9d-8e0f-2a3b4c5d6e7f',
          displayName: 'Sample',
          columns: obligationColumns,
          generate: sampleGenerator,
        },
        {
          id: '4d5e6f7a-8b9c-4d0e-9f1a-3b4c5d6e7f80',
          displayName: 'Scratch',
          columns: obligationColumnsSeed,
          items: [],
        },
      ],
    },
  ],
  users: [sender],
  siteGrants: [{ siteId: SITE_ID, appId: SELECTED_APP, roles: ['read'] }],
};

interface GraphErrorBody {
  error: {
    code: string;
    message: string;
    innerError: { date: string; 'request-id': string; 'client-request-id': string };
  };
}
interface ItemsPage {
  '@odata.context': string;
  '@odata.nextLink'?: string;
  value: Record<string, unknown>[];
}

async function json<T>(response: Response): Promise<T> {
  return (await response.json()) as T;
}

describe('Graph emulator over HTTPS', () => {
  let server: EmulatorServer;
  let authority: TokenAuthority;
  let control: GraphControl;
  const counters = createRequestCounters();
  let clockOffsetMs = 0;
  let readerToken: string;

  const issue = async (
    roles: readonly string[],
    options: { appId?: string; audience?: string } = {},
  ): Promise<string> => {
    const issued = await authority.issue({
      tenantId: TENANT_ID,
      appId: options.appId ?? READER_APP,
      objectId: '9f8e7d6c-5b4a-4938-8271-605f4e3d2c1b',
      roles,
      audience: options.audience ?? 'https://graph.microsoft.com',
    });
    return issued.accessToken;
  };

  const get = (pathOrUrl: string, token: string | undefined, headers: Record<string, string> = {}): Promise<Response> =>
    fetch(pathOrUrl.startsWith('https://') ? pathOrUrl : `${server.url}${pathOrUrl}`, {
      headers: { ...(token === undefined ? {} : { authorization: `Bearer ${token}` }), ...headers },
    });

  const itemsPath = (list: string, query = ''): string =>
    `/v1.0/sites/${encodeURIComponent(SITE_ID)}/lists/${encodeURIComponent(list)}/items${query === '' ? '' : `?${query}`}`;

  /** Follows `@odata.nextLink` verbatim until it is absent. */
  const collect = async (
    firstUrl: string,
    headers: Record<string, string> = {},
  ): Promise<{ items: Record<string, unknown>[]; pages: ItemsPage[]; pageMs: number[] }> => {
    const pages: ItemsPage[] = [];
    const pageMs: number[] = [];
    let url: string | undefined = firstUrl;
    while (url !== undefined) {
      const started = performance.now();
      const response = await get(url, readerToken, headers);
      const text = await response.text();
      expect(response.status, text).toBe(200);
      const page = JSON.parse(text) as ItemsPage;
      pageMs.push(performance.now() - started);
      pages.push(page);
      url = page['@odata.nextLink'];
    }
    return { items: pages.flatMap((page) => page.value), pages, pageMs };
  };

  const ids = (items: readonly Record<string, unknown>[]): string[] => items.map((item) => String(item['id']));

  beforeAll(async () => {
    const ca = await ensureLocalCa();
    authority = await createTokenAuthority({ lifetimeSeconds: 3600, clock: () => Date.now() + clockOffsetMs });
    const graph = createGraphService({ seed: graphSeed, verifier: authority, now });
    control = graph.control;
    server = await startEmulatorServer({
      definition: graph,
      tls: await ca.issueServerCertificate(['127.0.0.1', 'localhost']),
      faults: createFaultController({ seed: 1 }),
      counters,
    });
    readerToken = await issue(['Sites.Read.All', 'Mail.Send']);
  });
  afterAll(() => server.close());
  afterEach(() => {
    control.clearOutbox();
  });

  describe('list items', () => {
    it('follows nextLink verbatim across pages and returns every item exactly once', async () => {
      const first = itemsPath(OBLIGATIONS_LIST_ID, '$expand=fields($select=Title,DueDate)&$top=100');
      const { items, pages } = await collect(first);
      expect(pages).toHaveLength(13);
      expect(pages.slice(0, 12).every((page) => page.value.length === 100)).toBe(true);
      expect(ids(items)).toEqual(obligationItems.map((_, index) => String(index + 1)));
      const nextLink = pages[0]?.['@odata.nextLink'] ?? '';
      expect(nextLink.startsWith(`${server.url}/v1.0/sites/`)).toBe(true);
      expect(nextLink).toContain('$expand=fields($select=Title,DueDate)&$top=100&$skiptoken=');
      expect(pages.at(-1)?.['@odata.nextLink']).toBeUndefined();
    });

    it('pages 200 items by default, accepts $top up to 5000 and refuses more', async () => {
      const { pages } = await collect(itemsPath(OBLIGATIONS_LIST_ID));
      expect(pages.map((page) => page.value.length)).toEqual([200, 200, 200, 200, 200, 200, 34]);

      const all = await json<ItemsPage>(await get(itemsPath(OBLIGATIONS_LIST_ID, '$top=5000'), readerToken));
      expect(all.value).toHaveLength(1234);
      expect(all['@odata.nextLink']).toBeUndefined();

      for (const top of ['5001', '0', 'ten']) {
        const refused = await get(itemsPath(OBLIGATIONS_LIST_ID, `$top=${top}`), readerToken);
        expect(refused.status).toBe(400);
        expect((await json<GraphErrorBody>(refused)).error.code).toBe('BadRequest');
      }
    });

    it('counts every page as a request to graph.listItems', async () => {
      counters.reset();
      await collect(itemsPath(OBLIGATIONS_LIST_ID, '$top=500'));
      expect(counters.get('graph.listItems')).toBe(3);
    });

    it('returns items in Graph shape with date-only columns as midnight in the site zone', async () => {
      const page = await json<ItemsPage>(await get(itemsPath('Dates', '$expand=fields'), readerToken));
      expect(page['@odata.context']).toBe(
        `${server.url}/v1.0/$metadata#sites('${encodeURIComponent(SITE_ID)}')/lists('1a2b3c4d-5e6f-4a7b-8c9d-0e1f2a3b4c5d')/items`,
      );
      const [winter, summer, relative] = page.value;
      expect(winter).toMatchObject({
        '@odata.etag': expect.stringMatching(/^"[0-9a-f-]{36},1"$/),
        id: '1',
        createdDateTime: expect.stringMatching(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$/),
        lastModifiedDateTime: expect.stringMatching(/Z$/),
        webUrl: 'https://contoso.sharepoint.com/sites/Finance/Lists/Dates/1_.000',
        contentType: { id: '0x01', name: 'Item' },
        'fields@odata.context': expect.stringContaining("/items('1')/fields/$entity"),
        fields: {
          Title: 'winter',
          DueDate: '2026-11-30T23:00:00Z',
          ReminderSent: '2026-12-01T06:30:00Z',
          AmountDue: 12.5,
          id: '1',
          ContentType: 'Item',
        },
      });
      expect(winter?.['eTag']).toBe(winter?.['@odata.etag']);
      expect(summer?.['fields']).toMatchObject({ DueDate: '2026-06-30T22:00:00Z' });
      // today+3 from 26 November (Berlin) is 29 November.
      expect(relative?.['fields']).toMatchObject({ DueDate: '2026-11-28T23:00:00Z' });
      // Empty fields are left out, as Graph does.
      expect(summer?.['fields']).not.toHaveProperty('AmountDue');
    });

    it('applies $select to item properties and to fields', async () => {
      const page = await json<ItemsPage>(
        await get(
          itemsPath('Dates', '$select=id,webUrl&$expand=fields($select=Title,DueDate,NoSuchField)&$top=1'),
          readerToken,
        ),
      );
      const [item] = page.value;
      expect(Object.keys(item ?? {}).sort()).toEqual(['@odata.etag', 'fields', 'fields@odata.context', 'id', 'webUrl']);
      expect(Object.keys((item?.['fields'] ?? {}) as object)).toEqual(['@odata.etag', 'Title', 'DueDate']);

      const withoutFields = await json<ItemsPage>(await get(itemsPath('Dates', '$top=1'), readerToken));
      expect(withoutFields.value[0]).not.toHaveProperty('fields');

      const unknown = await get(itemsPath('Dates', '$select=id,colour'), readerToken);
      expect(unknown.status).toBe(400);
      expect((await json<GraphErrorBody>(unknown)).error.message).toContain("Could not find a property named 'colour'");
    });

    const expected = (predicate: (fields: Record<string, unknown>) => boolean): string[] =>
      obligationItems.flatMap((item, index) => (predicate(item.fields) ? [String(index + 1)] : []));
    const amount = (fields: Record<string, unknown>): number => Number(fields['AmountDue']);
    const dueInstant = (fields: Record<string, unknown>): number =>
      Date.parse(`${String(fields['DueDate'])}T00:00:00+01:00`);

    it.each([
      ["fields/Status eq 'Open'", (f: Record<string, unknown>) => f['Status'] === 'Open'],
      ["fields/Status eq 'open'", (f: Record<string, unknown>) => f['Status'] === 'Open'],
      ["fields/Status ne 'Paid'", (f: Record<string, unknown>) => f['Status'] !== 'Paid'],
      ['fields/AmountDue gt 500', (f: Record<string, unknown>) => amount(f) > 500],
      ['fields/AmountDue ge 500', (f: Record<string, unknown>) => amount(f) >= 500],
      ['fields/AmountDue lt 21.75', (f: Record<string, unknown>) => amount(f) < 21.75],
      ['fields/AmountDue le 21.75', (f: Record<string, unknown>) => amount(f) <= 21.75],
      [
        "fields/DueDate ge '2026-12-10T00:00:00Z' and fields/DueDate lt '2026-12-20T00:00:00Z'",
        (f: Record<string, unknown>) =>
          dueInstant(f) >= Date.parse('2026-12-10T00:00:00Z') && dueInstant(f) < Date.parse('2026-12-20T00:00:00Z'),
      ],
      ["fields/DueDate eq '2026-12-05'", (f: Record<string, unknown>) => f['DueDate'] === '2026-12-05'],
      [
        "(fields/Status eq 'Overdue' or fields/Status eq 'Open') and fields/AmountDue ge 900",
        (f: Record<string, unknown>) => (f['Status'] === 'Overdue' || f['Status'] === 'Open') && amount(f) >= 900,
      ],
      [
        "fields/Status eq 'Overdue' or fields/Status eq 'Open' and fields/AmountDue ge 900",
        (f: Record<string, unknown>) => f['Status'] === 'Overdue' || (f['Status'] === 'Open' && amount(f) >= 900),
      ],
      ["not (fields/Status eq 'Paid')", (f: Record<string, unknown>) => f['Status'] !== 'Paid'],
    ])('filters with %s', async (filter, predicate) => {
      const { items } = await collect(
        itemsPath(OBLIGATIONS_LIST_ID, `$filter=${encodeURIComponent(filter)}&$top=1000`),
      );
      const want = expected(predicate);
      expect(want.length).toBeGreaterThan(0);
      expect(ids(items)).toEqual(want);
    });

    it('refuses a non-indexed column unless the request prefers non-indexed queries', async () => {
      const filter = `$filter=${encodeURIComponent("fields/CustomerEmail eq 'customer5@fabrikam.example'")}&$expand=fields`;
      const refused = await get(itemsPath(OBLIGATIONS_LIST_ID, filter), readerToken);
      expect(refused.status).toBe(400);
      expect((await json<GraphErrorBody>(refused)).error).toMatchObject({
        code: 'invalidRequest',
        message:
          "Field 'CustomerEmail' cannot be referenced in filter or orderby as it is not indexed. Provide the 'Prefer: HonorNonIndexedQueriesWarningMayFailRandomly' header to allow this, but be warned that such queries may fail on large lists.",
      });

      const { items } = await collect(itemsPath(OBLIGATIONS_LIST_ID, filter), {
        Prefer: 'HonorNonIndexedQueriesWarningMayFailRandomly',
      });
      expect(ids(items)).toEqual(['6']);
      expect(items[0]?.['fields']).toMatchObject({ CustomerEmail: 'customer5@fabrikam.example' });

      const missing = await collect(
        itemsPath(OBLIGATIONS_LIST_ID, `$filter=${encodeURIComponent('fields/CustomerEmail eq null')}&$top=1000`),
        {
          Prefer: 'odata.maxpagesize=100, HonorNonIndexedQueriesWarningMayFailRandomly',
        },
      );
      expect(ids(missing.items)).toEqual(expected((f) => f['CustomerEmail'] === null));
    });

    it.each([
      ["fields/Colour eq 'red'", 'invalidRequest', "Column 'Colour' does not exist."],
      ["Status eq 'Open'", 'invalidRequest', 'The provided filter statement is not supported'],
      ["fields/Status eq 'Open' and", 'BadRequest', 'Invalid filter clause'],
      ["fields/Status = 'Open'", 'BadRequest', 'Invalid filter clause'],
      ["fields/DueDate ge 'next week'", 'invalidRequest', "The value 'next week' is not valid for field 'DueDate'"],
      ["fields/AmountDue gt 'lots'", 'invalidRequest', "The value 'lots' is not valid for field 'AmountDue'"],
    ])('answers 400 to the filter %s', async (filter, code, message) => {
      const response = await get(itemsPath(OBLIGATIONS_LIST_ID, `$filter=${encodeURIComponent(filter)}`), readerToken);
      expect(response.status).toBe(400);
      const body = await json<GraphErrorBody>(response);
      expect(body.error.code).toBe(code);
      expect(body.error.message).toContain(message);
    });

    it('refuses a tampered skip token and a token replayed with another filter', async () => {
      const query = `$filter=${encodeURIComponent("fields/Status eq 'Open'")}&$top=10`;
      const first = await json<ItemsPage>(await get(itemsPath(OBLIGATIONS_LIST_ID, query), readerToken));
      const nextLink = new URL(first['@odata.nextLink'] ?? '');
      const token = nextLink.searchParams.get('$skiptoken') ?? '';
      expect(Buffer.from(token, 'base64url').toString()).toMatch(/^Paged=TRUE&p_ID=\d+&p_Check=/);

      const forged = Buffer.from(
        Buffer.from(token, 'base64url')
          .toString()
          .replace(/p_ID=\d+/, 'p_ID=3'),
      ).toString('base64url');
      for (const badToken of [forged, `${token}x`, 'bm90LWEtdG9rZW4']) {
        nextLink.searchParams.set('$skiptoken', badToken);
        const response = await get(nextLink.href, readerToken);
        expect(response.status).toBe(400);
        expect((await json<GraphErrorBody>(response)).error.code).toBe('invalidRequest');
      }
      const replayed = await get(itemsPath(OBLIGATIONS_LIST_ID, `$top=10&$skiptoken=${token}`), readerToken);
      expect(replayed.status).toBe(400);
    });

    it('answers 404 itemNotFound for an unknown site or list, and finds a list by its title', async () => {
      const unknownSite = await get(
        `/v1.0/sites/${encodeURIComponent('contoso.sharepoint.com,0,0')}/lists/Obligations/items`,
        readerToken,
      );
      expect(unknownSite.status).toBe(404);
      expect((await json<GraphErrorBody>(unknownSite)).error.code).toBe('itemNotFound');
      const unknownList = await get(itemsPath('Receivables'), readerToken);
      expect(unknownList.status).toBe(404);
      expect((await json<GraphErrorBody>(unknownList)).error).toMatchObject({ code: 'itemNotFound' });
      const byTitle = await json<ItemsPage>(await get(itemsPath('obligations', '$top=1'), readerToken));
      expect(ids(byTitle.value)).toEqual(['1']);
    });

    it('pages a due-date window of a 1,000,000-item generated list quickly', async () => {
      const window = "fields/DueDate ge '2027-03-01T00:00:00Z' and fields/DueDate lt '2027-03-04T00:00:00Z'";
      const reference = createObligationsGenerator({ seed: largeGenerator, timeZone: 'Europe/Berlin', now });
      const range = reference.indexRangeForDueDates(
        { instant: Date.parse('2027-03-01T00:00:00Z'), inclusive: true },
        { instant: Date.parse('2027-03-04T00:00:00Z'), inclusive: false },
      );
      const { items, pages, pageMs } = await collect(
        itemsPath(
          'Large',
          `$expand=fields($select=Title,DueDate,AmountDue,Status)&$filter=${encodeURIComponent(window)}`,
        ),
      );
      expect(ids(items)).toEqual(
        Array.from({ length: range.end - range.start }, (_, offset) => String(range.start + offset + 1)),
      );
      const dueDates = new Set(items.map((item) => (item['fields'] as Record<string, unknown>)['DueDate']));
      expect([...dueDates]).toEqual(['2027-03-01T23:00:00Z', '2027-03-02T23:00:00Z', '2027-03-03T23:00:00Z']);
      const sorted = [...pageMs].sort((a, b) => a - b);
      const median = sorted[Math.floor(sorted.length / 2)] ?? 0;
      console.info(
        `Graph emulator, 1,000,000 generated items: ${items.length} items in ${pages.length} pages of 200; ` +
          `median page ${median.toFixed(1)} ms, slowest ${(sorted.at(-1) ?? 0).toFixed(1)} ms (HTTPS round trip included).`,
      );
      expect(median).toBeLessThan(250);
    });

    it('returns short pages with a nextLink when a non-indexed filter matches rarely', async () => {
      const filter = "fields/Currency eq 'JPY' and fields/Status eq 'Cancelled'";
      const reference = createObligationsGenerator({ seed: sampleGenerator, timeZone: 'Europe/Berlin', now });
      const want: string[] = [];
      for (let index = 0; index < reference.count; index += 1) {
        const { fields, id } = reference.itemAt(index);
        if (fields.Currency === 'JPY' && fields.Status === 'Cancelled') {
          want.push(id);
        }
      }
      const { items, pages } = await collect(itemsPath('Sample', `$filter=${encodeURIComponent(filter)}`), {
        Prefer: 'HonorNonIndexedQueriesWarningMayFailRandomly',
      });
      expect(want.length).toBeGreaterThan(0);
      expect(ids(items)).toEqual(want);
      expect(pages).toHaveLength(4);
      expect(pages.slice(0, 3).every((page) => page.value.length < 200 && page['@odata.nextLink'] !== undefined)).toBe(
        true,
      );
    });

    it('serves replaced items to the next request', async () => {
      control.replaceListItems(SITE_ID, 'Scratch', [{ fields: { Title: 'fresh', DueDate: '2026-12-24' } }]);
      const page = await json<ItemsPage>(
        await get(itemsPath('Scratch', '$expand=fields($select=Title,DueDate)'), readerToken),
      );
      expect(page.value.map((item) => item['fields'])).toEqual([
        { '@odata.etag': expect.any(String), Title: 'fresh', DueDate: '2026-12-23T23:00:00Z' },
      ]);
    });
  });

  describe('authentication and authorisation', () => {
    const expectGraphError = async (
      response: Response,
      status: number,
      code: string,
      message?: string,
    ): Promise<GraphErrorBody> => {
      expect(response.status).toBe(status);
      const body = await json<GraphErrorBody>(response);
      expect(body.error.code).toBe(code);
      if (message !== undefined) {
        expect(body.error.message).toBe(message);
      }
      expect(body.error.innerError['request-id']).toBe(response.headers.get('request-id'));
      expect(body.error.innerError.date).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}$/);
      return body;
    };

    it('answers 401 InvalidAuthenticationToken without a token', async () => {
      const response = await get(itemsPath(OBLIGATIONS_LIST_ID), undefined);
      expect(response.headers.get('www-authenticate')).toContain('Bearer');
      await expectGraphError(response, 401, 'InvalidAuthenticationToken', 'Access token is empty.');
    });

    it('answers 401 to an expired token, a token for another resource and a token signed by someone else', async () => {
      clockOffsetMs = -2 * 3600_000;
      const expired = await issue(['Sites.Read.All']);
      clockOffsetMs = 0;
      await expectGraphError(
        await get(itemsPath(OBLIGATIONS_LIST_ID), expired),
        401,
        'InvalidAuthenticationToken',
        'Lifetime validation failed, the token is expired.',
      );

      const vaultToken = await issue(['Sites.Read.All'], { audience: 'https://vault.azure.net' });
      await expectGraphError(
        await get(itemsPath(OBLIGATIONS_LIST_ID), vaultToken),
        401,
        'InvalidAuthenticationToken',
        'Access token validation failure. Invalid audience.',
      );

      const stranger = await createTokenAuthority({ lifetimeSeconds: 3600 });
      const forged = await stranger.issue({
        tenantId: TENANT_ID,
        appId: READER_APP,
        objectId: READER_APP,
        roles: ['Sites.Read.All'],
        audience: 'https://graph.microsoft.com',
      });
      await expectGraphError(
        await get(itemsPath(OBLIGATIONS_LIST_ID), forged.accessToken),
        401,
        'InvalidAuthenticationToken',
      );

      await expectGraphError(await get(itemsPath(OBLIGATIONS_LIST_ID), 'not-a-jwt'), 401, 'InvalidAuthenticationToken');
    });

    it('answers 403 accessDenied to a token without a Sites role', async () => {
      await expectGraphError(
        await get(itemsPath(OBLIGATIONS_LIST_ID), await issue([])),
        403,
        'accessDenied',
        'Either scp or roles claim need to be present in the token.',
      );
      await expectGraphError(
        await get(itemsPath(OBLIGATIONS_LIST_ID), await issue(['Mail.Send'])),
        403,
        'accessDenied',
        'Access denied',
      );
    });

    it('lets Sites.Selected read only a site granted to the app', async () => {
      const granted = await issue(['Sites.Selected'], { appId: SELECTED_APP });
      const page = await json<ItemsPage>(await get(itemsPath(OBLIGATIONS_LIST_ID, '$top=3'), granted));
      expect(ids(page.value)).toEqual(['1', '2', '3']);
      const notGranted = await issue(['Sites.Selected'], { appId: READER_APP });
      await expectGraphError(
        await get(itemsPath(OBLIGATIONS_LIST_ID), notGranted),
        403,
        'accessDenied',
        'Access denied',
      );
    });

    it('echoes client-request-id on success and on error', async () => {
      const ok = await get(itemsPath(OBLIGATIONS_LIST_ID, '$top=1'), readerToken, {
        'client-request-id': 'c0ffee00-1111-4222-8333-444455556666',
      });
      expect(ok.headers.get('client-request-id')).toBe('c0ffee00-1111-4222-8333-444455556666');
      expect(ok.headers.get('request-id')).toMatch(/^[0-9a-f-]{36}$/);
      const failed = await get(itemsPath(OBLIGATIONS_LIST_ID), undefined, { 'client-request-id': 'abc-123' });
      const body = await json<GraphErrorBody>(failed);
      expect(failed.headers.get('client-request-id')).toBe('abc-123');
      expect(body.error.innerError['client-request-id']).toBe('abc-123');
    });
  });

  describe('sendMail', () => {
    /** `token: null` sends no Authorization header. */
    const sendMail = (user: string, body: string, token: string | null = readerToken): Promise<Response> =>
      fetch(`${server.url}/v1.0/users/${encodeURIComponent(user)}/sendMail`, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          ...(token === null ? {} : { authorization: `Bearer ${token}` }),
        },
        body,
      });
    const message = (to: string): string =>
      JSON.stringify({
        message: {
          subject: 'Payment reminder: INV-2026-000123',
          body: { contentType: 'HTML', content: '<p>Your invoice is due on 1 December.</p>' },
          toRecipients: [{ emailAddress: { address: to, name: 'Fabrikam Accounts' } }],
          internetMessageHeaders: [{ name: 'X-Reminder-Id', value: 'INV-2026-000123/2026-12-01' }],
        },
        saveToSentItems: false,
      });

    it('accepts a message with 202 and an empty body, and keeps it in the outbox', async () => {
      const before = Date.now();
      const response = await sendMail(sender.userPrincipalName, message('accounts@fabrikam.example'));
      expect(response.status).toBe(202);
      expect(await response.text()).toBe('');
      expect(response.headers.get('request-id')).toMatch(/^[0-9a-f-]{36}$/);
      const [sent] = control.outbox();
      expect(control.outbox()).toHaveLength(1);
      expect(sent).toMatchObject({
        from: {
          userId: sender.id,
          userPrincipalName: sender.userPrincipalName,
          address: sender.mail,
          name: sender.displayName,
        },
        subject: 'Payment reminder: INV-2026-000123',
        body: { contentType: 'html', content: '<p>Your invoice is due on 1 December.</p>' },
        toRecipients: [{ address: 'accounts@fabrikam.example', name: 'Fabrikam Accounts' }],
        ccRecipients: [],
        internetMessageHeaders: [{ name: 'X-Reminder-Id', value: 'INV-2026-000123/2026-12-01' }],
        saveToSentItems: false,
        importance: 'normal',
      });
      expect(Date.parse(sent?.sentDateTime ?? '')).toBeGreaterThanOrEqual(before - 1000);

      expect((await sendMail(sender.id, message('ap@fabrikam.example'))).status).toBe(202);
      expect(control.outbox().map((mail) => mail.toRecipients[0]?.address)).toEqual([
        'accounts@fabrikam.example',
        'ap@fabrikam.example',
      ]);
      control.clearOutbox();
      expect(control.outbox()).toEqual([]);
    });

    it('answers 403 ErrorAccessDenied without Mail.Send', async () => {
      const response = await sendMail(sender.id, message('accounts@fabrikam.example'), await issue(['Sites.Read.All']));
      expect(response.status).toBe(403);
      expect((await json<GraphErrorBody>(response)).error).toMatchObject({
        code: 'ErrorAccessDenied',
        message: 'Access is denied. Check credentials and try again.',
      });
      expect(control.outbox()).toEqual([]);
    });

    it('answers 401 without a token and 404 ErrorInvalidUser for an unknown mailbox', async () => {
      const anonymous = await sendMail(sender.id, message('a@b.example'), null);
      expect(anonymous.status).toBe(401);
      expect((await json<GraphErrorBody>(anonymous)).error.code).toBe('InvalidAuthenticationToken');
      const unknown = await sendMail('nobody@contoso.example', message('a@b.example'));
      expect(unknown.status).toBe(404);
      expect((await json<GraphErrorBody>(unknown)).error).toMatchObject({
        code: 'ErrorInvalidUser',
        message: "The requested user 'nobody@contoso.example' is invalid.",
      });
    });

    it.each([
      ['{"message": {', 'RequestBodyRead', 'Invalid JSON'],
      ['', 'ErrorInvalidRequest', 'Empty Payload. JSON content expected.'],
      ['{"saveToSentItems": true}', 'ErrorInvalidRequest', "'message'"],
      [
        '{"message": {"subjekt": "x"}}',
        'RequestBodyRead',
        "The property 'subjekt' does not exist on type 'microsoft.graph.message'",
      ],
      [
        '{"message": {"subject": "x"}, "urgent": true}',
        'RequestBodyRead',
        "The parameter 'urgent' in the request payload is not a valid parameter",
      ],
      ['{"message": {"subject": 5}}', 'RequestBodyRead', "property 'subject'"],
      [
        '{"message": {"body": {"contentType": "markdown", "content": "x"}}}',
        'RequestBodyRead',
        "Requested value 'markdown' was not found.",
      ],
      [
        '{"message": {"subject": "x"}}',
        'ErrorInvalidRecipients',
        "A message can't be sent because it contains no recipients.",
      ],
      [
        '{"message": {"toRecipients": [{"emailAddress": {"address": "accounts fabrikam.example"}}]}}',
        'ErrorInvalidRecipients',
        "Recipient 'accounts fabrikam.example' is not resolved.",
      ],
      [
        '{"message": {"toRecipients": [{"emailAddress": {"address": "a@b.example"}}], "internetMessageHeaders": [{"name": "Reminder", "value": "1"}]}}',
        'InvalidInternetMessageHeader',
        "should start with 'x-' or 'X-'",
      ],
    ])('answers 400 to the body %j', async (body, code, fragment) => {
      const response = await sendMail(sender.id, body);
      expect(response.status).toBe(400);
      const error = (await json<GraphErrorBody>(response)).error;
      expect(error.code).toBe(code);
      expect(error.message).toContain(fragment);
      expect(control.outbox()).toEqual([]);
    });

    it('refuses the malformed addresses the generator plants in the data', async () => {
      const reference = createObligationsGenerator({ seed: sampleGenerator, timeZone: 'Europe/Berlin', now });
      const malformed = new Set<string>();
      for (let index = 0; index < 5000 && malformed.size < 4; index += 1) {
        const email = reference.itemAt(index).fields.CustomerEmail;
        if (!/^[a-z]+@[a-z0-9-]+\.example$/.test(email)) {
          malformed.add(email);
        }
      }
      expect(malformed.size).toBeGreaterThan(0);
      for (const email of malformed) {
        const response = await sendMail(sender.id, message(email));
        expect(response.status, email).toBe(400);
        expect((await json<GraphErrorBody>(response)).error.code).toBe('ErrorInvalidRecipients');
      }
    });
  });

  describe('unknown requests', () => {
    it('answers Graph 400 BadRequest for an unknown segment or version, and 405 for a wrong method', async () => {
      const segment = await get(`/v1.0/sites/${encodeURIComponent(SITE_ID)}/lists/Obligations/itemz`, readerToken);
      expect(segment.status).toBe(400);
      expect((await json<GraphErrorBody>(segment)).error).toMatchObject({
        code: 'BadRequest',
        message: "Resource not found for the segment 'itemz'.",
      });

      const root = await get('/v1.0/me/drive', readerToken);
      expect((await json<GraphErrorBody>(root)).error.message).toBe("Resource not found for the segment 'me'.");

      const version = await get('/v3.0/users', readerToken);
      expect(version.status).toBe(400);
      expect((await json<GraphErrorBody>(version)).error.message).toBe('Invalid version: v3.0');

      const method = await get(`/v1.0/users/${sender.id}/sendMail`, readerToken);
      expect(method.status).toBe(405);
      expect(method.headers.get('request-id')).toMatch(/^[0-9a-f-]{36}$/);
    });

    it('answers 500 generalException for a handler that crashed', () => {
      const graph = createGraphService({ seed: graphSeed, verifier: authority, now });
      const response = graph.internalError(
        { method: 'GET', url: new URL('https://127.0.0.1/v1.0/x'), headers: {}, body: Buffer.alloc(0), params: {} },
        new Error('boom'),
      );
      expect(response.status).toBe(500);
      expect(response.body).toMatchObject({ error: { code: 'generalException' } });
      expect(JSON.stringify(response.body)).not.toContain('boom');
    });
  });
});
