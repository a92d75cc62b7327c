/**
 * The esbuild bundle that the cold-start scenario measures is a working app, not only a faster one: the
 * host registers the same functions from it, and reminderRun, loaded from the bundle with every package
 * inlined (MSAL, Azure Identity, Key Vault, node-fetch), runs a real sweep against the local stack and
 * returns what the sweep from source returns.
 */
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { packageWithEsbuild } from '../../bench/cold-start/packaging.js';
import type { PackagedApp } from '../../bench/cold-start/packaging.js';
import { loadFunctionApp } from '../../devhost/host.js';
import type { FunctionApp } from '../../devhost/host.js';
import { getDaemonRuntime, resetDaemonRuntime } from '../../shared/runtime.js';
import { runSweep } from '../../shared/sweep.js';
import { useLocalStack } from '../support/stack.js';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const silent = { info: () => undefined, warn: () => undefined, error: () => undefined };

describe('esbuild bundle of the function app', () => {
  const stack = useLocalStack({ azurite: false });
  let workDir: string;
  let bundle: PackagedApp;
  let app: FunctionApp;

  beforeAll(async () => {
    await mkdir(path.join(repoRoot, '.local'), { recursive: true });
    workDir = await mkdtemp(path.join(repoRoot, '.local', 'bundle-test-'));
    bundle = await packageWithEsbuild(path.join(workDir, 'app'));
    const settings = stack().settings;
    // DefaultAzureCredential finds the managed-identity endpoint in the process environment, as in Azure.
    Object.assign(process.env, settings);
    app = await loadFunctionApp({ appRoot: bundle.appRoot, entryPoints: ['dist/main.cjs'], settings });
  }, 60_000);

  afterAll(async () => {
    resetDaemonRuntime();
    await rm(workDir, { recursive: true, force: true });
  });

  it('is one CommonJS file that registers the timer and the HTTP function', () => {
    expect(bundle.entryPoints).toEqual([path.join(bundle.appRoot, 'dist', 'main.cjs')]);
    expect(app.getFunction('reminderTimer').trigger.type).toBe('timerTrigger');
    expect(app.getFunction('reminderRun').trigger.type).toBe('httpTrigger');
  });

  it('runs a dry run of reminderRun with the bundled SDKs and returns what the sweep from source returns', async () => {
    const now = new Date().toISOString();
    const outcome = await app.invokeHttp('reminderRun', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ dryRun: true, now }),
    });
    expect(outcome.response.status).toBe(200);
    const body = JSON.parse(outcome.response.body) as { reminders: { id: string }[]; summary: { itemsRead: number } };
    expect(body.summary.itemsRead).toBeGreaterThan(0);
    expect(body.reminders.length).toBeGreaterThan(0);

    const runtime = getDaemonRuntime(stack().settings, { logger: silent });
    const fromSource = await runSweep({ config: runtime.config, graph: runtime.graph, metrics: runtime.metrics, logger: silent }, { now: new Date(now) });
    expect(body.reminders.map((reminder) => reminder.id)).toEqual(fromSource.reminders.map((reminder) => reminder.id));
  });
});
