/**
 * The daily recipient budget in the run summary, through the local host: with SENDER_MAILBOXES
 * `billing@contoso.com|30|5`, a run that enqueues 8 reminders says that 5 fit today's sender budget and 3
 * go out tomorrow first, in its HTTP answer, its log line and the run history (`GET /api/reminders/runs`);
 * what the mailbox has already sent this hour is taken off, and a dry run says what would fit; with the
 * Table service down the run still enqueues everything and says the budget is unknown.
 */
import { beforeEach, describe, expect, it } from 'vitest';
import type { HttpInvocationOutcome } from '../../devhost/host-types.js';
import { paceLimitsOf } from '../../shared/delivery/deferral.js';
import { takeSendSlot } from '../../shared/delivery/ledger/index.js';
import type { RunDetails, RunPage } from '../../shared/history/index.js';
import { getDaemonRuntime } from '../../shared/runtime.js';
import type { SweepSummary } from '../../shared/sweep/sweep.js';
import { useFunctionHost } from '../support/function-host.js';
import { captureOutput } from '../support/leak-guard.js';
import { forgetMailboxPace } from '../support/mailbox-pace.js';
import { inDays, obligation } from '../support/obligations.js';
import { useTableOutage } from '../support/outage-proxy.js';
import { useLocalStack } from '../support/stack.js';

const MAILBOX = 'billing@contoso.com';
const SENDER = { mailbox: MAILBOX, messagesPerMinute: 30, recipientsPerDay: 5 };
const stack = useLocalStack();
const host = useFunctionHost(stack, { settings: { SENDER_MAILBOXES: `${MAILBOX}|30|5` } });

/** `count` open obligations due in 7 days: one reminder each today. */
function listObligations(count: number, firstId: number): void {
  const items = Array.from({ length: count }, (_, index) => obligation(firstId + index, inDays(7)));
  stack().graph.replaceListItems(stack().seed.daemon.siteId, stack().seed.daemon.listId, items);
}

function invocationIdOf(outcome: HttpInvocationOutcome): string {
  if (outcome.status === 'notRouted') throw new Error('The request was not routed to a function');
  return outcome.invocationId;
}

/** The run's summary (to the leak guard: no address, no host) and its one-line account in the log. */
function answerOf(outcome: HttpInvocationOutcome): { summary: SweepSummary; logLine: string | undefined } {
  expect(outcome.response.status).toBe(200);
  const runId = invocationIdOf(outcome);
  const { summary } = JSON.parse(outcome.response.body) as { summary: SweepSummary };
  const text = JSON.stringify(summary);
  captureOutput('http response', 'POST /api/reminders/run (summary)', text);
  expect(text).not.toMatch(/@|https?:|127\.0\.0\.1|localhost/);
  const logs = outcome.status === 'notRouted' ? [] : outcome.logs;
  const account = new RegExp(`^Run ${runId}: \\d+ reminders? (would be )?enqueued`);
  const logLine = logs.map((record) => record.message).find((message) => account.test(message));
  return { summary, logLine };
}

async function runDetails(runId: string): Promise<RunDetails> {
  const outcome = await host().request('GET', `/api/reminders/runs/${runId}`);
  expect(outcome.response.status).toBe(200);
  return JSON.parse(outcome.response.body) as RunDetails;
}

describe("the sender mailboxes' daily budget in the run summary", () => {
  beforeEach(async () => {
    await forgetMailboxPace(getDaemonRuntime(process.env).ledger);
  });

  it('a run that enqueues more than the budget leaves says how many go out tomorrow first: answer, log, history', async () => {
    listObligations(8, 1);
    const outcome = await host().runByHttp();
    const runId = invocationIdOf(outcome);
    const { summary, logLine } = answerOf(outcome);
    expect(summary).toMatchObject({ reminders: 8, senderBudget: { known: true, fitToday: 5, overBudget: 3 } });
    expect(logLine).toBe(
      `Run ${runId}: 8 reminders enqueued; 5 fit today's sender budget, 3 go out tomorrow first, in due-date order`,
    );
    expect(await host().drainReminders()).toHaveLength(8);

    const run = await runDetails(runId);
    expect(run.counts?.senderBudget).toEqual({ known: true, fitToday: 5, overBudget: 3 });
    const page = await host().request('GET', '/api/reminders/runs?limit=5');
    const listed = (JSON.parse(page.response.body) as RunPage).runs.find((entry) => entry.runId === runId);
    expect(listed?.counts?.senderBudget).toEqual({ known: true, fitToday: 5, overBudget: 3 });
  });

  it('takes off what the mailbox has sent this hour; a dry run says what would fit, and the history keeps it', async () => {
    const { ledger } = getDaemonRuntime(process.env);
    for (let sent = 0; sent < 2; sent += 1) {
      await takeSendSlot(ledger, MAILBOX, { now: new Date(), limits: paceLimitsOf(SENDER), maxWaitMs: 60_000 });
    }
    listObligations(4, 101);
    const outcome = await host().runByHttp({ dryRun: true });
    const runId = invocationIdOf(outcome);
    const { summary, logLine } = answerOf(outcome);
    expect(summary.senderBudget).toEqual({ known: true, fitToday: 3, overBudget: 1 });
    expect(logLine).toBe(
      `Run ${runId}: 4 reminders would be enqueued; 3 would fit today's sender budget, 1 would go out tomorrow first, in due-date order`,
    );
    expect(await runDetails(runId)).toMatchObject({ dryRun: true, counts: { senderBudget: summary.senderBudget } });
    // Read only: the dry run reserved nothing.
    expect(answerOf(await host().runByHttp({ dryRun: true })).summary.senderBudget).toEqual(summary.senderBudget);
  });

  describe('with the Table service down', () => {
    const tableOutage = useTableOutage(stack, host);

    it('the run enqueues every reminder and says the budget is unknown', async () => {
      const proxy = await tableOutage();
      listObligations(6, 201);
      proxy.down();
      const outcome = await host().runByHttp();
      const runId = invocationIdOf(outcome);
      const { summary, logLine } = answerOf(outcome);
      expect(proxy.refused()).toBeGreaterThan(0);
      expect(summary.reminders).toBe(6);
      expect(summary.senderBudget).toMatchObject({ known: false });
      expect(logLine).toMatch(
        new RegExp(
          `^Run ${runId}: 6 reminders enqueued; whether they fit today's sender budget is unknown: the sender mailboxes' pace could not be read \\(.+\\)$`,
        ),
      );
      expect(await host().drainReminders()).toHaveLength(6);
    }, 90_000);
  });
});
