/**
 * What is waiting and what went wrong, and the re-drive: the reminders of the poison queue moved back
 * to the reminders queue (messages that are not reminders stay), and, on request, reminders recorded
 * as failed for a reason that may have been fixed given back for the next run to emit again.
 */
import { odata } from '@azure/data-tables';
import type { QueueClient } from '@azure/storage-queue';
import { readReminderMessage } from '../reminders/reminder-message.js';
import { LedgerError } from './ledger/index.js';
import type { LedgerState, ReminderLedger } from './ledger/index.js';

export interface BacklogQueues {
  /** The reminders queue. */
  readonly queue: QueueClient;
  /** `<queue>-poison`, where the host moves a message that failed maxDequeueCount times. */
  readonly poison: QueueClient;
}

/** Counts by reason, most frequent first. */
export type ReasonCounts = Readonly<Record<string, number>>;

export interface BacklogReport {
  /** Messages on the reminders queue, visible or waiting (deferred ones are invisible until their time). */
  readonly queued: number;
  readonly poisoned: number;
  /** Ledger entries by state, and why for deferred and failed ones. */
  readonly ledger: {
    readonly deferred: {
      readonly total: number;
      readonly byReason: ReasonCounts;
      readonly next?: string;
      readonly last?: string;
    };
    readonly failed: { readonly total: number; readonly byReason: ReasonCounts };
    readonly retrying: number;
    readonly ambiguous: number;
    readonly claimed: number;
  };
}

/** At most this many ledger entries are read for a report (the states other than `sent`). */
const MAX_ENTRIES_READ = 50_000;
/** Failures that no fix of the app or the mailbox can change: not given back. */
const FINAL_CODES: ReadonlySet<string> = new Set(['ReminderExpired']);

async function messageCount(queue: QueueClient, abortSignal?: AbortSignal): Promise<number> {
  if (!(await queue.exists({ abortSignal }))) return 0;
  return (await queue.getProperties({ abortSignal })).approximateMessagesCount ?? 0;
}

interface OpenEntry {
  readonly partitionKey: string;
  readonly rowKey: string;
  readonly etag: string;
  readonly state: LedgerState;
  readonly code: string;
  readonly deferredFor?: string;
  readonly scheduledFor?: Date;
}

/** Every ledger entry that is not `sent` (index and pace entities have no state and are left out). */
async function* openEntries(ledger: ReminderLedger, abortSignal?: AbortSignal): AsyncGenerator<OpenEntry> {
  await ledger.ready(abortSignal);
  let read = 0;
  const pages = ledger.table.listEntities<Record<string, unknown>>({
    queryOptions: { filter: odata`state ne ${'sent'}` },
    abortSignal,
  });
  for await (const entity of pages) {
    if (++read > MAX_ENTRIES_READ) return;
    const text = (name: string) => (typeof entity[name] === 'string' ? entity[name] : undefined);
    const scheduled = entity.scheduledFor;
    yield {
      partitionKey: entity.partitionKey ?? '',
      rowKey: entity.rowKey ?? '',
      etag: entity.etag,
      state: (text('state') ?? 'claimed') as LedgerState,
      code: text('lastErrorCode') ?? 'unknown',
      ...(text('deferredFor') === undefined ? {} : { deferredFor: text('deferredFor') }),
      ...(scheduled instanceof Date ? { scheduledFor: scheduled } : {}),
    };
  }
}

function sorted(counts: Map<string, number>): ReasonCounts {
  return Object.fromEntries([...counts].sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1)));
}

export async function backlogReport(
  ledger: ReminderLedger,
  queues: BacklogQueues,
  abortSignal?: AbortSignal,
): Promise<BacklogReport> {
  const deferredReasons = new Map<string, number>();
  const failedReasons = new Map<string, number>();
  const states = new Map<LedgerState, number>();
  let next: Date | undefined;
  let last: Date | undefined;
  try {
    for await (const entry of openEntries(ledger, abortSignal)) {
      states.set(entry.state, (states.get(entry.state) ?? 0) + 1);
      if (entry.state === 'deferred') {
        const reason = entry.deferredFor ?? entry.code;
        deferredReasons.set(reason, (deferredReasons.get(reason) ?? 0) + 1);
        const at = entry.scheduledFor;
        if (at !== undefined && (next === undefined || at < next)) next = at;
        if (at !== undefined && (last === undefined || at > last)) last = at;
      } else if (entry.state === 'failed') {
        failedReasons.set(entry.code, (failedReasons.get(entry.code) ?? 0) + 1);
      }
    }
  } catch (error) {
    throw error instanceof LedgerError
      ? error
      : new LedgerError('LedgerUnavailable', 'Could not read the ledger for the backlog.', { cause: error });
  }
  return {
    queued: await messageCount(queues.queue, abortSignal),
    poisoned: await messageCount(queues.poison, abortSignal),
    ledger: {
      deferred: {
        total: states.get('deferred') ?? 0,
        byReason: sorted(deferredReasons),
        ...(next === undefined ? {} : { next: next.toISOString() }),
        ...(last === undefined ? {} : { last: last.toISOString() }),
      },
      failed: { total: states.get('failed') ?? 0, byReason: sorted(failedReasons) },
      retrying: states.get('retrying') ?? 0,
      ambiguous: states.get('ambiguous') ?? 0,
      claimed: states.get('claimed') ?? 0,
    },
  };
}

export interface RedriveOptions {
  /** Also give back reminders recorded as failed (not those whose due date passed), for the next run to emit. */
  readonly includeFailed?: boolean;
  readonly abortSignal?: AbortSignal;
}

export interface RedriveResult {
  /** Reminders moved from the poison queue back to the reminders queue. */
  readonly moved: number;
  /** Poison messages that are not reminders: left where they are, by what is wrong with them. */
  readonly leftInPoison: ReasonCounts;
  /** Failed reminders given back (`retrying`), by their failure. */
  readonly failedGivenBack: ReasonCounts;
}

/** How long a poison message stays invisible while the re-drive works through the queue. */
const REDRIVE_VISIBILITY_SECONDS = 300;

export async function redrive(
  ledger: ReminderLedger,
  queues: BacklogQueues,
  options: RedriveOptions = {},
): Promise<RedriveResult> {
  const { abortSignal } = options;
  let moved = 0;
  const left = new Map<string, number>();
  if (await queues.poison.exists({ abortSignal })) {
    await queues.queue.createIfNotExists({ abortSignal });
    for (;;) {
      const { receivedMessageItems } = await queues.poison.receiveMessages({
        numberOfMessages: 32,
        visibilityTimeout: REDRIVE_VISIBILITY_SECONDS,
        abortSignal,
      });
      if (receivedMessageItems.length === 0) break;
      for (const message of receivedMessageItems) {
        const reading = readReminderMessage(parseJson(message.messageText));
        if (!reading.ok) {
          const reason = `${reading.field} ${reading.problem}`;
          left.set(reason, (left.get(reason) ?? 0) + 1);
          continue;
        }
        await queues.queue.sendMessage(message.messageText, { abortSignal });
        await queues.poison.deleteMessage(message.messageId, message.popReceipt, { abortSignal });
        moved += 1;
      }
    }
  }
  const givenBack = new Map<string, number>();
  if (options.includeFailed === true) {
    for await (const entry of openEntries(ledger, abortSignal)) {
      if (entry.state !== 'failed' || FINAL_CODES.has(entry.code)) continue;
      try {
        await ledger.table.updateEntity(
          { partitionKey: entry.partitionKey, rowKey: entry.rowKey, state: 'retrying' satisfies LedgerState },
          'Merge',
          { etag: entry.etag, abortSignal },
        );
        givenBack.set(entry.code, (givenBack.get(entry.code) ?? 0) + 1);
      } catch {
        // Changed meanwhile (a delivery took it): it is no longer ours to give back.
      }
    }
  }
  return { moved, leftInPoison: sorted(left), failedGivenBack: sorted(givenBack) };
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}
