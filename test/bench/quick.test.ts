/**
 * `npm run bench -- --quick` end to end (what CI runs to keep the benchmark working): every scenario,
 * every peer, the report files. No timing is asserted, only what the benchmark must get right.
 */
import { execFile } from 'node:child_process';
import { mkdir, mkdtemp, readFile, rm } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SCENARIOS } from '../../bench/options.js';

const run = promisify(execFile);
const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const TSX_CLI = path.join(REPO_ROOT, 'node_modules/tsx/dist/cli.mjs');

interface Requests {
  graph: number;
  token: number;
  discovery: number;
  keyVault: number;
  identity: number;
}
interface Report {
  scenarios: { name: string; targets: { met: boolean; target: string }[]; data: Record<string, unknown> }[];
}
interface SteadyRow {
  label: string;
  runs: number;
  failures: number;
  requests: Requests;
  discoveryAfterFirst: number;
}
interface DeliveryRow {
  instances: number;
  reminders: number;
  sent: number;
  duplicates: number;
  poisoned: number;
  lost: number;
  sendMailRequests: number;
  mailboxMs: number;
  failure?: string;
}
interface ListSizeRow {
  listSize: number;
  label: string;
  itemsRead: number;
  graphBytes: number;
  maxRssBytes: number;
  sameReminders: boolean;
  failure?: string;
}

describe('npm run bench -- --quick', () => {
  let outDir: string;
  let report: Report;
  let stdout: string;

  beforeAll(async () => {
    await mkdir(path.join(REPO_ROOT, '.local'), { recursive: true });
    outDir = await mkdtemp(path.join(REPO_ROOT, '.local', 'bench-test-'));
    ({ stdout } = await run(process.execPath, [TSX_CLI, 'bench/run.ts', '--quick', '--out', outDir], {
      cwd: REPO_ROOT,
      maxBuffer: 16 * 1024 * 1024,
    }));
    report = JSON.parse(await readFile(path.join(outDir, 'report.json'), 'utf8')) as Report;
  }, 360_000);

  afterAll(async () => {
    await rm(outDir, { recursive: true, force: true });
  });

  function scenario(name: string): Report['scenarios'][number] {
    const found = report.scenarios.find((candidate) => candidate.name === name);
    if (!found) throw new Error(`no scenario ${name} in the report`);
    return found;
  }

  it('runs the six scenarios and prints them as Markdown', async () => {
    expect(report.scenarios.map((candidate) => candidate.name)).toEqual(SCENARIOS);
    for (const index of [1, 2, 3, 4, 5, 6]) {
      expect(stdout).toContain(`### ${index}. `);
    }
    expect(await readFile(path.join(outDir, 'report.md'), 'utf8')).toContain('| peer');
  });

  it('steady state: due-notifier reuses its token and secret; the naive peer pays for them every run', () => {
    const rows = scenario('steady-state').data.summary as SteadyRow[];
    const ours = rows.find((row) => row.label === 'due-notifier');
    const naive = rows.find((row) => row.label === 'naive');
    expect(rows.map((row) => row.failures)).toEqual([0, 0, 0]);
    expect(naive?.requests.token).toBe(naive?.runs);
    expect(naive?.requests.discovery).toBe(naive?.runs);
    expect(ours?.requests.token).toBeGreaterThan(0);
    expect(ours?.requests.token).toBeLessThan(naive?.requests.token ?? 0);
    expect(ours?.requests.keyVault).toBeLessThan(naive?.requests.keyVault ?? 0);
    expect(ours?.discoveryAfterFirst).toBe(0);
  });

  it('list size: every peer at every size returns the same reminders, with bytes and memory measured', () => {
    const data = scenario('list-size').data as {
      rows: ListSizeRow[];
      bounds: { lowerBoundMs: number; matchingItems: number }[];
    };
    expect(data.rows).toHaveLength(3 * 5);
    for (const row of data.rows) {
      expect(row.failure, `${row.label} at ${row.listSize}`).toBeUndefined();
      expect(row.sameReminders, `${row.label} at ${row.listSize}`).toBe(true);
      expect(row.graphBytes).toBeGreaterThan(0);
      expect(row.maxRssBytes).toBeGreaterThan(10 * 1024 * 1024);
    }
    for (const bound of data.bounds) {
      expect(bound.matchingItems).toBeGreaterThan(0);
      expect(bound.lowerBoundMs).toBeGreaterThan(0);
    }
    const naive = data.rows.filter((row) => row.label === 'naive');
    for (const row of naive) {
      // No filter: the naive peer reads the whole list, and receives more than due-notifier.
      expect(row.itemsRead).toBe(row.listSize);
      const ours = data.rows.find(
        (candidate) => candidate.label === 'due-notifier sweep' && candidate.listSize === row.listSize,
      );
      expect(row.graphBytes).toBeGreaterThan(ours?.graphBytes ?? Number.POSITIVE_INFINITY);
    }
  });

  it('throttling and concurrency: due-notifier loses no item and returns the same reminders', () => {
    for (const target of [
      ...scenario('throttling').targets,
      ...scenario('concurrency').targets.filter((candidate) => candidate.target.startsWith('same')),
    ]) {
      expect(target.met, target.target).toBe(true);
    }
  });

  it('cold start: the esbuild bundle registers the same functions as the tsc output', () => {
    const data = scenario('cold-start').data as { sameRegistrations: boolean; rows: { functions: string[] }[] };
    expect(data.sameRegistrations).toBe(true);
    const [tsc, bundle] = data.rows.filter((row) => row.functions.length > 0).map((row) => row.functions);
    expect(tsc).toEqual(expect.arrayContaining(['reminderRun', 'reminderTimer']));
    expect(bundle).toEqual(tsc);
  });

  it('delivery: with 1 and with 4 instances every reminder is e-mailed once, none poisoned or lost', () => {
    const { rows } = scenario('delivery').data as { rows: DeliveryRow[] };
    expect(rows.map((row) => row.instances)).toEqual([1, 4]);
    for (const row of rows) {
      expect(row.failure, `${row.instances} instance(s)`).toBeUndefined();
      expect(row, `${row.instances} instance(s)`).toMatchObject({
        sent: row.reminders,
        duplicates: 0,
        poisoned: 0,
        lost: 0,
      });
      expect(row.sendMailRequests).toBeGreaterThanOrEqual(row.reminders);
      expect(row.mailboxMs).toBeGreaterThan(0);
    }
  });

  it('writes the list-size chart as SVG', async () => {
    const svg = await readFile(path.join(outDir, 'list-size.svg'), 'utf8');
    expect(svg.startsWith('<svg')).toBe(true);
    expect(svg.match(/<polyline /g)?.length).toBe(2 * 5);
    // The x axis runs from the smallest to the largest list size measured (1,000 to 16,000).
    expect(svg).not.toMatch(/>100,000<|>1<\/text>/);
  });

  it('labels the targets as indicative at --quick sizes, and speaks of the product', async () => {
    const markdown = await readFile(path.join(outDir, 'report.md'), 'utf8');
    for (const text of [stdout, markdown]) {
      expect(text).not.toMatch(/missed/i);
      expect(text).not.toMatch(/\bissue/i);
      expect(text).toMatch(/^- indicative, (met|not met) at --quick sizes: /m);
    }
  });
});
