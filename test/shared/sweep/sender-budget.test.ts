/**
 * The run summary's sender budget: the sweep counts the reminders it emits (not those already sent)
 * against the check the runtime gives it, at the run's instant, and says in its summary and in one log
 * line how many fit today and how many go out tomorrow first; a failing or slow check leaves the budget
 * unknown without failing the run; a dry run says what would fit.
 */
import { describe, expect, it } from 'vitest';
import type { GraphClient } from '../../../shared/clients/graph.js';
import { createRequestMetrics } from '../../../shared/http/metrics.js';
import type { ListItem, ReminderMessage } from '../../../shared/reminders/rules.js';
import { LedgerError } from '../../../shared/delivery/ledger/index.js';
import { SENDER_BUDGET_TIMEOUT_MS, describeRun } from '../../../shared/sweep/sender-budget.js';
import type { SenderBudgetCheck } from '../../../shared/sweep/sender-budget.js';
import { runSweep } from '../../../shared/sweep/sweep.js';
import type { SweepDependencies } from '../../../shared/sweep/sweep.js';
import { recordingLogger } from '../../support/recording-logger.js';
import { testConfig } from '../../support/settings.js';

const CONFIG = testConfig({ GRAPH_CONCURRENCY: '1' });
/** T = 2026-12-01 (UTC): items due on 2026-12-08 get their 7-day reminder. */
const NOW = new Date('2026-12-01T07:00:00Z');

function items(count: number): ListItem[] {
  return Array.from({ length: count }, (_, index) => ({
    id: String(index + 1),
    fields: {
      Title: `INV-${index + 1}`,
      CustomerName: `Customer ${index + 1}`,
      CustomerEmail: `c${index + 1}@example.com`,
      DueDate: '2026-12-08T00:00:00Z',
      AmountDue: 10.5,
      Currency: 'EUR',
      Status: 'Open',
    },
  }));
}

function graphServing(page: readonly ListItem[]): GraphClient {
  return {
    listItems: () =>
      (async function* () {
        yield page;
      })(),
  };
}

async function sweepWith(
  senderBudget: SenderBudgetCheck | undefined,
  options: { readonly count?: number; readonly sent?: readonly string[]; readonly dryRun?: boolean } = {},
) {
  const logger = recordingLogger();
  const deps: SweepDependencies = {
    config: CONFIG,
    graph: graphServing(items(options.count ?? 12)),
    metrics: createRequestMetrics(),
    logger,
    findSent: async () => new Set(options.sent ?? []),
    senderBudget,
  };
  const result = await runSweep(deps, { now: NOW, runId: 'run-1', ...(options.dryRun ? { dryRun: true } : {}) });
  return { result, lines: logger.lines.filter((line) => line.startsWith('info Run run-1: ')) };
}

describe("the run summary's sender budget", () => {
  it('counts the reminders the run emits at its instant, and says how many fit today and how many go out tomorrow', async () => {
    const asked: { ids: string[]; now: Date }[] = [];
    const check: SenderBudgetCheck = async (reminders: readonly ReminderMessage[], { now }) => {
      asked.push({ ids: reminders.map((reminder) => reminder.id), now });
      return { fitToday: 7, overBudget: reminders.length - 7 };
    };
    const { result, lines } = await sweepWith(check, { sent: ['1:2026-12-08:7', '2:2026-12-08:7'] });
    expect(asked).toEqual([{ ids: result.reminders.map((reminder) => reminder.id), now: NOW }]);
    expect(asked[0]?.ids).toHaveLength(10);
    expect(result.summary.senderBudget).toEqual({ known: true, fitToday: 7, overBudget: 3 });
    expect(lines).toEqual([
      "info Run run-1: 10 reminders enqueued; 7 fit today's sender budget, 3 go out tomorrow first, in due-date order",
    ]);
  });

  it('a dry run says what would fit', async () => {
    const check: SenderBudgetCheck = async (reminders) => ({ fitToday: 5, overBudget: reminders.length - 5 });
    const { result, lines } = await sweepWith(check, { dryRun: true });
    expect(result.summary.senderBudget).toEqual({ known: true, fitToday: 5, overBudget: 7 });
    expect(lines).toEqual([
      "info Run run-1: 12 reminders would be enqueued; 5 would fit today's sender budget, 7 would go out tomorrow first, in due-date order",
    ]);
  });

  it('a ledger that cannot be read leaves the budget unknown, and the run succeeds', async () => {
    const check: SenderBudgetCheck = async () => {
      throw new LedgerError('LedgerUnavailable', "Could not read the pace of a sender mailbox in ledger table 'x'.");
    };
    const { result, lines } = await sweepWith(check);
    expect(result.reminders).toHaveLength(12);
    expect(result.summary.senderBudget).toEqual({
      known: false,
      reason: "the sender mailboxes' pace could not be read (LedgerUnavailable)",
    });
    expect(lines).toEqual([
      "info Run run-1: 12 reminders enqueued; whether they fit today's sender budget is unknown: the sender mailboxes' pace could not be read (LedgerUnavailable)",
    ]);
  });

  it(`a ledger that does not answer is given up after ${SENDER_BUDGET_TIMEOUT_MS / 1000} s`, async () => {
    const check: SenderBudgetCheck = (_, { abortSignal }) =>
      new Promise((_resolve, reject) => abortSignal.addEventListener('abort', () => reject(abortSignal.reason)));
    const started = Date.now();
    const { result } = await sweepWith(check);
    expect(Date.now() - started).toBeGreaterThanOrEqual(SENDER_BUDGET_TIMEOUT_MS - 100);
    expect(result.summary.senderBudget).toEqual({
      known: false,
      reason: `the sender mailboxes' pace could not be read (no answer within ${SENDER_BUDGET_TIMEOUT_MS / 1000} s)`,
    });
  }, 15_000);

  it('no reminders: nothing to read, all fit; no sender mailbox (no check): the summary says nothing of a budget', async () => {
    const never: SenderBudgetCheck = () => Promise.reject(new Error('not asked'));
    const none = await sweepWith(never, { count: 0 });
    expect(none.result.summary.senderBudget).toEqual({ known: true, fitToday: 0, overBudget: 0 });
    expect(none.lines).toEqual(['info Run run-1: 0 reminders enqueued']);
    const without = await sweepWith(undefined);
    expect(without.result.summary).not.toHaveProperty('senderBudget');
    expect(without.lines).toEqual(['info Run run-1: 12 reminders enqueued']);
  });
});

describe('describeRun', () => {
  it('groups thousands, and says when all fit', () => {
    expect(describeRun(12_400, { known: true, fitToday: 10_000, overBudget: 2_400 }, false)).toBe(
      "12,400 reminders enqueued; 10,000 fit today's sender budget, 2,400 go out tomorrow first, in due-date order",
    );
    expect(describeRun(3, { known: true, fitToday: 3, overBudget: 0 }, false)).toBe(
      "3 reminders enqueued; all fit today's sender budget",
    );
    expect(describeRun(1, { known: true, fitToday: 1, overBudget: 0 }, true)).toBe(
      "1 reminder would be enqueued; it would fit today's sender budget",
    );
    expect(describeRun(2, { known: true, fitToday: 1, overBudget: 1 }, false)).toBe(
      "2 reminders enqueued; 1 fits today's sender budget, 1 goes out tomorrow first, in due-date order",
    );
  });
});
