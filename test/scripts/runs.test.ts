/**
 * `npm run runs` against a local stack, as a user runs it with the file `npm run stack` writes: the
 * runs `npm run sweep` recorded (a real one, and one a Graph fault failed) as a table and as JSON lines,
 * one run in full, and the failed run resubmitted at its original instant.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunDetails, RunWithDeliveries } from '../../shared/history/index.js';
import { captureOutput } from '../support/leak-guard.js';
import { useLocalStack } from '../support/stack.js';
import { envWithoutExtraCa, runCommand } from './run-command.js';

const stack = useLocalStack({ azurite: { inMemory: true } });

describe('npm run runs', () => {
  let directory: string;
  let settingsFile: string;
  const env = (): NodeJS.ProcessEnv => {
    const values = envWithoutExtraCa();
    for (const name of Object.keys(stack().settings)) delete values[name];
    return values;
  };
  const run = async (script: string, args: readonly string[]) => {
    const result = await runCommand(script, [...args, '--settings', settingsFile], { env: env(), timeoutMs: 60_000 });
    captureOutput('run history', `${script} ${args.join(' ')}`, result.stdout);
    return result;
  };

  beforeAll(async () => {
    directory = await mkdtemp(path.join(tmpdir(), 'due-notifier-runs-'));
    settingsFile = path.join(directory, 'local.settings.json');
    await writeFile(settingsFile, JSON.stringify({ IsEncrypted: false, Values: stack().settings }));
  });

  afterAll(async () => {
    await rm(directory, { recursive: true, force: true });
  });

  it('lists the runs of npm run sweep, shows one, and resubmits the failed one at its instant', async () => {
    const sweep = await run('scripts/sweep.ts', []);
    expect(sweep.code).toBe(0);
    const { runId: succeededId, reminders } = JSON.parse(sweep.stdout) as { runId: string; reminders: number };
    stack().faults.add({ endpoint: 'graph.listItems', action: { type: 'status', status: 403 } });
    const failedSweep = await run('scripts/sweep.ts', []);
    expect(failedSweep.code).toBe(1);
    stack().faults.clear();

    const table = await run('scripts/runs.ts', []);
    expect(table.code).toBe(0);
    const lines = table.stdout.trimEnd().split('\n');
    expect(lines[0]).toMatch(
      /^started \(UTC\)\s+run id\s+trigger\s+status\s+instant \(UTC\)\s+emitted\s+over budget\s+sent\s+failed\s+took\s+note$/,
    );
    expect(lines[2]).toMatch(/ cli +failed .* GraphAccessDenied$/);
    expect(lines[3]).toContain(succeededId);
    expect(lines[3]).toMatch(new RegExp(` cli +succeeded +\\d{4}-\\d\\d-\\d\\d \\d\\d:\\d\\d +${reminders} +0 +0 `));

    const json = await run('scripts/runs.ts', ['--json', '--status', 'failed']);
    const failed = json.stdout
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line) as RunWithDeliveries);
    expect(failed).toHaveLength(1);
    expect(failed[0]).toMatchObject({ trigger: 'cli', status: 'failed', failure: { code: 'GraphAccessDenied' } });
    const failedId = failed[0]?.runId ?? '';

    const shown = await run('scripts/runs.ts', [succeededId]);
    expect(shown.stdout).toMatch(new RegExp(`^run +${succeededId}$`, 'm'));
    expect(shown.stdout).toMatch(new RegExp(`^emitted +${reminders}$`, 'm'));

    const resubmitted = await run('scripts/runs.ts', [failedId, '--resubmit', '--json']);
    expect(resubmitted.stderr).toMatch(
      new RegExp(`^Run \\S+ resubmitted run ${failedId} at its instant ${failed[0]?.instant}\\.$`, 'm'),
    );
    expect(resubmitted.stderr).toMatch(new RegExp(`^Enqueued ${reminders} reminder\\(s\\) on queue`, 'm'));
    const rerun = JSON.parse(resubmitted.stdout) as RunDetails;
    expect(rerun).toMatchObject({
      trigger: 'cli',
      status: 'succeeded',
      instant: failed[0]?.instant,
      resubmittedFrom: failedId,
    });
    expect(rerun.counts?.reminders).toBe(reminders);
  }, 120_000);

  it.each([
    [['nope!'], /^error InvalidArguments: "nope!" is not a run id/],
    [['--resubmit'], /^error InvalidArguments: --resubmit needs the id of the failed run\.$/],
    [['--limit', '0'], /^error InvalidArguments: --limit must be a whole number from 1 to 100/],
    [['no-such-run'], /^error RunNotFound: The run history \(table 'reminderruns'\) has no run no-such-run\.$/],
    [['no-such-run', '--resubmit'], /^error RunNotFound: The run history has no run no-such-run /],
  ])('npm run runs %j fails in one line', async (args, expected) => {
    const result = await run('scripts/runs.ts', args);
    expect(result.code).toBe(1);
    expect(result.stderr.trim().split('\n')).toEqual([expect.stringMatching(expected)]);
  });
});
