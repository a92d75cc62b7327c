/**
 * The deployable build: `bundleFunctionApp` (what `npm run build` runs) writes the file package.json
 * `main` names and the chunks it loads. Deployed as Azure deploys it (dist/, host.json, package.json, no
 * node_modules) into a folder outside the repository, it is loaded by a separate Node process through
 * the local host, as the worker loads it, run once, and compared with the sources loaded the same way.
 */
import { execFile } from 'node:child_process';
import { copyFile, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BUNDLE_MAIN, bundleFunctionApp } from '../../scripts/support/function-app-bundle.js';
import { useLocalStack } from '../support/stack.js';
import { REPO_ROOT } from '../scripts/run-command.js';

const run = promisify(execFile);
const TSX_CLI = path.join(REPO_ROOT, 'node_modules/tsx/dist/cli.mjs');

interface LoadedApp {
  readonly functions: readonly {
    readonly name: string;
    readonly bindings: readonly { readonly type: string; readonly direction: string }[];
  }[];
  readonly dryRun: {
    readonly status: number;
    readonly body: {
      readonly reminders: readonly { readonly id: string }[];
      readonly summary: { readonly itemsRead: number };
    };
  };
  /** `dist/` files loaded, relative to the app folder. */
  readonly loadedAtRegistration: readonly string[];
  readonly loadedAfterRun: readonly string[];
  readonly misconfigured: { readonly status: number; readonly body: unknown };
}

describe('build output (dist/main.cjs and its chunks)', () => {
  // Azurite for the ledger and the run history, whose failed writes would be telemetry of their own.
  const stack = useLocalStack({ azurite: { inMemory: true } });
  let appRoot: string | undefined;
  let main: string;
  let lazyFiles: readonly string[];
  let fromBundle: LoadedApp;
  let fromSource: LoadedApp;
  /** The bundle again, with OTEL_EXPORTER_OTLP_ENDPOINT set to `otlpReceiver`. */
  let withExporter: LoadedApp;
  /** Paths of the OTLP requests the bundle with an exporter sent. */
  const otlpPaths: string[] = [];
  const otlpReceiver = createServer((request, response) => {
    otlpPaths.push(request.url ?? '');
    request.resume().on('end', () => response.writeHead(200, { 'content-type': 'application/json' }).end('{}'));
  });

  /** Loads the app in a fresh process with the stack's settings (and `env`) in its environment. */
  async function loadInChild(
    root: string,
    entryPoint: string,
    now: string,
    env: Readonly<Record<string, string>> = {},
  ): Promise<LoadedApp> {
    const { stdout } = await run(
      process.execPath,
      [TSX_CLI, 'test/functions/fixtures/invoke-built-app.ts', root, entryPoint, now],
      {
        cwd: REPO_ROOT,
        env: { ...process.env, ...stack().settings, ...env },
        timeout: 60_000,
      },
    );
    return JSON.parse(stdout) as LoadedApp;
  }

  beforeAll(async () => {
    // Outside the repository, so that nothing can fall back on its node_modules.
    appRoot = await mkdtemp(path.join(tmpdir(), 'due-notifier-build-'));
    const bundle = await bundleFunctionApp({ outDir: path.join(appRoot, path.dirname(BUNDLE_MAIN)) });
    lazyFiles = bundle.lazyFiles.map((file) => path.relative(appRoot ?? '', file));
    const packageJson = await readFile(path.join(REPO_ROOT, 'package.json'), 'utf8');
    await writeFile(path.join(appRoot, 'package.json'), packageJson);
    await copyFile(path.join(REPO_ROOT, 'host.json'), path.join(appRoot, 'host.json'));
    main = (JSON.parse(packageJson) as { main: string }).main;

    await new Promise<void>((resolve) => otlpReceiver.listen(0, '127.0.0.1', resolve));
    const endpoint = `http://127.0.0.1:${(otlpReceiver.address() as AddressInfo).port}`;
    const now = new Date().toISOString();
    [fromBundle, fromSource, withExporter] = await Promise.all([
      loadInChild(appRoot, main, now),
      loadInChild(REPO_ROOT, 'functions/*.ts', now),
      loadInChild(appRoot, main, now, { OTEL_EXPORTER_OTLP_ENDPOINT: endpoint }),
    ]);
  }, 120_000);

  afterAll(async () => {
    await new Promise((resolve) => otlpReceiver.close(resolve));
    if (appRoot) {
      await rm(appRoot, { recursive: true, force: true });
    }
  });

  it('is the file package.json main names, and needs no node_modules next to it', () => {
    expect(main).toBe(BUNDLE_MAIN);
    expect(() => createRequire(path.join(appRoot ?? '', main)).resolve('@azure/functions')).toThrow(
      /Cannot find module/,
    );
  });

  it('registers every function of functions/ with the bindings the sources register', () => {
    expect(
      fromBundle.functions.map((fn) => [fn.name, fn.bindings.find((binding) => binding.direction === 'in')?.type]),
    ).toEqual([
      ['reminderBacklog', 'httpTrigger'],
      ['reminderDeliver', 'queueTrigger'],
      ['reminderRedrive', 'httpTrigger'],
      ['reminderRun', 'httpTrigger'],
      ['reminderTimer', 'timerTrigger'],
      ['runDetails', 'httpTrigger'],
      ['runHistory', 'httpTrigger'],
      ['runResubmit', 'httpTrigger'],
    ]);
    expect(fromBundle.functions).toEqual(fromSource.functions);
  });

  it('registers them loading neither the runtime nor its SDKs', () => {
    expect(lazyFiles).toEqual(['dist/runtime.cjs', 'dist/telemetry.cjs']);
    expect(fromBundle.loadedAtRegistration).toEqual(['dist/errors.cjs', 'dist/main.cjs']);
  });

  it('carries the e-mail templates in the runtime chunk, not in what the host loads', async () => {
    const read = (file: string) => readFile(path.join(appRoot ?? '', file), 'utf8');
    expect(await read('dist/runtime.cjs')).toContain('Zahlungserinnerung');
    expect(await read('dist/main.cjs')).not.toContain('Zahlungserinnerung');
  });

  it('loads the runtime chunk from the package at the first run', () => {
    expect(fromBundle.loadedAfterRun).toEqual(['dist/errors.cjs', 'dist/main.cjs', 'dist/runtime.cjs']);
  });

  it('loads the telemetry chunk only with an exporter, at the first run, and its bundled SDK exports', () => {
    expect(withExporter.loadedAtRegistration).toEqual(['dist/errors.cjs', 'dist/main.cjs']);
    expect(withExporter.loadedAfterRun).toEqual([
      'dist/errors.cjs',
      'dist/main.cjs',
      'dist/runtime.cjs',
      'dist/telemetry.cjs',
    ]);
    expect(withExporter.dryRun.status).toBe(200);
    // A dry run: spans and the summary's log record, no reminder metrics (it enqueues nothing).
    expect(new Set(otlpPaths)).toEqual(new Set(['/v1/traces', '/v1/logs']));
  });

  it('bundles Azure Identity and MSAL in the runtime chunk only: the telemetry chunk is handed its credential', async () => {
    const read = (file: string) => readFile(path.join(appRoot ?? '', file), 'utf8');
    const [runtime, telemetry] = await Promise.all([read('dist/runtime.cjs'), read('dist/telemetry.cjs')]);
    for (const identityClass of ['ManagedIdentityCredential', 'ConfidentialClientApplication']) {
      expect(runtime).toContain(identityClass);
      expect(telemetry).not.toContain(identityClass);
    }
  });

  it('answers a ConfigError thrown in the runtime chunk as one: the chunks share the error classes', () => {
    expect(fromBundle.misconfigured).toMatchObject({
      status: 500,
      body: { error: { code: 'ConfigInvalid', setting: 'OBLIGATIONS_LIST_ID' } },
    });
  });

  it('runs a dry run of reminderRun with the bundled SDKs and answers what the sources answer', () => {
    expect(fromBundle.dryRun.status).toBe(200);
    expect(fromBundle.dryRun.body.summary.itemsRead).toBeGreaterThan(0);
    expect(fromBundle.dryRun.body.reminders.length).toBeGreaterThan(0);
    expect(fromBundle.dryRun.body.reminders.map((reminder) => reminder.id)).toEqual(
      fromSource.dryRun.body.reminders.map((reminder) => reminder.id),
    );
  });
});
