/**
 * Fault matrix, malformed list items: a bad due date, a missing or invalid e-mail address, an amount
 * that is not a number or is negative, a 100 KB field, and HTML in names. The malformed ones are
 * skipped and counted by reason, the others processed: enqueued, then e-mailed with every list value
 * HTML-escaped.
 *
 * The list is one a business user built with single-line-of-text columns for the due date and the
 * amount (SharePoint then stores whatever was typed, which a typed column would refuse), set through
 * the Graph emulator's control (replaceListItems). Driven through the local host against the stack.
 */
import { describe, expect, it } from 'vitest';
import { loadSeedFile } from '../../emulators/stack/seed-file.js';
import type { ListSeed, SeedFile } from '../../emulators/stack/seed.js';
import { DEMO_SEED_PATH } from '../../emulators/stack/stack.js';
import { MAX_TEXT_FIELD_LENGTH } from '../../shared/reminders/rules.js';
import { calendarDate, plusDays, runSummaryOf, useFunctionHost } from '../support/function-host.js';
import { obligation } from '../support/obligations.js';
import { useLocalStack } from '../support/stack.js';

const TEXT_COLUMNS_LIST_ID = '0c3f7a52-6a57-4d0e-9f57-5d1f6a3c2b71';
const ZONE = 'Europe/Berlin';

async function itemsSeed(): Promise<SeedFile> {
  const demo = await loadSeedFile(DEMO_SEED_PATH);
  const sites = demo.graph.sites.map((site) => {
    const obligations = site.lists.find((list) => list.id === demo.daemon.listId);
    if (site.id !== demo.daemon.siteId || !obligations) return site;
    const textColumns: ListSeed = {
      id: TEXT_COLUMNS_LIST_ID,
      displayName: 'Obligations (typed by hand)',
      columns: obligations.columns.map((column) =>
        column.name === 'DueDate' || column.name === 'AmountDue'
          ? { name: column.name, type: 'text' as const, ...(column.indexed ? { indexed: true } : {}) }
          : column,
      ),
      items: [],
    };
    return { ...site, lists: [...site.lists, textColumns] };
  });
  return { ...demo, graph: { ...demo.graph, sites } };
}

const stack = useLocalStack({ seed: await itemsSeed() });
const host = useFunctionHost(stack, { settings: { OBLIGATIONS_LIST_ID: TEXT_COLUMNS_LIST_ID } });

const HTML_NAME = '<script>alert("owned")</script> Müller & Söhne <b>GmbH</b>';
const HTML_REFERENCE = '<img src=x onerror=alert(1)>INV-7';

describe('fault matrix: malformed items', () => {
  it('malformed items are skipped and counted by reason; the others are enqueued and e-mailed once, HTML-escaped', async () => {
    const today = calendarDate(new Date(), ZONE);
    const dueIn3 = plusDays(today, 3);
    // Due date and amount as text, as typed into single-line-of-text columns.
    const item = (id: number, fields: Record<string, string>) =>
      obligation(id, dueIn3, { AmountDue: '120.50', ...fields });
    const hundredKilobytes = 'A'.repeat(100 * 1024);
    stack().graph.replaceListItems(stack().seed.daemon.siteId, TEXT_COLUMNS_LIST_ID, [
      item(1, {}),
      item(2, { DueDate: `${dueIn3} (to be confirmed)` }),
      item(3, { CustomerEmail: '' }),
      item(4, { CustomerEmail: 'accounts(at)example.com' }),
      item(5, { AmountDue: 'NaN' }),
      item(6, { AmountDue: '-250.00' }),
      item(7, { CustomerName: HTML_NAME, Title: HTML_REFERENCE }),
      item(8, { CustomerName: hundredKilobytes }),
      item(9, { Title: hundredKilobytes }),
      item(10, { DueDate: plusDays(today, 1), AmountDue: '99' }),
    ]);
    expect(hundredKilobytes.length).toBeGreaterThan(MAX_TEXT_FIELD_LENGTH);

    const outcome = await host().fireTimer();
    expect(outcome.status).toBe('succeeded');
    // Same day in Berlin from start to end: the expectations are for one calendar day.
    expect(calendarDate(new Date(), ZONE)).toBe(today);
    const summary = runSummaryOf(outcome.logs);
    expect(summary).toMatchObject({
      itemsRead: 10,
      eligible: 3,
      reminders: 3,
      skipped: { invalidDueDate: 1, missingEmail: 1, invalidEmail: 1, invalidAmount: 2, fieldTooLong: 2 },
    });
    for (const [id, reason] of [
      [2, 'invalidDueDate'],
      [3, 'missingEmail'],
      [4, 'invalidEmail'],
      [5, 'invalidAmount'],
      [6, 'invalidAmount'],
      [8, 'fieldTooLong'],
      [9, 'fieldTooLong'],
    ] as const) {
      expect(outcome.logs).toContainEqual(
        expect.objectContaining({
          level: 'information',
          message: `Run ${outcome.invocationId}: skipped item ${id}: ${reason}`,
        }),
      );
    }
    // A skipped item is named by id only: neither its address nor its 100 KB field is logged.
    expect(outcome.logs.map((log) => log.message).join('\n')).not.toMatch(/@example\.com|AAAAAAAAAA|accounts\(at\)/);

    const expected = [`1:${dueIn3}:3`, `7:${dueIn3}:3`, `10:${plusDays(today, 1)}:1`].sort();
    const delivered = await host().deliverQueued();
    expect(delivered.outcomes.map((delivery) => delivery.status)).toEqual(['succeeded', 'succeeded', 'succeeded']);
    expect(host().mailedReminderIds()).toEqual(expected);

    const htmlMail = stack()
      .graph.outbox()
      .find((mail) => mail.internetMessageHeaders.some((header) => header.value === `7:${dueIn3}:3`));
    expect(htmlMail?.toRecipients).toEqual([{ address: 'customer7@example.com', name: HTML_NAME }]);
    expect(htmlMail?.body.contentType).toBe('html');
    const html = htmlMail?.body.content ?? '';
    // Mustache's escaping: `/` and `=` become entities too.
    expect(html).toContain(
      '&lt;script&gt;alert(&quot;owned&quot;)&lt;&#x2F;script&gt; Müller &amp; Söhne &lt;b&gt;GmbH&lt;&#x2F;b&gt;',
    );
    expect(html).toContain('&lt;img src&#x3D;x onerror&#x3D;alert(1)&gt;INV-7');
    expect(html).not.toMatch(/<script|<img|<b>GmbH/);
  });
});
