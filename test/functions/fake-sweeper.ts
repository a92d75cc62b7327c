/** A Sweeper double for handler tests: records each call and answers with a fixed result or error. */
import type { Sweeper } from '../../functions/support/sweeper.js';
import type { Logger } from '../../shared/base/logger.js';
import type { ReminderMessage } from '../../shared/reminders/rules.js';
import type { SweepOptions, SweepResult } from '../../shared/sweep/sweep.js';

export interface FakeSweeper {
  readonly sweep: Sweeper;
  readonly calls: readonly { readonly logger: Logger; readonly options: SweepOptions }[];
}

export function fakeSweeper(outcome: readonly ReminderMessage[] | Error): FakeSweeper {
  const calls: { logger: Logger; options: SweepOptions }[] = [];
  const sweep: Sweeper = async (logger, options) => {
    calls.push({ logger, options });
    if (outcome instanceof Error) {
      throw outcome;
    }
    const runId = options.runId ?? 'run';
    const now = (options.now ?? new Date('2026-12-01T07:00:00Z')).toISOString();
    const result: SweepResult = {
      runId,
      now,
      reminders: outcome,
      summary: {
        runId,
        now,
        itemsRead: outcome.length,
        eligible: outcome.length,
        reminders: outcome.length,
        alreadySent: 0,
        skipped: {},
        requests: { graph: 1, token: 0, keyVault: 0 },
        durationMs: 1,
      },
    };
    return result;
  };
  return { sweep, calls };
}
