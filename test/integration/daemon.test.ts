/**
 * The daemon end to end on the local stack: the function app loaded and invoked through the local
 * host (as the Functions host does), the real SDKs against the emulators over HTTPS, and the reminders
 * read back from the Azurite queue. Expected reminders come from a table below, written from the
 * rules by hand (REMINDER_DAYS 7,3,1, CATCH_UP_DAYS 2), not from the code under test.
 */
import { describe, expect, it } from 'vitest';
import { drainQueue, queueServiceClientFor } from '../../devhost/queue-storage.js';
import { DEMO_SEED_PATH } from '../../emulators/stack/stack.js';
import { loadSeedFile } from '../../emulators/stack/seed-file.js';
import type { ListItemSeed, ListSeed, SeedFile } from '../../emulators/stack/seed.js';
import type { ReminderMessage } from '../../shared/reminders/rules.js';
import { getDaemonRuntime } from '../../shared/runtime.js';
import { runSweep } from '../../shared/sweep/sweep.js';
import type { SweepSummary } from '../../shared/sweep/sweep.js';
import { calendarDate, plusDays, runSummaryOf, useFunctionHost } from '../support/function-host.js';
import { useLocalStack } from '../support/stack.js';

const ZONE = 'Europe/Berlin';
const BULK_LIST_ID = '6f1d2c3b-4a59-4e6f-8a7b-9c0d1e2f3a4b';
const BULK_ITEMS = 1000;

/**
 * Obligations due `days` from today (Berlin) and the reminder day k each should get when the rules run
 * today and tomorrow (null: none; a skip reason: skipped).
 */
const CASES: readonly {
  days: number;
  today: number | null | string;
  tomorrow: number | null | string;
  fields?: Record<string, string>;
}[] = [
  { days: 8, today: null, tomorrow: 7 },
  { days: 7, today: 7, tomorrow: 7 },
  { days: 6, today: 7, tomorrow: 7 },
  { days: 5, today: 7, tomorrow: null },
  { days: 4, today: null, tomorrow: 3 },
  { days: 3, today: 3, tomorrow: 3 },
  { days: 2, today: 3, tomorrow: 1 },
  { days: 1, today: 1, tomorrow: 1 },
  { days: 0, today: 1, tomorrow: 'pastDue' },
  { days: -1, today: 'pastDue', tomorrow: 'pastDue' },
  { days: 3, today: 'statusClosed', tomorrow: 'statusClosed', fields: { Status: 'Paid' } },
  { days: 1, today: 'invalidEmail', tomorrow: 'invalidEmail', fields: { CustomerEmail: 'accounts(at)example.com' } },
  { days: 40, today: null, tomorrow: null },
];

function expectedIds(column: 'today' | 'tomorrow', today: string): string[] {
  return CASES.flatMap((testCase, index) => {
    const k = testCase[column];
    return typeof k === 'number' ? [`${index + 1}:${plusDays(today, testCase.days)}:${k}`] : [];
  }).sort();
}

async function testSeed(): Promise<SeedFile> {
  const demo = await loadSeedFile(DEMO_SEED_PATH);
  const items: ListItemSeed[] = CASES.map((testCase, index) => ({
    id: String(index + 1),
    fields: {
      Title: `INV-T-${index + 1}`,
      CustomerName: `Customer ${index + 1}`,
      CustomerEmail: `customer${index + 1}@example.com`,
      DueDate: testCase.days >= 0 ? `today+${testCase.days}` : `today${testCase.days}`,
      AmountDue: 100.5 + index,
      Currency: 'EUR',
      Status: 'Open',
      ...testCase.fields,
    },
  }));
  return {
    ...demo,
    graph: {
      ...demo.graph,
      sites: demo.graph.sites.map((site) => {
        if (site.id !== demo.daemon.siteId) {
          return site;
        }
        const obligations = site.lists.find((list) => list.id === demo.daemon.listId);
        if (!obligations) {
          throw new Error('The demo seed has no obligations list');
        }
        const bulk: ListSeed = {
          columns: obligations.columns,
          id: BULK_LIST_ID,
          displayName: 'Bulk obligations',
          generate: { count: BULK_ITEMS, seed: 7, from: 'today', days: 5 },
        };
        return { ...site, lists: [{ ...obligations, items }, bulk] };
      }),
    },
  };
}

const seed = await testSeed();
const stack = useLocalStack({ seed });
// Drains the queues after each test: a test that fails midway leaves no messages for the next one.
const host = useFunctionHost(stack);

describe('due-notifier on the local stack', () => {
  async function queuedReminders(): Promise<ReminderMessage[]> {
    const queue = queueServiceClientFor('AzureWebJobsStorage', stack().settings).getQueueClient('reminders');
    // host.json sets messageEncoding "none": each message is the reminder's JSON text itself.
    const texts = await drainQueue(queue, { encoding: 'none' });
    return texts.map((text) => JSON.parse(text) as ReminderMessage);
  }

  async function fireTimer() {
    const today = calendarDate(new Date(), ZONE);
    const outcome = await host().fireTimer();
    // A run across midnight in Berlin would change the expectations.
    expect(calendarDate(new Date(), ZONE)).toBe(today);
    return { outcome, today };
  }

  it('reminderTimer enqueues one message per due reminder, exactly the expected set', async () => {
    const { outcome, today } = await fireTimer();
    expect(outcome.status).toBe('succeeded');
    const reminders = await queuedReminders();
    expect(reminders.map((reminder) => reminder.id).sort()).toEqual(expectedIds('today', today));
    const first = reminders.find((reminder) => reminder.obligationId === '2');
    expect(first).toEqual({
      schema: 'due-notifier.reminder/v1',
      id: `2:${plusDays(today, 7)}:7`,
      obligationId: '2',
      reference: 'INV-T-2',
      customer: { name: 'Customer 2', email: 'customer2@example.com' },
      dueDate: plusDays(today, 7),
      daysBefore: 7,
      daysLeft: 7,
      amount: '101.50',
      currency: 'EUR',
      createdAt: expect.any(String),
      runId: outcome.invocationId,
    });
    const summary = runSummaryOf(outcome.logs);
    expect(summary).toMatchObject({
      itemsRead: 12,
      reminders: 7,
      skipped: { pastDue: 1, statusClosed: 1, invalidEmail: 1 },
    });
    // A cold start: one token, the secret from the vault (challenge + read).
    expect(summary.requests.token).toBe(1);
    expect(summary.requests.keyVault).toBeGreaterThanOrEqual(1);
    expect(stack().counters.get('entra.token')).toBe(1);
    expect(summary.requests.graph).toBe(stack().counters.get('graph.listItems'));
  });

  it('a second invocation reuses the cached secret and token: no Key Vault or token request', async () => {
    const { outcome, today } = await fireTimer();
    expect(outcome.status).toBe('succeeded');
    const graphRequests = stack().counters.get('graph.listItems');
    expect(graphRequests).toBeGreaterThanOrEqual(1);
    expect(runSummaryOf(outcome.logs).requests).toEqual({ graph: graphRequests, token: 0, keyVault: 0 });
    expect(stack().counters.get('entra.token')).toBe(0);
    expect(stack().counters.get('identity.token')).toBe(0);
    expect(stack().counters.get('keyvault.getSecret')).toBe(0);
    expect((await queuedReminders()).map((reminder) => reminder.id).sort()).toEqual(expectedIds('today', today));
  });

  it('reminderRun dry run returns the reminders for the chosen instant and writes nothing', async () => {
    const tomorrow = plusDays(calendarDate(new Date(), ZONE), 1);
    const outcome = await host().runByHttp({ dryRun: true, now: `${tomorrow}T09:00:00Z` });
    expect(outcome.response.status).toBe(200);
    const body = JSON.parse(outcome.response.body) as {
      dryRun: boolean;
      summary: SweepSummary;
      reminders: ReminderMessage[];
    };
    expect(body.dryRun).toBe(true);
    expect(body.summary.now).toBe(`${tomorrow}T09:00:00.000Z`);
    expect(body.reminders.map((reminder) => reminder.id)).toEqual(expectedIds('tomorrow', plusDays(tomorrow, -1)));
    expect(await queuedReminders()).toEqual([]);
  });

  it('reminderRun without dryRun enqueues through the output binding and answers with the summary', async () => {
    const today = calendarDate(new Date(), ZONE);
    const outcome = await host().runByHttp();
    expect(outcome.response.status).toBe(200);
    const body = JSON.parse(outcome.response.body) as Record<string, unknown>;
    expect(body).toEqual({ dryRun: false, summary: expect.objectContaining({ reminders: 7 }) });
    expect((await queuedReminders()).map((reminder) => reminder.id).sort()).toEqual(expectedIds('today', today));
  });

  it('recovers from Graph throttling (429 with a fractional Retry-After) and reads every item once', async () => {
    const unthrottled = await fireTimer();
    expect(unthrottled.outcome.status).toBe('succeeded');
    await queuedReminders();
    const requestsPerRun = stack().counters.get('graph.listItems');
    stack().counters.reset();
    stack().faults.add({
      endpoint: 'graph.listItems',
      action: { type: 'status', status: 429, retryAfter: '0.2' },
      count: 2,
    });
    const { outcome, today } = await fireTimer();
    expect(outcome.status).toBe('succeeded');
    const summary = runSummaryOf(outcome.logs);
    expect(summary.requests.graph).toBe(requestsPerRun + 2);
    expect(summary.itemsRead).toBe(12);
    expect(stack().counters.get('graph.listItems')).toBe(requestsPerRun + 2);
    expect((await queuedReminders()).map((reminder) => reminder.id).sort()).toEqual(expectedIds('today', today));
  });

  it('a failing run (Graph 403) writes nothing; the HTTP caller gets a safe 502', async () => {
    stack().faults.add({ endpoint: 'graph.listItems', action: { type: 'status', status: 403 } });
    const timer = await host().fireTimer();
    expect(timer.status).toBe('failed');
    expect(timer.status === 'failed' && timer.error).toMatchObject({ code: 'GraphAccessDenied' });
    expect(await queuedReminders()).toEqual([]);

    const http = await host().functionApp.invokeHttp('reminderRun', { method: 'POST' }, { invocationId: 'run-denied' });
    expect(http.response.status).toBe(502);
    expect(JSON.parse(http.response.body)).toEqual({
      error: { code: 'GraphAccessDenied', runId: 'run-denied', message: expect.stringContaining('run-denied') },
    });
    expect(http.response.body).not.toContain('127.0.0.1');
    expect(await queuedReminders()).toEqual([]);
  });

  it('an app registration without the Graph application permission fails the run and writes nothing', async () => {
    const unprivileged = seed.tenants[0]?.applications.find((application) => application.appRoles.length === 0);
    const secretName = unprivileged?.secrets[0]?.keyVaultSecretName;
    expect(unprivileged && secretName).toBeTruthy();
    host().setSettings({ ENTRA_CLIENT_ID: unprivileged?.clientId ?? '', CLIENT_SECRET_NAME: secretName ?? '' });
    const outcome = await host().fireTimer();
    expect(outcome.status).toBe('failed');
    expect(outcome.status === 'failed' && outcome.error).toMatchObject({ code: 'GraphAccessDenied' });
    expect(await queuedReminders()).toEqual([]);
  });

  it('pages through a 1,000-item list: every item read once, one Graph request per page', async () => {
    const settings = { ...stack().settings, OBLIGATIONS_LIST_ID: BULK_LIST_ID };
    const { config, graph, metrics } = getDaemonRuntime(settings);
    const logger = { info: () => undefined, warn: () => undefined, error: () => undefined };
    const result = await runSweep({ config, graph, metrics, logger }, { pageSize: 50 });
    const pages = stack().counters.get('graph.listItems');
    expect(result.summary.itemsRead).toBe(BULK_ITEMS);
    expect(pages).toBeGreaterThanOrEqual(BULK_ITEMS / 50);
    expect(result.summary.requests.graph).toBe(pages);
    const skipped = Object.values(result.summary.skipped).reduce((total, count) => total + count, 0);
    expect(result.summary.eligible + skipped).toBe(BULK_ITEMS);
    const ids = result.reminders.map((reminder) => reminder.id);
    expect(new Set(ids).size).toBe(ids.length);
    expect(ids).toEqual([...ids].sort());
    expect(result.summary.reminders).toBeGreaterThan(0);
  });
});
