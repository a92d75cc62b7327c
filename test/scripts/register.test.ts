/**
 * `npm run register` as a command, against a local stack with an empty tenant, signed in as its
 * operator through AZURE_CLIENT_ID / AZURE_CLIENT_SECRET: the dry run's plan on stderr and nothing on
 * stdout, the registration with the app settings on stdout (`NAME=value`, or JSON with --json),
 * --write-settings, a rerun that says there is nothing to change, rotate, and one-line errors. The leak
 * guard reads everything it prints: no client secret or key the stack issued may be in it.
 */
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { useLocalStack } from '../support/stack.js';
import { captureOutput } from '../support/leak-guard.js';
import { envWithoutExtraCa, runCommand } from './run-command.js';
import type { CommandResult } from './run-command.js';

const stack = useLocalStack({ emptyTenant: true, azurite: false });
let folder = '';
let settingsFile = '';

beforeAll(async () => {
  folder = await mkdtemp(path.join(tmpdir(), 'register-cli-'));
  settingsFile = path.join(folder, 'local.settings.json');
  const Values = { ...stack().settings, NODE_EXTRA_CA_CERTS: stack().caCertPath };
  await writeFile(settingsFile, JSON.stringify({ IsEncrypted: false, Values }));
});

afterAll(async () => {
  await rm(folder, { recursive: true, force: true });
});

/** Runs the command; what it prints goes to the leak guard, which knows every secret this stack issued. */
async function register(args: readonly string[], signIn: 'admin' | 'nonAdmin' = 'admin'): Promise<CommandResult> {
  const operator = stack().operator?.[signIn];
  const env = {
    ...envWithoutExtraCa(),
    AZURE_CLIENT_ID: operator?.clientId,
    AZURE_CLIENT_SECRET: operator?.clientSecret,
  };
  const result = await runCommand('scripts/register.ts', ['--settings', settingsFile, ...args], {
    env,
    timeoutMs: 60_000,
  });
  captureOutput('console', `npm run register ${args.join(' ')} (stdout)`, result.stdout);
  captureOutput('console', `npm run register ${args.join(' ')} (stderr)`, result.stderr);
  return result;
}

describe('npm run register', () => {
  it('--dry-run prints the plan on stderr and changes nothing', async () => {
    const result = await register(['--dry-run']);
    expect(result.code).toBe(0);
    expect(result.stdout).toBe('');
    expect(result.stderr).toMatch(/^Plan \(dry run, nothing changed\):\n- create application 'due-notifier' /m);
    expect(result.stderr).toMatch(/^- add a client secret \(expires in 180 days\) /m);
    expect(stack().counters.get('graph.upsertApplication')).toBe(0);
  });

  it('registers, prints the app settings on stdout, writes them with --write-settings; a rerun changes nothing', async () => {
    const result = await register(['--write-settings']);
    expect(result.stderr).toMatch(/^Done: 5 step\(s\), 6 write request\(s\) to Graph and Key Vault\.$/m);
    expect(result.code).toBe(0);
    const printed = Object.fromEntries(
      result.stdout
        .trim()
        .split('\n')
        .map((line) => line.split(/=(.*)/s).slice(0, 2)),
    ) as Record<string, string>;
    expect(Object.keys(printed)).toEqual([
      'ENTRA_TENANT_ID',
      'ENTRA_CLIENT_ID',
      'CLIENT_CREDENTIAL',
      'ENTRA_AUTHORITY_HOST',
      'GRAPH_BASE_URL',
      'KEY_VAULT_URL',
      'CLIENT_SECRET_NAME',
      'OBLIGATIONS_SITE_ID',
    ]);
    const written = JSON.parse(await readFile(settingsFile, 'utf8')) as { Values: Record<string, string> };
    expect(written.Values).toMatchObject(printed);
    expect(written.Values.NOTIFICATION_QUEUE).toBe(stack().settings.NOTIFICATION_QUEUE);

    const again = await register(['--json']);
    expect(again.code).toBe(0);
    expect(again.stderr).toMatch(
      /^Nothing to change: application 'due-notifier' is registered as asked \(0 writes\)\.$/m,
    );
    expect(JSON.parse(again.stdout)).toEqual(printed);
  });

  it('rotate replaces the client secret after the grace period', async () => {
    const result = await register(['rotate', '--grace', '0']);
    expect(result.code).toBe(0);
    expect(result.stderr).toMatch(
      /^Rotated: new key [0-9a-f-]{36} in use \(grace period over\); removed 1 old key\(s\)\.$/m,
    );
    expect(stack().counters.get('graph.removePassword')).toBe(1);
  });

  it('fails in one line: a non-admin, and bad options', async () => {
    const denied = await register(['--name', 'other-app'], 'nonAdmin');
    expect(denied.code).toBe(1);
    expect(denied.stderr.trim()).toMatch(
      /^error RegistrationForbidden: Graph refused GET \/servicePrincipals \(403 Authorization_RequestDenied\): the signed-in account lacks the role\. Sign in as Application Administrator/,
    );
    expect(denied.stderr.trim().split('\n')).toHaveLength(1);

    const bad = await register(['--credential', 'password']);
    expect(bad.code).toBe(1);
    expect(bad.stderr.trim()).toBe(
      "error RegistrationInvalid: --credential must be one of secret, certificate, managed-identity (got 'password').",
    );
  });
});
