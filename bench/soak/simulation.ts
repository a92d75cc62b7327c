/**
 * `runSoak`: simulates days of timer runs and deliveries on the local stack, one process, with the
 * faults of each day drawn from a seeded generator (fault-plan.ts), and returns what happened for the
 * invariant checker (invariants.ts). A day: the simulated clock moves to 07:00 in the list's zone, the
 * timer fires (or not, or twice) under that day's Key Vault, Entra ID and Graph faults, the oracle
 * works out from the list's history which reminders were due, items change and forged messages land
 * on the queue, then reminderDeliver drains the queue with the host's batch semantics while throttling,
 * storage outages, crashes and lost answers strike.
 */
import { runBatchQueueListener } from '../../devhost/batch-queue-listener.js';
import { decodeQueueMessage, enqueueMessages } from '../../devhost/queue-storage.js';
import { createSeededRandom } from '../../emulators/stack/seeded-random.js';
import type { FaultRule } from '../../emulators/stack/types.js';
import { REMINDER_ID_HEADER } from '../../shared/delivery/deliver-reminder.js';
import { lookupReminder } from '../../shared/delivery/ledger/index.js';
import { addDays, calendarDateIn, startOfDayIn } from '../../shared/reminders/calendar.js';
import { decideReminder } from '../../shared/reminders/rules.js';
import type { ReminderMessage } from '../../shared/reminders/rules.js';
import { resetDaemonRuntime } from '../../shared/runtime.js';
import { drawDayFaults, FAULT_KINDS } from './fault-plan.js';
import type { FaultKind } from './fault-plan.js';
import type { ExpectedReminder, LedgerView, MailRecord, SoakRecord } from './invariants.js';
import { createObligations } from './obligations.js';
import type { ObligationChange, ObligationsHistory } from './obligations.js';
import { directQueue, SOAK_MAILBOX_TIME_SCALE, startSoakStack } from './soak-stack.js';
import type { SoakStack } from './soak-stack.js';

export interface SoakOptions {
  readonly days: number;
  readonly seed: number;
  /** Obligations falling due per day. */
  readonly itemsPerDay: number;
  /** Progress lines (one per day). */
  readonly progress?: (message: string) => void;
}

export interface DayLog {
  readonly day: number;
  readonly date: string;
  readonly faults: readonly FaultKind[];
  readonly timerRuns: number;
  readonly failedRuns: number;
  readonly due: number;
  readonly mailed: number;
  readonly invocations: number;
  readonly failedInvocations: number;
  /** Real time of the day's timer runs and of its deliveries. */
  readonly sweepMs: number;
  readonly deliveryMs: number;
}

export interface SoakRun {
  readonly options: SoakOptions;
  readonly firstDate: string;
  /** The list's zone (REMINDER_TIME_ZONE): days are dates there. */
  readonly timeZone: string;
  readonly record: SoakRecord;
  readonly obligations: ObligationsHistory;
  readonly days: readonly DayLog[];
  /** Days on which each fault kind struck. */
  readonly faultDays: Readonly<Record<FaultKind, number>>;
  readonly durationMs: number;
}

/** The timer's hour (NOTIFY_SCHEDULE is `0 0 7 * * *`). */
const RUN_HOUR_MS = 7 * 3_600_000;
/** host.json's visibilityTimeout (1 minute), compressed 60 times like the rest of a day's waits. */
const RETRY_VISIBILITY_MS = 1_000;
const MAX_POLLING_INTERVAL_MS = 1_000;
/** A day's deliveries end when nothing was received for this long (the rest waits for later days). */
const IDLE_STOP_MS = 4_000;
const OUTAGE_MS = 3_000;
const LIST_SEED_SALT = 0x5eed_0001;

export async function runSoak(options: SoakOptions): Promise<SoakRun> {
  const started = performance.now();
  // Two generators: the list's, and the days' (faults, targets, new values), so that a shorter run with
  // the same seed repeats the first days of a longer one exactly.
  const random = createSeededRandom(options.seed);
  const listRandom = createSeededRandom(options.seed ^ LIST_SEED_SALT);
  const stack = await startSoakStack();
  try {
    const firstDate = calendarDateIn(Date.now(), stack.config.timeZone);
    const obligations = createObligations({
      firstDate,
      days: options.days + Math.max(...stack.config.reminderDays) + 3,
      itemsPerDay: options.itemsPerDay,
      random: listRandom,
    });
    stack.publish(obligations);
    const world: World = { stack, obligations, random, expected: new Map(), mails: [], forgedAddresses: [] };
    const days: DayLog[] = [];
    const faultDays = Object.fromEntries(FAULT_KINDS.map((kind) => [kind, 0])) as Record<FaultKind, number>;
    for (let day = 0; day < options.days; day += 1) {
      const log = await simulateDay(world, day, addDays(firstDate, day));
      days.push(log);
      for (const kind of log.faults) faultDays[kind] += 1;
      options.progress?.(
        `day ${day + 1}/${options.days} ${log.date}: ${log.due} due, ${log.mailed} e-mailed, ${log.invocations} deliveries (sweep ${Math.round(log.sweepMs)} ms, deliveries ${Math.round(log.deliveryMs)} ms)${log.faults.length > 0 ? `; faults: ${log.faults.join(', ')}` : ''}`,
      );
    }
    const record = await finalRecord(world);
    return {
      options,
      firstDate,
      timeZone: stack.config.timeZone,
      record,
      obligations,
      days,
      faultDays,
      durationMs: performance.now() - started,
    };
  } finally {
    await stack.stop();
    resetDaemonRuntime();
  }
}

interface World {
  readonly stack: SoakStack;
  readonly obligations: ObligationsHistory;
  readonly random: () => number;
  readonly expected: Map<string, { obligationId: string; runs: number[] }>;
  readonly mails: MailRecord[];
  readonly forgedAddresses: string[];
}

async function simulateDay(world: World, day: number, date: string): Promise<DayLog> {
  const { stack, random } = world;
  const faults = drawDayFaults(random);
  const has = (kind: FaultKind): boolean => faults.includes(kind);
  const runAt = startOfDayIn(date, stack.config.timeZone).getTime() + RUN_HOUR_MS;
  stack.setNow(runAt);

  // The sweep, under the day's faults on the way to Graph.
  const sweepFaults = addRules(stack, [
    ...(has('keyVaultBlip')
      ? [{ service: 'keyvault', action: { type: 'status', status: 503 }, count: 2 } satisfies FaultRule]
      : []),
    ...(has('entraBlip')
      ? [{ endpoint: 'entra.token', action: { type: 'status', status: 503 }, count: 2 } satisfies FaultRule]
      : []),
    ...(has('listThrottling')
      ? [
          {
            endpoint: 'graph.listItems',
            action: { type: 'status', status: 429, retryAfter: '0.5' },
            probability: 0.3,
            count: 3,
          } satisfies FaultRule,
        ]
      : []),
  ]);
  // A blip matters on a cold start: the instance was recycled overnight.
  if (has('keyVaultBlip') || has('entraBlip')) resetDaemonRuntime();
  const sweepStarted = performance.now();
  const fires = has('timerMissed') ? 0 : has('timerDoubleFire') ? 2 : 1;
  const outcomes = await Promise.all(
    Array.from({ length: fires }, () => stack.functionApp.invokeTimer('reminderTimer')),
  );
  sweepFaults();
  const succeeded = outcomes.filter((outcome) => outcome.status === 'succeeded').length;
  const dueToday = succeeded > 0 ? recordDue(world, runAt) : [];
  // What the runs put on the queue: due today and not e-mailed before.
  const mailed = new Set(world.mails.map((mail) => mail.reminderId));
  const queued = dueToday.filter((message) => !mailed.has(message.id));

  // Between the sweep and the deliveries: items change, forgeries land.
  const changeAt = runAt + 60_000;
  stack.setNow(changeAt);
  if (has('paidAfterSweep')) changeItems(world, queued, 'paid', changeAt);
  if (has('editedAfterSweep')) {
    const kinds: readonly ObligationChange[] = ['amountEdited', 'addressEdited', 'dueDateEdited'];
    changeItems(world, queued, kinds[Math.floor(random() * kinds.length)] ?? 'amountEdited', changeAt);
  }
  if (has('forgedMessage')) await forge(world, queued, day);

  const deliveryFaults = addRules(stack, [
    ...(has('throttlingStorm')
      ? [
          {
            endpoint: 'graph.sendMail',
            action: { type: 'status', status: 429, retryAfter: '1' },
            probability: 0.5,
            count: 12,
          } satisfies FaultRule,
        ]
      : []),
    ...(has('lostSendResponse')
      ? [{ endpoint: 'graph.sendMail', action: { type: 'lostAnswer' }, count: 1 } satisfies FaultRule]
      : []),
  ]);
  if (has('crashBetweenSendAndRecord')) stack.tableProxy.crashBeforeNextSentRecord();
  if (has('mailboxLocked')) {
    stack.local.graph.mailboxes.refuse('*', {
      status: 423,
      code: 'ErrorMailboxLocked',
      message: 'The mailbox is locked.',
      forMs: OUTAGE_MS * SOAK_MAILBOX_TIME_SCALE,
    });
  }
  const outages = [
    ...(has('tableOutage') ? [setTimeout(() => stack.tableProxy.outage(OUTAGE_MS), 200)] : []),
    ...(has('queueOutage') ? [setTimeout(() => stack.queueProxy.outage(OUTAGE_MS), 200)] : []),
  ];
  const sweepMs = performance.now() - sweepStarted;
  const deliveryStarted = performance.now();
  const outboxBefore = stack.local.graph.outbox().length;
  const { queues } = stack.functionApp.hostJson;
  const delivery = await runBatchQueueListener(stack.functionApp, 'reminderDeliver', {
    ...(queues.batchSize === undefined ? {} : { batchSize: queues.batchSize }),
    ...(queues.newBatchThreshold === undefined ? {} : { newBatchThreshold: queues.newBatchThreshold }),
    ...(queues.maxDequeueCount === undefined ? {} : { maxDequeueCount: queues.maxDequeueCount }),
    visibilityTimeoutMs: RETRY_VISIBILITY_MS,
    maxPollingIntervalMs: MAX_POLLING_INTERVAL_MS,
    idleStopMs: IDLE_STOP_MS,
  });
  const deliveryMs = performance.now() - deliveryStarted;
  for (const timer of outages) clearTimeout(timer);
  deliveryFaults();
  stack.local.graph.mailboxes.clearRefusals();
  stack.tableProxy.heal();
  stack.queueProxy.heal();

  const sent = stack.local.graph.outbox().slice(outboxBefore);
  world.mails.push(
    ...sent.map((mail) => ({
      reminderId: mail.internetMessageHeaders.find((header) => header.name === REMINDER_ID_HEADER)?.value,
      to: mail.toRecipients.map((recipient) => recipient.address),
      sentAt: Date.parse(mail.sentDateTime),
      html: mail.body.content,
    })),
  );
  stack.local.graph.clearOutbox();
  return {
    day,
    date,
    faults,
    timerRuns: fires,
    failedRuns: fires - succeeded,
    due: dueToday.length,
    mailed: sent.length,
    invocations: delivery.outcomes.length,
    failedInvocations: delivery.outcomes.filter((outcome) => outcome.status === 'failed').length,
    sweepMs,
    deliveryMs,
  };
}

/** The oracle: the reminders the rules make due at `runAt` from the list's history; returns today's. */
function recordDue(world: World, runAt: number): ReminderMessage[] {
  const due: ReminderMessage[] = [];
  for (const id of world.obligations.ids) {
    const fields = world.obligations.stateAt(id, runAt);
    if (!fields) continue;
    const decision = decideReminder({ id, fields }, world.stack.config, new Date(runAt));
    if (decision.kind !== 'remind') continue;
    due.push(decision.message);
    const entry = world.expected.get(decision.message.id) ?? { obligationId: id, runs: [] };
    if (!entry.runs.includes(runAt)) entry.runs.push(runAt);
    world.expected.set(decision.message.id, entry);
  }
  return due;
}

function changeItems(world: World, due: readonly ReminderMessage[], kind: ObligationChange, at: number): void {
  const count = Math.min(due.length, 1 + Math.floor(world.random() * 2));
  for (let index = 0; index < count; index += 1) {
    const target = due[Math.floor(world.random() * due.length)];
    if (target) world.obligations.change(target.obligationId, kind, at, world.random);
  }
  world.stack.publish(world.obligations);
}

/** A forged message: a well-formed reminder to an attacker's address, for a made-up item or a real reminder's id. */
async function forge(world: World, due: readonly ReminderMessage[], day: number): Promise<void> {
  const attacker = `attacker${day}@forged.example`;
  world.forgedAddresses.push(attacker);
  const real = due[Math.floor(world.random() * due.length)];
  const message: ReminderMessage =
    real !== undefined && world.random() < 0.5
      ? { ...real, customer: { ...real.customer, email: attacker } }
      : {
          ...(real ?? forgedTemplate(world)),
          id: `F${day}:${real?.dueDate ?? ''}:${real?.daysBefore ?? 1}`,
          obligationId: `F${day}`,
          customer: { name: 'Forged Customer', email: attacker },
        };
  await enqueueMessages(directQueue(world.stack), [JSON.stringify(message)], {
    encoding: world.stack.functionApp.hostJson.queueMessageEncoding,
  });
}

function forgedTemplate(world: World): ReminderMessage {
  const now = Date.now();
  const dueDate = addDays(calendarDateIn(now, world.stack.config.timeZone), 1);
  return {
    schema: 'due-notifier.reminder/v1',
    id: '',
    obligationId: '',
    reference: 'INV-FORGED',
    customer: { name: '', email: '' },
    dueDate,
    daysBefore: 1,
    daysLeft: 1,
    amount: '999.00',
    currency: 'EUR',
    createdAt: new Date(now).toISOString(),
  };
}

/** What the soak leaves: the mails, the ledger of every expected reminder, what is still queued. */
async function finalRecord(world: World): Promise<SoakRecord> {
  const { stack } = world;
  const expected: ExpectedReminder[] = [...world.expected.entries()].map(([id, entry]) => ({
    id,
    obligationId: entry.obligationId,
    runs: entry.runs,
  }));
  const ledger: Record<string, LedgerView> = {};
  for (const reminder of expected) {
    const entry = await lookupReminder(stack.ledger, reminder.id);
    if (entry) {
      ledger[reminder.id] = {
        state: entry.state,
        attempts: entry.attempts,
        ambiguousSends: entry.ambiguousSends,
        ...(entry.lastErrorCode === undefined ? {} : { lastErrorCode: entry.lastErrorCode }),
      };
    }
  }
  const encoding = stack.functionApp.hostJson.queueMessageEncoding;
  const idsOn = async (poison: boolean): Promise<string[]> => {
    const queue = directQueue(stack, poison);
    if (!(await queue.exists())) return [];
    const { peekedMessageItems } = await queue.peekMessages({ numberOfMessages: 32 });
    return peekedMessageItems.map((message) => idOf(decodeQueueMessage(message.messageText, encoding)));
  };
  // Messages waiting invisible (deferred) cannot be read: their ledger entries say which they are.
  const waiting = ((await directQueue(stack).getProperties()).approximateMessagesCount ?? 0) > 0;
  const unsettled = Object.entries(ledger)
    .filter(([, entry]) => entry.state !== 'sent' && entry.state !== 'failed')
    .map(([id]) => id);
  return {
    expected,
    mails: world.mails,
    ledger,
    crashed: stack.tableProxy.crashed(),
    forgedAddresses: world.forgedAddresses,
    queuedAtEnd: [...(await idsOn(false)), ...(waiting ? unsettled : [])],
    poisonedAtEnd: await idsOn(true),
  };
}

function idOf(text: string): string {
  try {
    const parsed = JSON.parse(text) as { id?: unknown };
    return typeof parsed.id === 'string' ? parsed.id : '(not a reminder)';
  } catch {
    return '(not JSON)';
  }
}

/** Adds fault rules; the returned function removes them. */
function addRules(stack: SoakStack, rules: readonly FaultRule[]): () => void {
  const ids = rules.map((value) => stack.local.faults.add(value));
  return () => {
    for (const id of ids) stack.local.faults.remove(id);
  };
}
