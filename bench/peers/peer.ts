/**
 * A peer is one way of writing the daemon: the benchmark runs each in its own process against the same
 * local stack and compares what they cost. Every peer applies the same reminder rules (shared/reminders),
 * so that they differ only in how they get the items, and their reminders can be compared.
 */
import { DueNotifierError } from '../../shared/base/errors.js';
import { decideReminder } from '../../shared/reminders/rules.js';
import type { ListItem } from '../../shared/reminders/rules.js';
import type { AppConfig } from '../../shared/config/config.js';
import { isRecord } from '../../shared/base/is-record.js';
import type { Logger } from '../../shared/base/logger.js';

export interface PeerRunOutcome {
  /** List items received from Graph. */
  readonly itemsRead: number;
  /** Ids of the reminders due, sorted. */
  readonly reminderIds: readonly string[];
  /** Time spent asking the idempotency ledger which reminders were sent already (due-notifier only). */
  readonly ledgerMs?: number;
}

export interface Peer {
  /** One sweep at `now` (the process's clock, simulated in the steady-state scenario). */
  run(now: Date): Promise<PeerRunOutcome>;
}

/** The benchmark measures the clients, not log output. */
export const silentLogger: Logger = { info: () => undefined, warn: () => undefined, error: () => undefined };

export type PeerErrorCode = 'PeerRequestFailed' | 'PeerResponseInvalid';

export interface ReminderCollector {
  add(item: ListItem): void;
  outcome(): PeerRunOutcome;
}

/** Applies the reminder rules item by item, keeping only the reminders' ids. */
export function createReminderCollector(config: AppConfig, now: Date): ReminderCollector {
  const reminderIds: string[] = [];
  let itemsRead = 0;
  return {
    add(item) {
      itemsRead += 1;
      const decision = decideReminder(item, config, now);
      if (decision.kind === 'remind') {
        reminderIds.push(decision.message.id);
      }
    },
    outcome() {
      return { itemsRead, reminderIds: reminderIds.toSorted() };
    },
  };
}

/** A list item from a Graph page, checked: a string `id` and an object `fields`. */
export function listItemOf(value: unknown): ListItem {
  if (!isRecord(value) || typeof value.id !== 'string' || !isRecord(value.fields)) {
    throw new DueNotifierError<PeerErrorCode>(
      'PeerResponseInvalid',
      'Graph returned a list item without a string "id" or an object "fields".',
    );
  }
  return { id: value.id, fields: value.fields };
}
