/**
 * The deployable build: tsc's output (tsconfig.build.json) is what the host loads through package.json
 * `main`. Compiled into a scratch folder and loaded by a separate Node process through the local host.
 */
import { execFile } from 'node:child_process';
import { mkdir, mkdtemp, readFile, rm } from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';
import { repoRoot } from '../scripts/run-command.js';

const run = promisify(execFile);
const tscCli = path.join(repoRoot, 'node_modules/typescript/bin/tsc');
const tsxCli = path.join(repoRoot, 'node_modules/tsx/dist/cli.mjs');

describe('build output', () => {
  let outDir: string | undefined;

  afterAll(async () => {
    if (outDir) {
      await rm(outDir, { recursive: true, force: true });
    }
  });

  it('registers both functions and runs them when loaded from the compiled JavaScript', async () => {
    // Inside the repository, so that the compiled ES modules resolve node_modules and "type": "module".
    await mkdir(path.join(repoRoot, '.local'), { recursive: true });
    outDir = await mkdtemp(path.join(repoRoot, '.local', 'build-test-'));
    await run(process.execPath, [tscCli, '-p', 'tsconfig.build.json', '--outDir', outDir], { cwd: repoRoot });
    const main = (JSON.parse(await readFile(path.join(repoRoot, 'package.json'), 'utf8')) as { main: string }).main;
    const entryPoints = path.relative(repoRoot, path.join(outDir, path.relative('dist', main)));

    const { stdout } = await run(process.execPath, [tsxCli, 'test/functions/fixtures/invoke-built-app.ts', entryPoints], { cwd: repoRoot });
    const loaded = JSON.parse(stdout) as { functions: unknown[]; rejected: { status: number; body: unknown } };
    expect(loaded.functions).toEqual(
      expect.arrayContaining([
        { name: 'reminderRun', trigger: 'httpTrigger', outputs: ['http', 'queue'] },
        { name: 'reminderTimer', trigger: 'timerTrigger', outputs: ['queue'] },
      ]),
    );
    expect(loaded.rejected).toEqual({
      status: 400,
      body: { error: { code: 'InvalidRequest', field: 'dryRun', message: expect.any(String) } },
    });
  });
});
