/** The sweep's ledger check: reminders the ledger records as sent are not emitted again. */
import { describe, expect, it } from 'vitest';
import type { GraphClient } from '../../../shared/clients/graph.js';
import type { ListItem } from '../../../shared/reminders/rules.js';
import { createRequestMetrics } from '../../../shared/http/metrics.js';
import type { ReminderMessage } from '../../../shared/reminders/rules.js';
import { runSweep } from '../../../shared/sweep/sweep.js';
import { recordingLogger } from '../../support/recording-logger.js';
import { testConfig } from '../../support/settings.js';

const CONFIG = testConfig({ GRAPH_CONCURRENCY: '1' });
/** T = 2026-12-01 (UTC). */
const NOW = new Date('2026-12-01T07:00:00Z');

function item(id: string, dueDate: string): ListItem {
  return {
    id,
    fields: {
      Title: `INV-${id}`,
      CustomerName: `C ${id}`,
      CustomerEmail: `c${id}@example.com`,
      DueDate: dueDate,
      AmountDue: 5,
      Currency: 'EUR',
      Status: 'Open',
    },
  };
}

/** One page: items 1 to 4 due in 7, 3, 1 and 7 days. */
const graph: GraphClient = {
  listItems: () =>
    (async function* () {
      yield [item('4', '2026-12-08'), item('1', '2026-12-08'), item('2', '2026-12-04'), item('3', '2026-12-02')];
    })(),
};

describe('runSweep with the ledger check', () => {
  it('leaves out the reminders recorded as sent, asking once with every due reminder', async () => {
    const asked: (readonly ReminderMessage[])[] = [];
    const findSent = async (reminders: readonly ReminderMessage[]) => {
      asked.push(reminders);
      return new Set(['1:2026-12-08:7', '3:2026-12-02:1', 'unrelated']);
    };
    const result = await runSweep(
      { config: CONFIG, graph, metrics: createRequestMetrics(), logger: recordingLogger(), findSent },
      { now: NOW },
    );
    expect(asked.map((reminders) => reminders.map((reminder) => reminder.id))).toEqual([
      ['1:2026-12-08:7', '2:2026-12-04:3', '3:2026-12-02:1', '4:2026-12-08:7'],
    ]);
    expect(result.reminders.map((reminder) => reminder.id)).toEqual(['2:2026-12-04:3', '4:2026-12-08:7']);
    expect(result.summary).toMatchObject({ itemsRead: 4, eligible: 4, reminders: 2, alreadySent: 2 });
  });

  it('emits everything, with a warning, when the ledger cannot be read: delivery still skips sent reminders', async () => {
    const logger = recordingLogger();
    const findSent = () => Promise.reject(new Error('Could not look up the reminders in ledger table reminderledger.'));
    const result = await runSweep(
      { config: CONFIG, graph, metrics: createRequestMetrics(), logger, findSent },
      { now: NOW, runId: 'run-3' },
    );
    expect(result.reminders).toHaveLength(4);
    expect(result.summary).toMatchObject({ reminders: 4, alreadySent: 0 });
    expect(logger.lines).toContain(
      'warn Run run-3: could not check the ledger for reminders already sent, so all 4 due reminders are emitted (delivery skips sent ones): Could not look up the reminders in ledger table reminderledger.',
    );
  });

  it('does not ask when nothing is due, and a run without a ledger emits everything', async () => {
    let asked = 0;
    const findSent = async () => {
      asked += 1;
      return new Set<string>();
    };
    const empty: GraphClient = { listItems: () => (async function* () {})() };
    await runSweep(
      { config: CONFIG, graph: empty, metrics: createRequestMetrics(), logger: recordingLogger(), findSent },
      { now: NOW },
    );
    expect(asked).toBe(0);
    const withoutLedger = await runSweep(
      { config: CONFIG, graph, metrics: createRequestMetrics(), logger: recordingLogger() },
      { now: NOW },
    );
    expect(withoutLedger.summary).toMatchObject({ reminders: 4, alreadySent: 0 });
  });

  it('stops when the run is aborted during the check, instead of emitting everything', async () => {
    const controller = new AbortController();
    const findSent = async () => {
      controller.abort(new Error('run cancelled'));
      throw new Error('aborted');
    };
    await expect(
      runSweep(
        { config: CONFIG, graph, metrics: createRequestMetrics(), logger: recordingLogger(), findSent },
        { now: NOW, abortSignal: controller.signal },
      ),
    ).rejects.toThrow('run cancelled');
  });
});
