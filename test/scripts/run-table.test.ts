import { describe, expect, it } from 'vitest';
import type { RunDetails } from '../../shared/history/index.js';
import { formatRunDetails, formatRunTable } from '../../scripts/support/run-table.js';

const SUCCEEDED: RunDetails = {
  runId: 'a1',
  trigger: 'timer',
  instant: '2026-12-01T06:00:00.000Z',
  startedAt: '2026-12-01T06:00:00.100Z',
  endedAt: '2026-12-01T06:00:12.400Z',
  durationMs: 12_300,
  status: 'succeeded',
  dryRun: false,
  counts: {
    itemsRead: 30,
    eligible: 20,
    reminders: 14,
    alreadySent: 2,
    skipped: { pastDue: 3, invalidEmail: 1 },
    senderBudget: { known: true, fitToday: 10, overBudget: 4 },
  },
  deliveries: {
    byStatus: { sent: 13, failed: 1, deferred: 1 },
    byCode: { ErrorInvalidRecipients: 1, ReminderNotSent: 1 },
  },
  problems: [
    { reminderId: '7:2026-12-08:7', status: 'deferred', code: 'ReminderNotSent', at: '2026-12-01T06:01:00.000Z' },
    { reminderId: '9:2026-12-04:3', status: 'failed', code: 'ErrorInvalidRecipients', at: '2026-12-01T06:01:00.000Z' },
  ],
  resubmittedFrom: 'f0',
};
const FAILED: RunDetails = {
  runId: 'f0',
  trigger: 'http',
  instant: '2026-12-01T05:59:00.000Z',
  startedAt: '2026-12-01T05:59:00.000Z',
  durationMs: 850,
  status: 'failed',
  dryRun: true,
  failure: { code: 'GraphThrottled', message: 'Microsoft Graph kept throttling the run.' },
  deliveries: { byStatus: {}, byCode: {} },
  problems: [],
  resubmittedAs: 'a1',
};

describe('npm run runs output', () => {
  it('lists runs as an aligned table: counts right-aligned, the failure code and resubmits as notes', () => {
    expect(formatRunTable([SUCCEEDED, FAILED])).toEqual([
      'started (UTC)     run id  trigger  status     instant (UTC)     emitted  over budget  sent  failed    took  note',
      `----------------  ------  -------  ---------  ----------------  -------  -----------  ----  ------  ------  ${'-'.repeat('GraphThrottled; dry run; resubmitted as a1'.length)}`,
      '2026-12-01 06:00  a1      timer    succeeded  2026-12-01 06:00       14            4    13       1  12.3 s  resubmit of f0',
      '2026-12-01 05:59  f0      http     failed     2026-12-01 05:59        -            -     0       0  850 ms  GraphThrottled; dry run; resubmitted as a1',
    ]);
    expect(formatRunTable([])).toEqual(['No runs in the run history.']);
  });

  it('shows one run as labelled lines, its deliveries by outcome and its problems by reminder', () => {
    expect(formatRunDetails(SUCCEEDED)).toEqual([
      'run              a1',
      'trigger          timer',
      'status           succeeded',
      'instant          2026-12-01T06:00:00.000Z',
      'started          2026-12-01T06:00:00.100Z',
      'took             12.3 s',
      'items read       30',
      'eligible         20',
      'emitted          14',
      'already sent     2',
      "sender budget    10 fit today's sender budget, 4 go out tomorrow first, in due-date order",
      'skipped          pastDue 3, invalidEmail 1',
      'deliveries       sent 13, failed 1, deferred 1',
      'resubmitted from f0',
      '  deferred 7:2026-12-08:7  ReminderNotSent',
      '  failed   9:2026-12-04:3  ErrorInvalidRecipients',
    ]);
    expect(formatRunDetails(FAILED)).toEqual([
      'run              f0',
      'trigger          http (dry run)',
      'status           failed',
      'failure          GraphThrottled: Microsoft Graph kept throttling the run.',
      'instant          2026-12-01T05:59:00.000Z',
      'started          2026-12-01T05:59:00.000Z',
      'took             850 ms',
      'deliveries       none recorded',
      'resubmitted as   a1',
    ]);
  });
});

describe('the sender budget in npm run runs', () => {
  const counts = { itemsRead: 3, eligible: 3, reminders: 3, alreadySent: 0, skipped: {} };
  const run = (senderBudget: NonNullable<RunDetails['counts']>['senderBudget'], dryRun = false): RunDetails => ({
    ...FAILED,
    status: 'succeeded',
    dryRun,
    counts: { ...counts, ...(senderBudget === undefined ? {} : { senderBudget }) },
  });
  const budgetLine = (details: RunDetails): string | undefined =>
    formatRunDetails(details).find((line) => line.startsWith('sender budget'));
  const overBudgetCell = (details: RunDetails): string | undefined => formatRunTable([details])[2]?.split(/\s{2,}/)[6];

  it('says what would have fitted in a dry run, that all fitted, or why the budget is unknown; nothing without a sender', () => {
    expect(budgetLine(run({ known: true, fitToday: 1, overBudget: 2 }, true))).toBe(
      "sender budget    1 would fit today's sender budget, 2 would go out tomorrow first, in due-date order",
    );
    expect(budgetLine(run({ known: true, fitToday: 3, overBudget: 0 }))).toBe(
      "sender budget    all fit today's sender budget",
    );
    expect(budgetLine(run({ known: false, reason: "the sender mailboxes' pace could not be read (AbortError)" }))).toBe(
      "sender budget    whether they fit today's sender budget is unknown: the sender mailboxes' pace could not be read (AbortError)",
    );
    expect(budgetLine(run(undefined))).toBeUndefined();
    expect([
      overBudgetCell(run({ known: true, fitToday: 1, overBudget: 2 })),
      overBudgetCell(run({ known: false, reason: 'x' })),
      overBudgetCell(run(undefined)),
    ]).toEqual(['2', '?', '-']);
  });
});
