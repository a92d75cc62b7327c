/**
 * `npm run azd:postprovision`: azd's postprovision hook (azure.yaml). Signs in as whoever runs azd
 * (`azd auth login`, or the pipeline's federated credential) and runs scripts/azd/hook.ts; fails with
 * one line naming the fix.
 */
import { spawn } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { AzureDeveloperCliCredential } from '@azure/identity';
import { DueNotifierError } from '../../shared/base/errors.js';
import { failureLine } from '../support/cli-errors.js';
import { mergeFunctionAppSettings } from './function-app-settings.js';
import { runPostprovision } from './hook.js';

class CommandFailed extends DueNotifierError<'CommandFailed'> {}

/**
 * npm as the hook's own `npm run` started it (npm_execpath, run by this Node): no shell, so arguments
 * with spaces pass as they are on every platform (npm is a .cmd script on Windows, which needs a shell).
 */
function npm(args: readonly string[]): [string, string[]] {
  const npmCli = process.env.npm_execpath;
  return npmCli ? [process.execPath, [npmCli, ...args]] : ['npm', [...args]];
}

/**
 * Runs a command with stdin and stderr passed through; resolves with its stdout. `label` names it in
 * errors. Azure Identity's DefaultAzureCredential in it signs in as azd does, unless told otherwise.
 */
function run(label: string, [command, args]: [string, readonly string[]]): Promise<string> {
  const env = { AZURE_TOKEN_CREDENTIALS: 'AzureDeveloperCliCredential', ...process.env };
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { stdio: ['inherit', 'pipe', 'inherit'], env });
    const chunks: Buffer[] = [];
    child.stdout.on('data', (chunk: Buffer) => chunks.push(chunk));
    child.on('error', (error) =>
      reject(new CommandFailed('CommandFailed', `${label} could not start: ${error.message}`, { cause: error })),
    );
    child.on('close', (code) =>
      code === 0
        ? resolve(Buffer.concat(chunks).toString('utf8'))
        : reject(new CommandFailed('CommandFailed', `${label} exited with ${code}: run it by hand to see why`)),
    );
  });
}

async function main(): Promise<void> {
  const credential = new AzureDeveloperCliCredential({ tenantId: process.env.AZURE_TENANT_ID });
  const scratch = await mkdtemp(path.join(tmpdir(), 'due-notifier-azd-'));
  const emptySettingsFile = path.join(scratch, 'no.settings.json');
  try {
    await writeFile(emptySettingsFile, JSON.stringify({ IsEncrypted: false, Values: {} }));
    await runPostprovision(process.env, {
      emptySettingsFile,
      runRegister: (args) =>
        run(`npm run register -- ${args.join(' ')}`, npm(['run', '-s', 'register', '--', ...args])),
      setAzdValue: async (name, value) => {
        await run(`azd env set ${name}`, ['azd', ['env', 'set', name, value]]);
      },
      mergeAppSettings: (target, settings) => mergeFunctionAppSettings(target, settings, { credential }),
      log: (line) => console.error(line),
    });
  } finally {
    await rm(scratch, { recursive: true, force: true });
  }
}

main().catch((error: unknown) => {
  console.error(failureLine(error));
  process.exitCode = 1;
});
