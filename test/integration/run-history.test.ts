/**
 * The run history through the local host: the timer and the HTTP trigger record their runs, the
 * deliveries their outcomes against them, and `GET /api/reminders/runs`, `GET /api/reminders/runs/{id}`
 * and `POST /api/reminders/runs/{id}/resubmit` (routed by path, as the host routes them) show and re-run
 * them. A run made to fail by a Graph fault is resubmitted: the new run uses the original instant and
 * succeeds, and the ledger sends each reminder once. Retention prunes old runs at the end of a timer run.
 * Every answer and every stored entity goes to the leak guard's `run history` channel (no credential,
 * no e-mail address).
 */
import { describe, expect, it } from 'vitest';
import type { HttpInvocationOutcome } from '../../devhost/host-types.js';
import { createRunHistory, getRun, recordDelivery, recordRun } from '../../shared/history/index.js';
import type { RunDetails, RunPage } from '../../shared/history/index.js';
import { getDaemonRuntime } from '../../shared/runtime.js';
import { calendarDate, plusDays, runSummaryOf, useFunctionHost } from '../support/function-host.js';
import { captureOutput } from '../support/leak-guard.js';
import { inDays, obligation } from '../support/obligations.js';
import { useLocalStack } from '../support/stack.js';

const ZONE = 'Europe/Berlin';
const DAY_MS = 86_400_000;
const stack = useLocalStack();
const host = useFunctionHost(stack);
const quiet = { info: () => undefined, warn: () => undefined, error: () => undefined };

/** Obligations due in 7, 3 and 1 days from `firstId` (one reminder each today); their reminder ids. */
function useObligations(firstId: number): string[] {
  const today = calendarDate(new Date(), ZONE);
  const days = [7, 3, 1];
  const items = days.map((day, index) => obligation(firstId + index, inDays(day)));
  stack().graph.replaceListItems(stack().seed.daemon.siteId, stack().seed.daemon.listId, items);
  return days.map((day, index) => `${firstId + index}:${plusDays(today, day)}:${day}`).sort();
}

/** The JSON of an answer, after the checks every history answer passes: one line, to the leak guard. */
function bodyOf<T>(outcome: HttpInvocationOutcome, path: string): T {
  const { body } = outcome.response;
  captureOutput('run history', path, body);
  expect(body).not.toContain('\n');
  expect(body).not.toMatch(/https?:|127\.0\.0\.1|localhost/);
  return JSON.parse(body) as T;
}

/** The invocation (the run) that answered a routed request. */
function invocationIdOf(outcome: HttpInvocationOutcome): string {
  if (outcome.status === 'notRouted') throw new Error('The request was not routed to a function');
  return outcome.invocationId;
}

async function get<T>(path: string, status = 200): Promise<T> {
  const outcome = await host().request('GET', path);
  expect(outcome.response.status, path).toBe(status);
  return bodyOf<T>(outcome, path);
}

/** Every entity of the history table, to the leak guard. */
async function captureTable(): Promise<number> {
  let count = 0;
  for await (const entity of getDaemonRuntime(process.env).history.table.listEntities()) {
    captureOutput('run history', `table entity ${String(entity.partitionKey)}`, JSON.stringify(entity));
    count += 1;
  }
  return count;
}

describe('run history through the local host', () => {
  it('records a timer run and its deliveries: the list and the run show the same counts', async () => {
    const expected = useObligations(1);
    const timer = await host().fireTimer();
    expect(timer.status).toBe('succeeded');
    const summary = runSummaryOf(timer.logs);
    const queued = await host().drainReminders();
    expect(queued.map((reminder) => reminder.runId)).toEqual(expected.map(() => timer.invocationId));
    const { remindersQueue } = host();
    await remindersQueue().sendMessage(JSON.stringify(queued[0])); // delivered twice: sent once, then alreadySettled
    for (const reminder of queued) await remindersQueue().sendMessage(JSON.stringify(reminder));
    await host().deliverQueued();
    expect(host().mailedReminderIds()).toEqual(expected);

    const page = await get<RunPage>('/api/reminders/runs?limit=5');
    const listed = page.runs.find((run) => run.runId === timer.invocationId);
    expect(page.runs[0]?.runId).toBe(timer.invocationId); // newest first
    expect(listed).toMatchObject({
      trigger: 'timer',
      status: 'succeeded',
      dryRun: false,
      instant: summary.now,
      counts: { itemsRead: 3, eligible: 3, reminders: 3, alreadySent: 0, skipped: {} },
      deliveries: { byStatus: { sent: 3, alreadySettled: 1 }, byCode: {} },
    });
    expect(listed?.durationMs).toBeGreaterThanOrEqual(0);
    const run = await get<RunDetails>(`/api/reminders/runs/${timer.invocationId}`);
    expect(run).toMatchObject({ ...listed, problems: [] });
    expect(await captureTable()).toBeGreaterThan(0);
  });

  it('records an HTTP dry run and a deferred delivery with its code; ?status= filters, ?after= pages', async () => {
    useObligations(11);
    const dry = await host().runByHttp({ dryRun: true });
    expect(dry.response.status).toBe(200);
    const timer = await host().fireTimer();
    stack().faults.add({
      endpoint: 'graph.sendMail',
      action: { type: 'status', status: 503, retryAfter: '0.01' },
      count: 4,
    });
    // The mailbox pauses after the refusals; the reminder is put back and sent after the pause.
    await host().deliverQueued({ waitForDelayed: { timeoutMs: 30_000 } });

    const run = await get<RunDetails>(`/api/reminders/runs/${timer.invocationId}`);
    expect(run.deliveries.byStatus).toMatchObject({ sent: 3, deferred: expect.any(Number) });
    expect(run.problems.map((problem) => problem.code)).toContain('MailboxPaused');
    const dryRun = await get<RunDetails>(`/api/reminders/runs/${invocationIdOf(dry)}`);
    expect(dryRun).toMatchObject({ trigger: 'http', dryRun: true, status: 'succeeded', counts: { reminders: 3 } });

    const first = await get<RunPage>('/api/reminders/runs?limit=1');
    expect(first.runs.map((listed) => listed.runId)).toEqual([timer.invocationId]);
    const second = await get<RunPage>(`/api/reminders/runs?limit=1&after=${first.next ?? ''}`);
    expect(second.runs.map((listed) => listed.runId)).toEqual([invocationIdOf(dry)]);
    const succeeded = await get<RunPage>('/api/reminders/runs?status=succeeded&limit=100');
    expect(succeeded.runs.every((listed) => listed.status === 'succeeded')).toBe(true);
    await captureTable();
  });

  it('a failed run, resubmitted: the new run uses the original instant, succeeds, and each reminder is sent once', async () => {
    const expected = useObligations(21);
    stack().faults.add({ endpoint: 'graph.listItems', action: { type: 'status', status: 403 }, count: 1 });
    const failedRun = await host().fireTimer();
    expect(failedRun.status).toBe('failed');
    const failed = await get<RunDetails>(`/api/reminders/runs/${failedRun.invocationId}`);
    expect(failed).toMatchObject({ status: 'failed', failure: { code: 'GraphAccessDenied' } });
    expect(failed.failure?.message).toMatch(/\S/);
    const failures = await get<RunPage>('/api/reminders/runs?status=failed');
    expect(failures.runs.map((run) => run.runId)).toContain(failedRun.invocationId);

    await new Promise((resolve) => setTimeout(resolve, 20)); // the resubmit's clock is visibly later
    const path = `/api/reminders/runs/${failedRun.invocationId}/resubmit`;
    const resubmit = await host().request('POST', path);
    expect(resubmit.response.status).toBe(200);
    const answer = bodyOf<{ resubmittedFrom: string; summary: { now: string; reminders: number } }>(resubmit, path);
    expect(answer).toMatchObject({
      resubmittedFrom: failedRun.invocationId,
      summary: { now: failed.instant, reminders: 3 },
    });
    await host().deliverQueued();
    expect(host().mailedReminderIds()).toEqual(expected);

    const rerun = await get<RunDetails>(`/api/reminders/runs/${invocationIdOf(resubmit)}`);
    expect(rerun).toMatchObject({
      trigger: 'http',
      status: 'succeeded',
      instant: failed.instant,
      resubmittedFrom: failedRun.invocationId,
      deliveries: { byStatus: { sent: 3 } },
    });
    expect(rerun.startedAt > failed.startedAt).toBe(true);
    expect(await get<RunDetails>(`/api/reminders/runs/${failedRun.invocationId}`)).toMatchObject({
      status: 'failed',
      resubmittedAs: invocationIdOf(resubmit),
    });

    // Resubmitted again: the ledger knows every reminder as sent, so nothing is enqueued or sent twice.
    stack().graph.clearOutbox();
    const again = await host().request('POST', path);
    expect(bodyOf<{ summary: { reminders: number; alreadySent: number } }>(again, path).summary).toMatchObject({
      reminders: 0,
      alreadySent: 3,
    });
    await host().deliverQueued();
    expect(host().mailedReminderIds()).toEqual([]);
    await captureTable();
  });

  it.each([
    ['an unknown run', 'GET', '/api/reminders/runs/no-such-run', 404, 'RunNotFound'],
    ['a resubmit of an unknown run', 'POST', '/api/reminders/runs/no-such-run/resubmit', 404, 'RunNotFound'],
    ['a bad run id', 'GET', '/api/reminders/runs/bad%20id!', 400, 'InvalidRequest'],
    ['a bad run id to resubmit', 'POST', '/api/reminders/runs/..%2F..%2Fx/resubmit', 400, 'InvalidRequest'],
    ['a limit out of range', 'GET', '/api/reminders/runs?limit=0', 400, 'InvalidRequest'],
    ['an unknown status', 'GET', '/api/reminders/runs?status=broken', 400, 'InvalidRequest'],
    ['a forged cursor', 'GET', '/api/reminders/runs?after=zzz', 400, 'InvalidCursor'],
    ['an unknown parameter', 'GET', '/api/reminders/runs?top=3', 400, 'InvalidRequest'],
  ])('answers %s with %s … %i %s, one line of JSON', async (_, method, path, status, code) => {
    const outcome = await host().request(method, path);
    expect(outcome.response.status).toBe(status);
    const body = bodyOf<{ error: { code: string; message: string } }>(outcome, path);
    expect(body.error.code).toBe(code);
    expect(body.error.message).toMatch(/^[^\n]{10,300}$/);
  });

  it('refuses with 409 to resubmit a run that did not fail; a method the route does not take is not routed', async () => {
    useObligations(31);
    const run = await host().fireTimer();
    const path = `/api/reminders/runs/${run.invocationId}/resubmit`;
    const outcome = await host().request('POST', path);
    expect(outcome.response.status).toBe(409);
    expect(bodyOf<{ error: { code: string; message: string } }>(outcome, path).error).toMatchObject({
      code: 'RunNotFailed',
      message: `Run ${run.invocationId} succeeded; only a failed run can be resubmitted.`,
    });
    expect((await host().request('DELETE', `/api/reminders/runs/${run.invocationId}`)).response.status).toBe(404);
    expect((await host().request('GET', path)).status).toBe('notRouted');
  });

  it('prunes runs older than RUN_HISTORY_RETENTION_DAYS, deliveries included, at the end of a timer run', async () => {
    useObligations(41);
    const { history } = getDaemonRuntime(process.env);
    const daysAgo = (days: number) =>
      createRunHistory(history.table, { timeoutMs: 5000, clock: () => new Date(Date.now() - days * DAY_MS) });
    const summary = { itemsRead: 0, eligible: 0, reminders: 0, alreadySent: 0, skipped: {} };
    const old = await recordRun(daysAgo(40), quiet, { trigger: 'timer' }, async ({ runId }) => ({ runId, summary }));
    await recordDelivery(daysAgo(40), quiet, { runId: old.runId, reminderId: '41:2026-01-08:7', status: 'sent' });
    const kept = await recordRun(daysAgo(20), quiet, { trigger: 'cli' }, async ({ runId }) => ({ runId, summary }));
    expect(await getRun(history, old.runId)).toMatchObject({ deliveries: { byStatus: { sent: 1 } } });

    host().setSettings({ RUN_HISTORY_RETENTION_DAYS: '30' });
    const timer = await host().fireTimer();
    expect(timer.status).toBe('succeeded');
    const { history: current } = getDaemonRuntime(process.env);
    expect(await getRun(current, old.runId)).toBeUndefined();
    expect(await getRun(current, kept.runId)).toMatchObject({ trigger: 'cli' });
    const partition = current.table.listEntities({ queryOptions: { filter: `PartitionKey eq 'run:${old.runId}'` } });
    for await (const entity of partition) throw new Error(`left behind: ${String(entity.rowKey)}`);
    await get<RunDetails>(`/api/reminders/runs/${old.runId}`, 404);
  });
});
