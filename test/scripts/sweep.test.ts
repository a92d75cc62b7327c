import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { useLocalStack } from '../support/stack.js';
import { envWithoutExtraCa, runCommand } from './run-command.js';

const stack = useLocalStack({ azurite: false });

describe('npm run sweep', () => {
  let directory: string;
  let settingsFile: string;

  beforeAll(async () => {
    directory = await mkdtemp(path.join(tmpdir(), 'due-notifier-sweep-'));
    settingsFile = path.join(directory, 'local.settings.json');
    await writeFile(settingsFile, JSON.stringify({ IsEncrypted: false, Values: stack().settings }));
  });

  afterAll(async () => {
    await rm(directory, { recursive: true, force: true });
  });

  it('--dry-run --now prints one JSON line per reminder, ordered by id, and the summary on stderr', async () => {
    const now = '2026-12-01T07:00:00Z';
    const result = await runCommand('scripts/sweep.ts', ['--dry-run', '--now', now, '--settings', settingsFile], {
      env: envWithoutExtraCa(),
      timeoutMs: 30_000,
    });
    expect(result.code).toBe(0);
    const reminders = result.stdout
      .trim()
      .split('\n')
      .filter((line) => line !== '')
      .map((line) => JSON.parse(line) as { id: string; createdAt: string; schema: string });
    const ids = reminders.map((reminder) => reminder.id);
    expect(ids).toEqual([...ids].sort());
    expect(
      reminders.every(
        (reminder) =>
          reminder.schema === 'due-notifier.reminder/v1' && reminder.createdAt === '2026-12-01T07:00:00.000Z',
      ),
    ).toBe(true);
    const summaryLine = result.stderr.trim().split('\n').at(-1) ?? '';
    const summary = JSON.parse(summaryLine) as { now: string; reminders: number; requests: { graph: number } };
    expect(summary.now).toBe('2026-12-01T07:00:00.000Z');
    expect(summary.reminders).toBe(reminders.length);
    // The obligations were read from the stack's Graph (a dry run needs no storage: this stack has none).
    expect(summary.requests.graph).toBeGreaterThanOrEqual(1);
    expect(stack().counters.get('graph.listItems')).toBe(summary.requests.graph);
  });

  it('fails with a one-line error and a non-zero exit code', async () => {
    const result = await runCommand('scripts/sweep.ts', ['--now', '2026-12-01T07:00:00Z', '--settings', settingsFile], {
      env: envWithoutExtraCa(),
      timeoutMs: 30_000,
    });
    expect(result.code).not.toBe(0);
    expect(result.stderr.trim()).toBe('error InvalidArguments: --now is only allowed together with --dry-run.');
  });

  it('names the setting when the configuration is invalid', async () => {
    const env = envWithoutExtraCa();
    const result = await runCommand('scripts/sweep.ts', ['--dry-run', '--settings', settingsFile], {
      env: { ...env, REMINDER_DAYS: '7,x' },
      timeoutMs: 30_000,
    });
    expect(result.code).toBe(1);
    const lines = result.stderr.trim().split('\n');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/^error ConfigInvalid: .*REMINDER_DAYS/);
  });

  it('fails with ConfigInvalid naming NOTIFY_SCHEDULE when it is not set: the sweep has no default the host would not see', async () => {
    const withoutSchedule: Record<string, string> = { ...stack().settings };
    delete withoutSchedule.NOTIFY_SCHEDULE;
    const file = path.join(directory, 'without-schedule.settings.json');
    await writeFile(file, JSON.stringify({ IsEncrypted: false, Values: withoutSchedule }));
    const env = envWithoutExtraCa();
    delete env.NOTIFY_SCHEDULE;
    const result = await runCommand('scripts/sweep.ts', ['--dry-run', '--settings', file], { env, timeoutMs: 30_000 });
    expect(result.code).not.toBe(0);
    const lines = result.stderr.trim().split('\n');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(
      /^error ConfigInvalid: NOTIFY_SCHEDULE is required: set it to a six-field NCRONTAB expression/,
    );
  });
});
