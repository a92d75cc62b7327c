/**
 * Builds what the benchmark runs outside its own process, under the git-ignored `.local/bench/`:
 * the daemon process (an esbuild bundle of `bench/daemon/main.ts`, so that it runs on plain Node and
 * its memory is not inflated by a TypeScript loader). Packages stay in `node_modules`.
 */
import { rm } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

export const REPO_ROOT = fileURLToPath(new URL('..', import.meta.url));
export const BENCH_WORK_DIR = path.join(REPO_ROOT, '.local', 'bench');

/** Bundles the daemon process; returns the path of its entry point. */
export async function buildDaemonBundle(outDir: string = path.join(BENCH_WORK_DIR, 'daemon')): Promise<string> {
  await rm(outDir, { recursive: true, force: true });
  await build({
    entryPoints: { main: path.join(REPO_ROOT, 'bench', 'daemon', 'main.ts') },
    outdir: outDir,
    bundle: true,
    // Peers are separate chunks, so their packages load only after the daemon set its clock up.
    splitting: true,
    chunkNames: 'chunks/[name]-[hash]',
    format: 'esm',
    platform: 'node',
    target: 'node22',
    packages: 'external',
    logLevel: 'warning',
  });
  return path.join(outDir, 'main.js');
}
