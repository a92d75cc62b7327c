/**
 * The queue listener with the host's batch semantics, on the real reminderDeliver and Azurite: two
 * listeners (two instances) on one queue deliver every reminder once and run messages concurrently;
 * a message whose function keeps failing is retried and moved to the poison queue after
 * maxDequeueCount dequeues; host.json's queue settings are what the listener is given.
 */
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { runBatchQueueListener } from '../../devhost/batch-queue-listener.js';
import { readHostJson } from '../../devhost/host-json.js';
import { drainQueue, enqueueMessages, queueServiceClientFor } from '../../devhost/queue-storage.js';
import { calendarDate, plusDays, useFunctionHost } from '../support/function-host.js';
import { reminderMessage } from '../support/reminder-messages.js';
import { useLocalStack } from '../support/stack.js';

const APP_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
/** The mailbox's clock runs this much faster, and the app's pace and first pause with it: 24 e-mails leave in seconds. */
const TIME_SCALE = 100;
// The mailbox takes 50 ms to accept a message, so that concurrent sends overlap there.
const stack = useLocalStack({ mailboxes: { timeScale: TIME_SCALE, limits: { acceptLatencyMs: 50 } } });
const host = useFunctionHost(stack, {
  settings: { SENDER_MAILBOXES: `billing@contoso.com|${30 * TIME_SCALE}`, DELIVERY_RETRY_DELAY_SECONDS: '1' },
});

/** Reminders for items 1..count due in a week, and the open list items they match. */
function reminders(first: number, count: number): string[] {
  const dueDate = plusDays(calendarDate(new Date(), stack().settings.REMINDER_TIME_ZONE ?? 'UTC'), 7);
  const ids = Array.from({ length: count }, (_, index) => String(first + index));
  stack().graph.replaceListItems(
    stack().seed.daemon.siteId,
    stack().seed.daemon.listId,
    ids.map((id) => ({
      id,
      fields: {
        Title: `INV-${id}`,
        CustomerName: `Customer ${id}`,
        CustomerEmail: `customer${id}@example.com`,
        DueDate: dueDate,
        AmountDue: 100,
        Currency: 'EUR',
        Status: 'Open',
      },
    })),
  );
  return ids.map((id) => JSON.stringify(reminderMessage({ obligationId: id, dueDate })));
}

describe('the batch queue listener', () => {
  it('reads batchSize, newBatchThreshold, maxDequeueCount and visibilityTimeout from host.json', async () => {
    const { queues } = await readHostJson(APP_ROOT);
    expect(queues).toMatchObject({ maxDequeueCount: 5, visibilityTimeoutMs: 60_000 });
  });

  it('two instances on one queue deliver every reminder once, several at a time', async () => {
    const texts = reminders(1, 24);
    await enqueueMessages(host().remindersQueue(), texts, {
      encoding: host().functionApp.hostJson.queueMessageEncoding,
    });
    const results = await Promise.all(
      [1, 2].map(() => runBatchQueueListener(host().functionApp, 'reminderDeliver', { batchSize: 8 })),
    );
    const outcomes = results.flatMap((result) => result.outcomes);
    expect(outcomes.every((outcome) => outcome.status === 'succeeded')).toBe(true);
    expect(host().mailedReminderIds()).toHaveLength(24);
    expect(new Set(host().mailedReminderIds()).size).toBe(24);
    expect(results.every((result) => result.outcomes.length > 0)).toBe(true);
    expect(stack().graph.mailboxes.usage(stack().settings.SENDER_MAILBOX ?? '').peakInFlight).toBeGreaterThan(1);
    expect((await host().remindersQueue().getProperties()).approximateMessagesCount).toBe(0);
  });

  it('retries a failing message and moves it to the poison queue after maxDequeueCount dequeues', async () => {
    const texts = reminders(101, 1);
    await enqueueMessages(host().remindersQueue(), texts, {
      encoding: host().functionApp.hostJson.queueMessageEncoding,
    });
    // A setting the delivery cannot run with: every invocation fails (a refusal by Graph would be deferred).
    host().setSettings({ REMINDER_TIME_ZONE: 'Not/A_Zone' });
    const result = await runBatchQueueListener(host().functionApp, 'reminderDeliver', { maxDequeueCount: 3 });
    expect(result.outcomes.map((outcome) => outcome.status)).toEqual(['failed', 'failed', 'failed']);
    expect(result.poisoned).toEqual(texts);
    const poison = queueServiceClientFor('AzureWebJobsStorage', process.env).getQueueClient('reminders-poison');
    expect(await drainQueue(poison, { encoding: host().functionApp.hostJson.queueMessageEncoding })).toEqual(texts);
  });
});
