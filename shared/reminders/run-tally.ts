/** Counts a run's decisions for its summary: items read, eligible, reminded, skipped by reason. */
import { SKIP_REASONS } from './rules.js';
import type { ReminderDecision, SkipReason } from './rules.js';

export interface RunTally {
  record(decision: ReminderDecision): void;
  readonly itemsRead: number;
  summary(): RunTallySummary;
}

export interface RunTallySummary {
  readonly itemsRead: number;
  /** Items that passed every check (reminded today or not). */
  readonly eligible: number;
  readonly reminders: number;
  /** Only reasons that occurred, in `SKIP_REASONS` order. */
  readonly skipped: Readonly<Partial<Record<SkipReason, number>>>;
  /** Eligible items whose Language the message leaves out (not a BCP 47 tag of a known language); only when any. */
  readonly languageIgnored?: number;
}

export function createRunTally(): RunTally {
  let itemsRead = 0;
  let eligible = 0;
  let reminders = 0;
  let languageIgnored = 0;
  const skipped = new Map<SkipReason, number>();
  return {
    record(decision) {
      itemsRead += 1;
      if (decision.kind === 'skip') {
        skipped.set(decision.reason, (skipped.get(decision.reason) ?? 0) + 1);
        return;
      }
      eligible += 1;
      if (decision.languageIgnored === true) {
        languageIgnored += 1;
      }
      if (decision.kind === 'remind') {
        reminders += 1;
      }
    },
    get itemsRead() {
      return itemsRead;
    },
    summary() {
      const counts: Partial<Record<SkipReason, number>> = {};
      for (const reason of SKIP_REASONS) {
        const count = skipped.get(reason);
        if (count !== undefined) counts[reason] = count;
      }
      return { itemsRead, eligible, reminders, skipped: counts, ...(languageIgnored === 0 ? {} : { languageIgnored }) };
    },
  };
}
