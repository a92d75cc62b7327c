import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { useLocalStack } from '../support/stack.js';
import { envWithoutExtraCa, REPO_ROOT, runCommand } from './run-command.js';

const stack = useLocalStack({ azurite: false });

describe('npm run sweep', () => {
  let directory: string;
  let settingsFile: string;

  let sample: Record<string, string>;

  beforeAll(async () => {
    sample = (
      JSON.parse(await readFile(path.join(REPO_ROOT, 'local.settings.sample.json'), 'utf8')) as {
        Values: Record<string, string>;
      }
    ).Values;
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

  it('--now takes a date: the start of that day in REMINDER_TIME_ZONE', async () => {
    const result = await runCommand(
      'scripts/sweep.ts',
      ['--dry-run', '--now', '2026-12-05', '--settings', settingsFile],
      {
        env: envWithoutExtraCa(),
        timeoutMs: 30_000,
      },
    );
    expect(result.code).toBe(0);
    const summary = JSON.parse(result.stderr.trim().split('\n').at(-1) ?? '') as { now: string };
    const zone = stack().settings.REMINDER_TIME_ZONE ?? 'UTC';
    expect(new Date(summary.now).toLocaleString('sv-SE', { timeZone: zone })).toBe('2026-12-05 00:00:00');
  });

  it('--verbose logs the progress on stderr and the summary once; stdout has JSON lines only', async () => {
    const result = await runCommand(
      'scripts/sweep.ts',
      ['--dry-run', '--verbose', '--now', '2026-12-01T07:00:00Z', '--settings', settingsFile],
      { env: envWithoutExtraCa(), timeoutMs: 30_000 },
    );
    expect(result.code).toBe(0);
    expect(result.stderr.split('\n').filter((line) => line.includes('"runId"'))).toHaveLength(1);
    expect(result.stderr).toMatch(/skipped item/);
    for (const line of result.stdout.trim().split('\n')) expect(() => JSON.parse(line) as unknown).not.toThrow();
  });

  it.each([
    [
      'a stale file (nothing listens on the Graph port any more)',
      (values: Record<string, string>) => ({ ...values, GRAPH_BASE_URL: 'https://127.0.0.1:1/v1.0' }),
      /^error LocalSettingsStale: \S+ is stale: nothing listens on https:\/\/127\.0\.0\.1:1 \(GRAPH_BASE_URL\); is `npm run stack` running\? its ports change at every start/,
    ],
    [
      'a missing local CA',
      (values: Record<string, string>) => ({ ...values, NODE_EXTRA_CA_CERTS: 'no-such-ca.pem' }),
      /^error LocalCaMissing: The local CA \S+no-such-ca\.pem .*is `npm run stack` running\?/,
    ],
    [
      'placeholders copied from local.settings.sample.json',
      () => sample,
      /^error LocalSettingsPlaceholder: \S+ still has placeholders in <angle brackets> \(ENTRA_TENANT_ID, .*\): copied from local\.settings\.sample\.json\?/,
    ],
  ])('recognises %s and names the fix in one line', async (_, values, expected) => {
    const file = path.join(directory, 'broken.settings.json');
    await writeFile(file, JSON.stringify({ IsEncrypted: false, Values: values({ ...stack().settings }) }));
    const env = envWithoutExtraCa();
    for (const name of Object.keys(stack().settings)) delete env[name];
    const result = await runCommand('scripts/sweep.ts', ['--dry-run', '--settings', file], { env, timeoutMs: 30_000 });
    expect(result.code).toBe(1);
    const lines = result.stderr.trim().split('\n');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(expected);
    expect(result.stdout).toBe('');
  });

  it('says in one line that nothing listens on a loopback Graph port from the environment (no storm of retries)', async () => {
    const result = await runCommand('scripts/sweep.ts', ['--dry-run', '--settings', settingsFile], {
      env: { ...envWithoutExtraCa(), GRAPH_BASE_URL: 'https://127.0.0.1:1/v1.0' },
      timeoutMs: 30_000,
    });
    expect(result.code).toBe(1);
    expect(result.stderr.trim().split('\n')).toEqual([
      'error LocalStackDown: Nothing listens on https://127.0.0.1:1 (GRAPH_BASE_URL, from the environment): is `npm run stack` running? its ports change at every start.',
    ]);
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
