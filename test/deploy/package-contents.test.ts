/**
 * What `azd deploy` (and `func azure functionapp publish`) puts in the package, as .funcignore decides
 * it (gitignore rules, read here with the `ignore` package): dist/, host.json and package.json, nothing
 * of the sources, tooling or infrastructure, nothing of node_modules, yet never the node_modules folder
 * itself, which azd reads as "needs a remote build" and refuses with `remoteBuild: false`.
 */
import { execFile } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';
import ignoreModule from 'ignore';
import { describe, expect, it } from 'vitest';
import { REPO_ROOT } from '../scripts/run-command.js';

// A CommonJS module whose typings declare an ES default export: the factory is also its `default`.
const ignore = ignoreModule.default;

async function funcignore(): Promise<ReturnType<typeof ignore>> {
  return ignore().add(await readFile(path.join(REPO_ROOT, '.funcignore'), 'utf8'));
}

describe('the deployment package (.funcignore)', () => {
  it('holds dist/, host.json and package.json only, of every file in the repository and the build', async () => {
    const { stdout } = await promisify(execFile)('git', ['ls-files', '--cached', '--others', '--exclude-standard'], {
      cwd: REPO_ROOT,
    });
    const tracked = stdout.split('\n').filter(Boolean);
    expect(tracked).toContain('azure.yaml');
    const built = ['dist/main.cjs', 'dist/main.cjs.map', 'dist/runtime.cjs', 'dist/errors.cjs', 'dist/telemetry.cjs'];
    const local = ['local.settings.json', '.azure/dev/.env', '.local/ca/ca.pem', 'node_modules/.bin/node'];
    const deployed = (await funcignore()).filter([...tracked, ...built, ...local]);
    expect(deployed.sort()).toEqual([...built, 'host.json', 'package.json'].sort());
  });

  it("leaves out everything in node_modules but not the folder itself (azd's remote-build rule)", async () => {
    const rules = await funcignore();
    expect(rules.ignores('node_modules/')).toBe(false);
    expect(rules.ignores('node_modules/@azure/functions/package.json')).toBe(true);
    expect(rules.ignores('node_modules/.bin/')).toBe(true);
  });
});
