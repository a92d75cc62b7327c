/**
 * Scenario 6, delivery at the mailbox's pace: N reminders (each for an open item of the list, due
 * tomorrow) put on the queue and drained by the real `reminderDeliver` with the host's queue semantics
 * (host.json: batchSize, newBatchThreshold, maxDequeueCount, visibilityTimeout), by 1 and by 4 instances
 * of the app (each a process of its own, all on one queue), against the Graph emulator's model of an
 * Exchange Online mailbox (4 concurrent requests, 30 messages a minute, 10,000 requests per 10 minutes).
 * Time is compressed: the mailbox's clock, the host's waits (visibility timeout, polling interval) and
 * the time reported run `timeScale` times faster than real time.
 */
import { fileURLToPath } from 'node:url';
import { readHostJson } from '../../devhost/host-json.js';
import { enqueueMessages, queueServiceClientFor } from '../../devhost/queue-storage.js';
import { DEFAULT_MAILBOX_LIMITS } from '../../emulators/graph/mailboxes.js';
import type { ListItemSeed } from '../../emulators/stack/seed.js';
import { startLocalStack } from '../../emulators/stack/stack.js';
import type { LocalStack } from '../../emulators/stack/stack.js';
import { loadConfig } from '../../shared/config/config.js';
import { REMINDER_ID_HEADER } from '../../shared/delivery/deliver-reminder.js';
import { addDays, calendarDateIn } from '../../shared/reminders/calendar.js';
import { decideReminder } from '../../shared/reminders/rules.js';
import { runInstances } from '../delivery/instance-processes.js';
import { probeStorageStalls } from '../delivery/storage-stalls.js';
import type { StallProbe } from '../delivery/storage-stalls.js';
import type { InstanceListenerOptions } from '../delivery/instance.js';
import { formatCount, formatDuration, formatRatio, formatTable } from '../table.js';
import type { ScenarioContext, ScenarioResult, TargetCheck } from './scenario.js';

const APP_ROOT = fileURLToPath(new URL('../..', import.meta.url));
/** The Storage extension's default polling interval ceiling (host.json `maxPollingInterval`). */
const HOST_MAX_POLLING_INTERVAL_MS = 60_000;
/** Storage counts visibility in whole seconds: no compressed wait is shorter. */
const MIN_STORAGE_WAIT_MS = 1_000;
/** DELIVERY_RETRY_DELAY_SECONDS' default. */
const DEFAULT_RETRY_DELAY_SECONDS = 60;
const MAX_REQUESTS_PER_MAIL = 1.2;
const MAX_TIME_OVER_FLOOR = 1.1;
const MAX_LIST_REQUESTS_PER_MAIL = 0.05;

export interface DeliveryRow {
  readonly instances: number;
  readonly reminders: number;
  readonly sent: number;
  /** Invocations beyond one per reminder: retries and re-scheduled copies. */
  readonly redeliveries: number;
  /** Deferrals by code (MailboxPace, ClaimHeld, LedgerUnavailable, …), over all instances. */
  readonly deferredBy: Readonly<Record<string, number>>;
  readonly poisoned: number;
  readonly duplicates: number;
  /** Still on the queue when the instances stopped. */
  readonly waiting: number;
  readonly lost: number;
  readonly sendMailRequests: number;
  /** sendMail requests the mailbox refused for a limit, by limit (MessageRate, MailboxConcurrency, MailboxRequests). */
  readonly throttledBy: Readonly<Record<string, number>>;
  /** The most sendMail requests in flight at once at the mailbox. */
  readonly peakInFlight: number;
  readonly listRequests: number;
  /** Mailbox time (real time × time scale) from the instances' go (all loaded) to the last message settled. */
  readonly mailboxMs: number;
  /** Storage emulator stalls during the run, in mailbox time (storage-stalls.ts). */
  readonly storageStallsMs: { readonly longest: number; readonly total: number };
  readonly floorMs: number;
  readonly senders: number;
  readonly warningLines: number;
  readonly failure?: string;
}

export async function runDelivery(context: ScenarioContext): Promise<ScenarioResult> {
  const { options } = context;
  const rows: DeliveryRow[] = [];
  for (const instances of options.deliveryInstances) {
    context.progress(
      `delivery: ${formatCount(options.deliveryReminders)} reminders, ${instances} instance(s), time ×${options.deliveryTimeScale}`,
    );
    rows.push(await measureDelivery(options.deliveryReminders, instances, options.deliveryTimeScale));
  }
  const table = formatTable(
    [
      { title: 'instances', align: 'right' },
      { title: 'reminders', align: 'right' },
      { title: 'sent', align: 'right' },
      { title: 'deferred (re-deliveries)', align: 'right' },
      { title: 'deferrals by reason', align: 'left' },
      { title: 'poisoned', align: 'right' },
      { title: 'duplicates', align: 'right' },
      { title: 'lost', align: 'right' },
      { title: 'sendMail requests / e-mail', align: 'right' },
      { title: '429: rate / concurrency / 10 min', align: 'right' },
      { title: 'peak in flight', align: 'right' },
      { title: 'Graph list requests / e-mail', align: 'right' },
      { title: 'time (mailbox clock)', align: 'right' },
      { title: 'floor', align: 'right' },
      { title: 'time / floor', align: 'right' },
      { title: 'Azurite stalls: longest / total', align: 'right' },
      { title: 'time / floor net of stalls', align: 'right' },
      { title: 'warning lines', align: 'right' },
    ],
    rows.map((row) => [
      row.failure ? `${row.instances} (${row.failure})` : String(row.instances),
      formatCount(row.reminders),
      formatCount(row.sent),
      formatCount(row.redeliveries),
      Object.entries(row.deferredBy)
        .sort(([, a], [, b]) => b - a)
        .map(([code, count]) => `${code} ${formatCount(count)}`)
        .join(', ') || '–',
      formatCount(row.poisoned),
      formatCount(row.duplicates),
      formatCount(row.lost),
      formatPerMail(row.sendMailRequests, row),
      ['MessageRate', 'MailboxConcurrency', 'MailboxRequests'].map((limit) => row.throttledBy[limit] ?? 0).join(' / '),
      String(row.peakInFlight),
      row.listRequests === 0 ? '0 (no verify)' : formatPerMail(row.listRequests, row),
      formatDuration(row.mailboxMs),
      formatDuration(row.floorMs),
      formatRatio(row.mailboxMs / row.floorMs),
      `${formatDuration(row.storageStallsMs.longest)} / ${formatDuration(row.storageStallsMs.total)}`,
      formatRatio((row.mailboxMs - row.storageStallsMs.total) / row.floorMs),
      formatCount(row.warningLines),
    ]),
  );
  const targets: TargetCheck[] = rows.flatMap((row) => {
    const label = `${row.instances} instance(s)`;
    return [
      {
        target: `${label}: 0 poisoned, 0 duplicates, 0 lost`,
        measured: `${row.poisoned} / ${row.duplicates} / ${row.lost}`,
        met: row.failure === undefined && row.poisoned === 0 && row.duplicates === 0 && row.lost === 0,
      },
      {
        target: `${label}: ≤ ${MAX_REQUESTS_PER_MAIL} sendMail requests per e-mail`,
        measured: formatPerMail(row.sendMailRequests, row),
        met: perMail(row.sendMailRequests, row) <= MAX_REQUESTS_PER_MAIL,
      },
      {
        target: `${label}: time ≤ ${MAX_TIME_OVER_FLOOR} × the floor (${formatDuration(row.floorMs)})`,
        measured: `${formatDuration(row.mailboxMs)} = ${formatRatio(row.mailboxMs / row.floorMs)}`,
        met: row.mailboxMs <= MAX_TIME_OVER_FLOOR * row.floorMs,
      },
      {
        target: `${label}: ≤ ${MAX_LIST_REQUESTS_PER_MAIL} Graph list requests per verified e-mail`,
        measured: row.listRequests === 0 ? 'no verification' : formatPerMail(row.listRequests, row),
        met: row.listRequests > 0 && perMail(row.listRequests, row) <= MAX_LIST_REQUESTS_PER_MAIL,
      },
    ];
  });
  const { messagesPerMinute } = DEFAULT_MAILBOX_LIMITS;
  return {
    name: 'delivery',
    title: `Delivery at the mailbox's pace: ${formatCount(options.deliveryReminders)} reminders, 1 and 4 instances, time compressed ${options.deliveryTimeScale}×`,
    tables: [table],
    targets,
    notes: [
      `Each instance is a process of its own running reminderDeliver under the host's queue semantics (host.json's batchSize, newBatchThreshold, maxDequeueCount and visibilityTimeout, Storage's defaults where it sets none); all instances share one queue, one ledger and one sender mailbox model (${DEFAULT_MAILBOX_LIMITS.concurrentRequests} concurrent requests, ${messagesPerMinute} messages a minute, ${formatCount(DEFAULT_MAILBOX_LIMITS.requestsPerTenMinutes)} requests per 10 minutes, 429 + Retry-After beyond).`,
      `Time is compressed ${options.deliveryTimeScale}×: the mailbox's clock runs that much faster and its Retry-After is in real seconds; the host's visibility timeout and polling interval are divided by it (never below Storage's 1 s), and so are the app's pace (SENDER_MAILBOXES mailbox|${messagesPerMinute * options.deliveryTimeScale}) and first pause after a refusal (DELIVERY_RETRY_DELAY_SECONDS 60 ÷ ${options.deliveryTimeScale}). Times are on the mailbox's clock (real time × ${options.deliveryTimeScale}); the floor is reminders ÷ (${messagesPerMinute} a minute × the sender mailboxes used).`,
      "Azurite stalls: the local Storage emulator's pauses (a probe's request took over 2 s), on the mailbox clock. Azurite rebuilds a LokiJS index after every change, and its queue's garbage collection (every 60 s) does so for each deleted message: after the first pass has deleted thousands it freezes the queues for tens of seconds (tables run in a process of their own); Azure Storage does not. The target is checked on the time with them; the mailbox may send during part of a stall, so the time net of them is a lower bound.",
      'Deferred counts invocations beyond one per reminder (retries and re-scheduled copies); lost = reminders neither e-mailed, nor poisoned, nor still waiting; duplicates = e-mails beyond one per reminder id (the X-DueNotifier-Reminder-Id header); Graph list requests per e-mail are the verification reads (0 when delivery does not verify).',
    ],
    data: { rows },
  };
}

function sumCounts(counts: readonly Readonly<Record<string, number>>[]): Record<string, number> {
  const sum: Record<string, number> = {};
  for (const each of counts) for (const [key, value] of Object.entries(each)) sum[key] = (sum[key] ?? 0) + value;
  return sum;
}

function perMail(requests: number, row: DeliveryRow): number {
  return row.sent === 0 ? Number.POSITIVE_INFINITY : requests / row.sent;
}

/** `1.13`, `0.004`: requests per e-mail sent (three decimals below 0.1, so that a small rate is not shown as 0). */
function formatPerMail(requests: number, row: DeliveryRow): string {
  const value = perMail(requests, row);
  return Number.isFinite(value) ? value.toFixed(value < 0.1 ? 3 : 2) : '–';
}

async function measureDelivery(reminders: number, instances: number, timeScale: number): Promise<DeliveryRow> {
  const stack = await startLocalStack({ azurite: { inMemory: true }, mailboxes: { timeScale } });
  let stalls: StallProbe | undefined;
  try {
    const settings = stack.settings;
    const config = loadConfig(settings);
    const hostJson = await readHostJson(APP_ROOT);
    const messages = reminderMessages(stack, reminders, config);
    const queue = queueServiceClientFor('AzureWebJobsStorage', settings).getQueueClient(config.queueName);
    await enqueueMessages(queue, messages, { encoding: hostJson.queueMessageEncoding });

    const { queues } = hostJson;
    const listener: InstanceListenerOptions = {
      ...(queues.batchSize === undefined ? {} : { batchSize: queues.batchSize }),
      ...(queues.newBatchThreshold === undefined ? {} : { newBatchThreshold: queues.newBatchThreshold }),
      ...(queues.maxDequeueCount === undefined ? {} : { maxDequeueCount: queues.maxDequeueCount }),
      visibilityTimeoutMs: compressed(queues.visibilityTimeoutMs ?? 0, timeScale),
      maxPollingIntervalMs: compressed(queues.maxPollingIntervalMs ?? HOST_MAX_POLLING_INTERVAL_MS, timeScale),
    };
    stalls = probeStorageStalls(queue);
    const { wentAt, reports } = await runInstances(
      instances,
      { ...settings, ...compressedSettings(settings.SENDER_MAILBOX ?? '', timeScale) },
      listener,
    );
    const failed = reports.find((report) => report.status === 'rejected');
    const done = reports.flatMap((report) => (report.status === 'fulfilled' ? [report.value] : []));

    const mails = stack.graph.outbox();
    const ids = mails.map(
      (mail) => mail.internetMessageHeaders.find((header) => header.name === REMINDER_ID_HEADER)?.value,
    );
    const sent = new Set(ids).size;
    const senders = new Set(mails.map((mail) => mail.from.userPrincipalName)).size;
    const poisoned = await queueServiceClientFor('AzureWebJobsStorage', settings)
      .getQueueClient(`${config.queueName}-poison`)
      .getProperties()
      .then(
        (properties) => properties.approximateMessagesCount ?? 0,
        () => 0,
      );
    const usage = stack.graph.mailboxes.usage(settings.SENDER_MAILBOX ?? '');
    const waiting = (await queue.getProperties()).approximateMessagesCount ?? 0;
    const invocations = done.reduce((sum, report) => sum + report.invocations, 0);
    // From the moment every instance was ready and told to go, to the last message settled.
    const lastSettled = Math.max(...done.map((report) => report.lastSettledAt ?? Number.NEGATIVE_INFINITY));
    const realMs = lastSettled - wentAt;
    await stalls.stop();
    const storageStalls = stalls.within(wentAt, lastSettled);
    return {
      instances,
      reminders,
      sent,
      redeliveries: Math.max(0, invocations - reminders),
      deferredBy: sumCounts(done.map((report) => report.deferredBy)),
      poisoned,
      duplicates: mails.length - sent,
      waiting,
      lost: Math.max(0, reminders - sent - poisoned - waiting),
      sendMailRequests: stack.counters.get('graph.sendMail'),
      throttledBy: usage.throttledBy,
      peakInFlight: usage.peakInFlight,
      listRequests: stack.counters.get('graph.listItems'),
      mailboxMs: realMs * timeScale,
      storageStallsMs: { longest: storageStalls.longestMs * timeScale, total: storageStalls.totalMs * timeScale },
      floorMs: (reminders / (DEFAULT_MAILBOX_LIMITS.messagesPerMinute * Math.max(1, senders))) * 60_000,
      senders,
      warningLines: done.reduce((sum, report) => sum + report.warningLines, 0),
      ...(failed?.status === 'rejected' ? { failure: String(failed.reason) } : {}),
    };
  } finally {
    await stalls?.stop();
    await stack.stop();
  }
}

/** N open items due tomorrow with valid addresses, and the reminder the rules make of each today. */
function reminderMessages(stack: LocalStack, count: number, config: ReturnType<typeof loadConfig>): string[] {
  const now = new Date();
  const dueDate = addDays(calendarDateIn(now, config.timeZone), 1);
  const items: ListItemSeed[] = Array.from({ length: count }, (_, index) => ({
    id: String(index + 1),
    fields: {
      Title: `INV-DELIVERY-${String(index + 1).padStart(6, '0')}`,
      CustomerName: `Delivery Customer ${index + 1}`,
      CustomerEmail: `customer${index + 1}@delivery.example`,
      DueDate: dueDate,
      AmountDue: 100 + (index % 900),
      Currency: 'EUR',
      Status: 'Open',
    },
  }));
  stack.graph.replaceListItems(stack.seed.daemon.siteId, stack.seed.daemon.listId, items);
  return items.map((item) => {
    const decision = decideReminder({ id: item.id ?? '', fields: item.fields }, config, now);
    if (decision.kind !== 'remind') throw new Error(`Item ${item.id ?? ''} gets no reminder today (${decision.kind})`);
    return JSON.stringify(decision.message);
  });
}

/**
 * The app's pace and pauses on the compressed clock: the pace is the mailbox's rate in real time
 * (30 × timeScale a minute), the first pause after a refusal without Retry-After its share of 60 s.
 */
function compressedSettings(mailbox: string, timeScale: number): Record<string, string> {
  return {
    SENDER_MAILBOXES: `${mailbox}|${DEFAULT_MAILBOX_LIMITS.messagesPerMinute * timeScale}`,
    DELIVERY_RETRY_DELAY_SECONDS: String(Math.max(1, Math.round(DEFAULT_RETRY_DELAY_SECONDS / timeScale))),
  };
}

function compressed(ms: number, timeScale: number): number {
  return Math.max(MIN_STORAGE_WAIT_MS, Math.round(ms / timeScale));
}
