/**
 * The deployable build of the function app: one CommonJS file made by esbuild that registers every
 * function in `functions/*.ts`, every package inlined except `@azure/functions-core` (the Node.js
 * worker serves it). Chosen over tsc's one-module-per-file output for cold start: one file to read
 * and no module resolution in node_modules (`npm run bench -- --scenario cold-start` compares both).
 * CommonJS because an ES module bundle crashes on the dynamic `require` calls of bundled packages.
 * Used by `npm run build` (scripts/build.ts) and by the cold-start benchmark.
 */
import { glob, rm } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

/** Where the bundle goes, relative to the app folder: package.json `main`. */
export const BUNDLE_MAIN = 'dist/main.cjs';

const DEFAULT_SOURCE_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

export interface BundleFunctionAppOptions {
  /** Folder of the bundle (`main.cjs` and its source map); emptied first. */
  readonly outDir: string;
  /** Folder holding `functions/`; default: this repository. */
  readonly sourceRoot?: string;
}

export interface FunctionAppBundle {
  /** The bundle, absolute. */
  readonly mainFile: string;
  /** The function files it imports, relative to the source root, sorted (their registration order). */
  readonly functionFiles: readonly string[];
}

/** Bundles every `functions/*.ts` into `<outDir>/main.cjs` with a linked source map. */
export async function bundleFunctionApp(options: BundleFunctionAppOptions): Promise<FunctionAppBundle> {
  const sourceRoot = options.sourceRoot ?? DEFAULT_SOURCE_ROOT;
  const functionFiles: string[] = [];
  for await (const file of glob('functions/*.ts', { cwd: sourceRoot })) {
    functionFiles.push(file.split(path.sep).join('/'));
  }
  functionFiles.sort();

  const mainFile = path.join(options.outDir, path.basename(BUNDLE_MAIN));
  await rm(options.outDir, { recursive: true, force: true });
  await build({
    // Generated from the folder's listing, so that a new function file is bundled without an edit here.
    stdin: {
      contents: functionFiles.map((file) => `import './${file}';`).join('\n'),
      resolveDir: sourceRoot,
      sourcefile: 'functions-entry.ts',
      loader: 'ts',
    },
    outfile: mainFile,
    bundle: true,
    format: 'cjs',
    platform: 'node',
    target: 'node22',
    external: ['@azure/functions-core'],
    minify: true,
    // Error names (ConfigError, MailError, ...) come from their classes: minifying must not rename them.
    keepNames: true,
    sourcemap: 'linked',
    logLevel: 'warning',
  });
  return { mainFile, functionFiles };
}
