/**
 * The two ways of packaging the app that the cold-start scenario compares, each built into its own app
 * folder under `.local/bench/cold-start/` with a package.json whose `main` the host would follow:
 * - `tsc`: the former build (`tsc -p tsconfig.build.json`), one ES module per source file;
 * - `bundle`: the build (`npm run build`, scripts/support/function-app-bundle.ts), CommonJS files made
 *   by esbuild, every package inlined: `main.cjs` registers the functions, the runtime chunk with the
 *   SDKs loads at the first run.
 */
import { execFile } from 'node:child_process';
import { copyFile, glob, mkdir, readdir, rm, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';
import { build } from 'esbuild';
import { BUNDLE_MAIN, bundleFunctionApp } from '../../scripts/support/function-app-bundle.js';
import { BENCH_WORK_DIR, REPO_ROOT } from '../build.js';

const run = promisify(execFile);

export interface PackagedApp {
  readonly name: 'tsc' | 'bundle';
  /** The app folder: package.json (its `main`), host.json and `dist/`. */
  readonly appRoot: string;
  readonly description: string;
  /** Entry points as the host resolves `main`, absolute. */
  readonly entryPoints: readonly string[];
  /** What the app folder would deploy, in bytes (JavaScript only; node_modules not included for tsc). */
  readonly codeBytes: number;
  /** Of `codeBytes`, what only a function's first run loads (the bundle's runtime chunk). */
  readonly lazyBytes?: number;
}

const COLD_START_DIR = path.join(BENCH_WORK_DIR, 'cold-start');

/** Builds the host stand-in (`load-app.ts`) into plain JavaScript; returns its path. */
export async function buildHostStandIn(): Promise<string> {
  const outfile = path.join(COLD_START_DIR, 'load-app.mjs');
  await build({
    entryPoints: [path.join(REPO_ROOT, 'bench', 'cold-start', 'load-app.ts')],
    outfile,
    bundle: true,
    format: 'esm',
    platform: 'node',
    target: 'node22',
    logLevel: 'warning',
  });
  return outfile;
}

/** `tsc -p tsconfig.build.json` into its own folder (type checking is the tests' job: `--noCheck`). */
export async function packageWithTsc(appRoot: string = path.join(COLD_START_DIR, 'tsc')): Promise<PackagedApp> {
  await rm(appRoot, { recursive: true, force: true });
  const outDir = path.join(appRoot, 'dist');
  await run(
    process.execPath,
    [
      path.join(REPO_ROOT, 'node_modules/typescript/bin/tsc'),
      '-p',
      'tsconfig.build.json',
      '--outDir',
      outDir,
      '--noCheck',
    ],
    {
      cwd: REPO_ROOT,
    },
  );
  const main = 'dist/functions/*.js';
  await writeAppFiles(appRoot, main);
  return {
    name: 'tsc',
    appRoot,
    description: 'tsc output, the former build (ES modules, packages from node_modules)',
    entryPoints: await entryPointsOf(appRoot, main),
    codeBytes: await javaScriptBytes(outDir),
  };
}

/** The build (`npm run build`): the CommonJS bundle of every function file and its chunks, packages inlined. */
export async function packageWithEsbuild(appRoot: string = path.join(COLD_START_DIR, 'bundle')): Promise<PackagedApp> {
  await rm(appRoot, { recursive: true, force: true });
  const outDir = path.join(appRoot, path.dirname(BUNDLE_MAIN));
  const { mainFile, lazyFiles } = await bundleFunctionApp({ outDir, sourceRoot: REPO_ROOT });
  await writeAppFiles(appRoot, BUNDLE_MAIN);
  return {
    name: 'bundle',
    appRoot,
    description: 'esbuild bundle, the build (CommonJS, packages inlined, minified; runtime chunk at first run)',
    entryPoints: [mainFile],
    codeBytes: await javaScriptBytes(outDir),
    lazyBytes: (await Promise.all(lazyFiles.map(async (file) => (await stat(file)).size))).reduce((a, b) => a + b, 0),
  };
}

/** What the host reads besides the code: package.json (`main`) and host.json. */
async function writeAppFiles(appRoot: string, main: string): Promise<void> {
  await writeFile(path.join(appRoot, 'package.json'), `${JSON.stringify({ type: 'module', main }, null, 2)}\n`);
  await copyFile(path.join(REPO_ROOT, 'host.json'), path.join(appRoot, 'host.json'));
}

async function entryPointsOf(appRoot: string, main: string): Promise<string[]> {
  return (await matching(main, appRoot)).map((file) => path.join(appRoot, file));
}

/** Files matching `pattern` under `cwd`, relative, sorted. */
async function matching(pattern: string, cwd: string): Promise<string[]> {
  const files: string[] = [];
  for await (const file of glob(pattern, { cwd })) {
    files.push(file);
  }
  return files.sort();
}

async function javaScriptBytes(directory: string): Promise<number> {
  await mkdir(directory, { recursive: true });
  let total = 0;
  for (const entry of await readdir(directory, { recursive: true, withFileTypes: true })) {
    if (entry.isFile() && /\.(c|m)?js$/.test(entry.name)) {
      total += (await stat(path.join(entry.parentPath, entry.name))).size;
    }
  }
  return total;
}
