/**
 * A misconfigured REMINDER_TIME_ZONE against the Graph emulator, which serves a date-only column as
 * SharePoint does: the UTC instant of midnight in the site's time zone (the demo site is in Berlin).
 * The sweep reads them in the configured zone and warns once per run with the count and the fix.
 */
import { describe, expect, it } from 'vitest';
import { loadSeedFile } from '../../emulators/stack/seed-file.js';
import type { SeedFile } from '../../emulators/stack/seed.js';
import { DEMO_SEED_PATH } from '../../emulators/stack/stack.js';
import { getDaemonRuntime } from '../../shared/runtime.js';
import { runSweep } from '../../shared/sweep/sweep.js';
import { calendarDate, plusDays } from '../support/function-host.js';
import { obligation } from '../support/obligations.js';
import { recordingLogger } from '../support/recording-logger.js';
import { useLocalStack } from '../support/stack.js';
import { useStackIdentity } from '../support/stack-tokens.js';

const ZONE = 'Europe/Berlin';

async function berlinSeed(): Promise<SeedFile> {
  const demo = await loadSeedFile(DEMO_SEED_PATH);
  expect(demo.graph.sites.find((site) => site.id === demo.daemon.siteId)?.timeZone).toBe(ZONE);
  return demo;
}

const stack = useLocalStack({ seed: await berlinSeed(), azurite: false });
useStackIdentity(stack);

async function sweepIn(timeZone: string) {
  const { config, graph, metrics } = getDaemonRuntime({ ...stack().settings, REMINDER_TIME_ZONE: timeZone });
  const logger = recordingLogger();
  const result = await runSweep({ config, graph, metrics, logger });
  return { result, logger };
}

describe('REMINDER_TIME_ZONE against the Graph emulator', () => {
  it('serves a date-only due date as the UTC instant of midnight in the site zone', async () => {
    const today = calendarDate(new Date(), ZONE);
    const { siteId, listId } = stack().seed.daemon;
    stack().graph.replaceListItems(siteId, listId, [obligation(1, plusDays(today, 3))]);
    const { graph } = getDaemonRuntime(stack().settings);
    const items = [];
    for await (const page of graph.listItems({ siteId, listId, fields: ['DueDate'] })) items.push(...page);
    const value = String(items[0]?.fields['DueDate']);
    // Midnight in Berlin (CET or CEST), written as a UTC instant of the day before.
    expect(value).toMatch(new RegExp(`^${plusDays(today, 2)}T2[23]:00:00Z$`));
    expect(calendarDate(new Date(value), ZONE)).toBe(plusDays(today, 3));
    expect(calendarDate(new Date(Date.parse(value) - 1), ZONE)).toBe(plusDays(today, 2));
  });

  it('warns once per run, with the count and the zone that fits, when the zone is not the site one', async () => {
    const today = calendarDate(new Date(), ZONE);
    const { siteId, listId } = stack().seed.daemon;
    stack().graph.replaceListItems(
      siteId,
      listId,
      [1, 3, 7, 3].map((days, index) => obligation(index + 1, plusDays(today, days))),
    );
    const { result, logger } = await sweepIn('UTC');
    expect(result.summary.itemsRead).toBe(4);
    expect(result.summary.warnings).toHaveLength(1);
    const [warning] = result.summary.warnings ?? [];
    expect(warning).toMatch(
      /^4 due date\(s\) read are not midnights in REMINDER_TIME_ZONE UTC but are midnights at GMT\+0[12]:00, as in Europe\//,
    );
    expect(warning).toContain('Europe/Berlin');
    expect(warning).toContain('Fix: set REMINDER_TIME_ZONE to the site');
    expect(logger.lines.filter((line) => line.startsWith('warn '))).toEqual([`warn Run ${result.runId}: ${warning}`]);
    // In UTC every due date is read as the day before the one the list shows.
    expect(result.reminders.every((reminder) => reminder.dueDate < plusDays(today, 8))).toBe(true);
    expect(result.reminders.map((reminder) => reminder.dueDate)).not.toContain(plusDays(today, 7));
  });

  it('does not warn when the zone is the site one', async () => {
    const today = calendarDate(new Date(), ZONE);
    const { siteId, listId } = stack().seed.daemon;
    stack().graph.replaceListItems(siteId, listId, [obligation(1, plusDays(today, 7))]);
    const { result, logger } = await sweepIn(ZONE);
    expect(result.summary).not.toHaveProperty('warnings');
    expect(logger.lines.filter((line) => line.startsWith('warn '))).toEqual([]);
    expect(result.reminders.map((reminder) => reminder.dueDate)).toEqual([plusDays(today, 7)]);
  });
});
