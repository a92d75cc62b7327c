/**
 * The deployable build of the function app, made by esbuild: CommonJS files in `dist/` with every
 * package inlined except `@azure/functions-core` (the Node.js worker serves it), so that the package
 * needs no node_modules. On Azure the package is read from a mounted file share or zip (Flex
 * Consumption always runs from a package), where one file costs less than the thousands of a
 * node_modules tree.
 *
 * What the host loads is only what registers the functions: `main.cjs` holds the registrations, the
 * handlers and the small pure modules they use at load (`@azure/functions`, the reminder message
 * reader). The runtime and the SDKs behind it (MSAL, Azure Identity, Key Vault, Tables) are
 * `runtime.cjs`, which the handlers `require` at their first run. esbuild splits code into chunks for
 * ES modules only, and an ES module bundle crashes on the dynamic `require` calls of bundled packages,
 * so each chunk is a build of its own whose imports of the other chunks stay `require` calls.
 * Used by `npm run build` (scripts/build.ts) and by the cold-start benchmark.
 */
import { glob, rm } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import type { BuildOptions, Plugin } from 'esbuild';
import { readMailTemplateFiles } from '../../shared/delivery/mail-template-files.js';
import { compileMailTemplates } from '../../shared/reminders/mail-template.js';
import type { MailTemplateFiles } from '../../shared/reminders/mail-template.js';

/** Where the bundle goes, relative to the app folder: package.json `main`. */
export const BUNDLE_MAIN = 'dist/main.cjs';

/** A module built into a file of its own, beside main.cjs; every other chunk `require`s that file. */
interface Chunk {
  /** The module, relative to the source root. */
  readonly source: string;
  readonly file: string;
  /** Loaded at the first run of a function, not when the host loads the app. */
  readonly lazy: boolean;
}

const CHUNKS: readonly Chunk[] = [
  // The runtime and every SDK behind it: the bulk of the code, loaded by the handlers when they first run.
  { source: 'shared/runtime.ts', file: 'runtime.cjs', lazy: true },
  // Thrown in the runtime and recognised by the handlers (instanceof): one copy for both.
  { source: 'shared/base/errors.ts', file: 'errors.cjs', lazy: false },
  // The OpenTelemetry SDK and exporters: loaded at the first run, and only when an exporter is configured.
  { source: 'shared/telemetry/setup.ts', file: 'telemetry.cjs', lazy: true },
];

const DEFAULT_SOURCE_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

export interface BundleFunctionAppOptions {
  /** Folder of the bundle (`main.cjs`, its chunks and their source maps); emptied first. */
  readonly outDir: string;
  /** Folder holding `functions/`; default: this repository. */
  readonly sourceRoot?: string;
}

export interface FunctionAppBundle {
  /** The bundle, absolute. */
  readonly mainFile: string;
  /** The function files it imports, relative to the source root, sorted (their registration order). */
  readonly functionFiles: readonly string[];
  /** The chunks the handlers load at their first run, absolute. */
  readonly lazyFiles: readonly string[];
}

/** Bundles every `functions/*.ts` into `<outDir>/main.cjs` and its chunks, each with a linked source map. */
export async function bundleFunctionApp(options: BundleFunctionAppOptions): Promise<FunctionAppBundle> {
  const { outDir } = options;
  const sourceRoot = options.sourceRoot ?? DEFAULT_SOURCE_ROOT;
  const functionFiles: string[] = [];
  for await (const file of glob('functions/*.ts', { cwd: sourceRoot })) {
    functionFiles.push(file.split(path.sep).join('/'));
  }
  functionFiles.sort();

  // Checked before anything is built: a bad template fails the build with the runtime's one-line error.
  const templates = readMailTemplateFiles(path.join(sourceRoot, 'templates'));
  compileMailTemplates(templates);

  const mainFile = path.join(outDir, path.basename(BUNDLE_MAIN));
  const common: BuildOptions = {
    bundle: true,
    format: 'cjs',
    platform: 'node',
    target: 'node22',
    external: ['@azure/functions-core'],
    // `import()` of a chunk becomes `require`: the CommonJS loader, not the ES module loader on top of it.
    supported: { 'dynamic-import': false },
    minify: true,
    // Error names (ConfigError, MailError, ...) come from their classes: minifying must not rename them.
    keepNames: true,
    sourcemap: 'linked',
    logLevel: 'warning',
  };
  await rm(outDir, { recursive: true, force: true });
  await Promise.all([
    build({
      ...common,
      // Generated from the folder's listing, so that a new function file is bundled without an edit here.
      stdin: {
        contents: functionFiles.map((file) => `import './${file}';`).join('\n'),
        resolveDir: sourceRoot,
        sourcefile: 'functions-entry.ts',
        loader: 'ts',
      },
      outfile: mainFile,
      plugins: [requireChunks(sourceRoot)],
    }),
    ...CHUNKS.map((chunk) =>
      build({
        ...common,
        entryPoints: [path.join(sourceRoot, chunk.source)],
        outfile: path.join(outDir, chunk.file),
        plugins: [requireChunks(sourceRoot, chunk), embedMailTemplates(sourceRoot, templates)],
      }),
    ),
  ]);
  return {
    mainFile,
    functionFiles,
    lazyFiles: CHUNKS.filter((chunk) => chunk.lazy).map((chunk) => path.join(outDir, chunk.file)),
  };
}

/** Leaves every import of another chunk's module as a `require` of that chunk's file. */
function requireChunks(sourceRoot: string, self?: Chunk): Plugin {
  const fileBySource = new Map(
    CHUNKS.filter((chunk) => chunk !== self).map((chunk) => [path.join(sourceRoot, chunk.source), chunk.file]),
  );
  return {
    name: 'require-chunks',
    setup(builder) {
      // Relative imports only: the sources import each other as `../x/y.js` (NodeNext), meaning y.ts.
      builder.onResolve({ filter: /^\.\.?\// }, (args) => {
        const file = fileBySource.get(path.resolve(args.resolveDir, args.path.replace(/\.js$/, '.ts')));
        return file === undefined ? undefined : { path: `./${file}`, external: true };
      });
    },
  };
}

/**
 * The e-mail templates inside the bundle: the module that reads them from disk becomes one that returns
 * them as they were at build time, as the package has no `templates/` folder.
 */
function embedMailTemplates(sourceRoot: string, templates: MailTemplateFiles): Plugin {
  const reader = path.join(sourceRoot, 'shared/delivery/mail-template-files.ts');
  return {
    name: 'embed-mail-templates',
    setup(builder) {
      builder.onLoad({ filter: /mail-template-files\.ts$/ }, (args) =>
        args.path === reader
          ? {
              contents: `export function readMailTemplateFiles() { return ${JSON.stringify(templates)}; }`,
              loader: 'js',
            }
          : undefined,
      );
    },
  };
}
