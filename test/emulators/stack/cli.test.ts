import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { REPO_ROOT } from '../../scripts/run-command.js';

const TSX_CLI = path.join(REPO_ROOT, 'node_modules/tsx/dist/cli.mjs');
const STACK_CLI = path.join(REPO_ROOT, 'emulators/stack/cli.ts');

/** Runs `npm run stack` in `cwd` until it says "Ready.", then stops it with SIGINT; its stdout. */
async function runStackUntilReady(
  cwd: string,
  args: readonly string[],
): Promise<{ stdout: string; code: number | null }> {
  const child = spawn(process.execPath, [TSX_CLI, STACK_CLI, '--no-azurite', ...args], {
    cwd,
    stdio: ['ignore', 'pipe', 'pipe'],
    signal: AbortSignal.timeout(30_000),
  });
  let stdout = '';
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
    stdout += chunk;
    if (stdout.includes('Ready.\n')) child.kill('SIGINT');
  });
  const [code] = (await once(child, 'close')) as [number | null];
  return { stdout, code };
}

describe('npm run stack', () => {
  let directory: string;

  beforeAll(async () => {
    directory = await mkdtemp(path.join(tmpdir(), 'due-notifier-stack-cli-'));
  });

  afterAll(async () => {
    await rm(directory, { recursive: true, force: true });
  });

  it('writes local.settings.json by default, for the ports it got, and says so', async () => {
    const { stdout } = await runStackUntilReady(directory, []);
    const file = path.join(directory, 'local.settings.json');
    expect(stdout).toContain(`Settings written to ${file}`);
    expect(stdout).toContain('its ports change at every start');
    const written = JSON.parse(await readFile(file, 'utf8')) as { Values: Record<string, string> };
    const graph = /^Local Azure stack is running[\s\S]*?Microsoft Graph +(\S+)/m.exec(stdout)?.[1];
    expect(written.Values.GRAPH_BASE_URL).toBe(graph);
  });

  it('--no-write-settings only prints them', async () => {
    const other = await mkdtemp(path.join(directory, 'no-write-'));
    const { stdout } = await runStackUntilReady(other, ['--no-write-settings']);
    expect(stdout).toContain('Settings not written (--no-write-settings).');
    await expect(stat(path.join(other, 'local.settings.json'))).rejects.toThrow(/ENOENT/);
  });

  it('--empty-tenant starts without the daemon and writes the operator sign-in, not to stdout', async () => {
    const other = await mkdtemp(path.join(directory, 'empty-'));
    const { stdout } = await runStackUntilReady(other, ['--empty-tenant']);
    expect(stdout).toContain('Empty tenant: the daemon is not registered yet (npm run register).');
    const file = /Operator sign-in .* written to (\S+): /.exec(stdout)?.[1] ?? '';
    const operator = JSON.parse(await readFile(file, 'utf8')) as { admin: { clientId: string; clientSecret: string } };
    expect(operator.admin.clientId).toMatch(/^[0-9a-f-]{36}$/);
    expect(stdout).not.toContain(operator.admin.clientSecret);
    const written = JSON.parse(await readFile(path.join(other, 'local.settings.json'), 'utf8')) as {
      Values: Record<string, string>;
    };
    expect(written.Values.ENTRA_CLIENT_ID).toMatch(/^<.*>$/);
  });
});
