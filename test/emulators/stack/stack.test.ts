import { execFileSync, spawn } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ManagedIdentityCredential } from '@azure/identity';
import { SecretClient } from '@azure/keyvault-secrets';
import { ConfidentialClientApplication } from '@azure/msal-node';
import fetch from 'node-fetch';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { DEMO_SEED_PATH, LocalStackError, startLocalStack } from '../../../emulators/stack/stack.js';
import { useLocalStack } from '../../support/stack.js';

const REPOSITORY_ROOT = fileURLToPath(new URL('../../..', import.meta.url));

async function sampleSettingKeys(): Promise<string[]> {
  const sample = JSON.parse(await readFile(join(REPOSITORY_ROOT, 'local.settings.sample.json'), 'utf8')) as {
    Values: Record<string, string>;
  };
  return Object.keys(sample.Values);
}

describe('startLocalStack', () => {
  const stack = useLocalStack({
    azurite: false,
    faults: [{ endpoint: 'graph.listItems', action: { type: 'status', status: 503, retryAfter: '0' }, count: 1 }],
  });
  afterEach(() => {
    vi.unstubAllEnvs();
  });

  it('starts the emulators quickly and prints exactly the settings keys of local.settings.sample.json', async () => {
    const { settings, urls, startup, caCertPath } = stack();
    expect(startup.emulatorsMs).toBeLessThan(2000);
    expect(Object.keys(settings)).toEqual(await sampleSettingKeys());
    expect(settings).toMatchObject({
      ENTRA_AUTHORITY_HOST: urls.entra,
      KEY_VAULT_URL: urls.keyVault,
      GRAPH_BASE_URL: `${urls.graph}/v1.0`,
      IDENTITY_ENDPOINT: urls.identity,
      CLIENT_SECRET_NAME: 'due-notifier-client-secret',
      REMINDER_TIME_ZONE: 'Europe/Berlin',
      NODE_EXTRA_CA_CERTS: caCertPath,
      // No Azurite in this stack: the sample's value stays.
      AzureWebJobsStorage: 'UseDevelopmentStorage=true',
    });
    expect(urls.entra).toMatch(/^https:\/\/127\.0\.0\.1:\d+$/);
    expect(urls.identity).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/msi\/token$/);
    expect(settings.IDENTITY_HEADER).toMatch(/^[\w-]{32}$/);
  });

  it('wires the services together: managed identity -> Key Vault secret -> MSAL Graph token -> Graph list items', async () => {
    const { settings, counters } = stack();
    vi.stubEnv('IDENTITY_ENDPOINT', settings.IDENTITY_ENDPOINT);
    vi.stubEnv('IDENTITY_HEADER', settings.IDENTITY_HEADER);
    const vaultUrl = settings.KEY_VAULT_URL ?? '';
    const secrets = new SecretClient(vaultUrl, new ManagedIdentityCredential(), {
      disableChallengeResourceVerification: true,
      retryOptions: { maxRetries: 0 },
    });
    const clientSecret = (await secrets.getSecret(settings.CLIENT_SECRET_NAME ?? '')).value ?? '';
    expect(clientSecret.length).toBeGreaterThanOrEqual(20);

    const authority = new URL(settings.ENTRA_AUTHORITY_HOST ?? '');
    const msal = new ConfidentialClientApplication({
      auth: {
        clientId: settings.ENTRA_CLIENT_ID ?? '',
        authority: `${authority.origin}/${settings.ENTRA_TENANT_ID}`,
        knownAuthorities: [authority.host],
        clientSecret,
      },
    });
    const token = await msal.acquireTokenByClientCredential({ scopes: ['https://graph.microsoft.com/.default'] });
    expect(token?.accessToken).toBeTruthy();

    const itemsUrl = `${settings.GRAPH_BASE_URL}/sites/${settings.OBLIGATIONS_SITE_ID}/lists/${settings.OBLIGATIONS_LIST_ID}/items?$expand=fields`;
    const headers = { authorization: `Bearer ${token?.accessToken}` };
    // The fault given to startLocalStack answers the first list request.
    const throttled = await fetch(itemsUrl, { headers });
    expect(throttled.status).toBe(503);
    expect(throttled.headers.get('retry-after')).toBe('0');
    const response = await fetch(itemsUrl, { headers });
    expect(response.status).toBe(200);
    const page = (await response.json()) as { value: unknown[] };
    expect(page.value.length).toBeGreaterThanOrEqual(30);
    expect(counters.get('graph.listItems')).toBe(2);
    expect(counters.get('entra.token')).toBe(1);
  });
});

describe('startLocalStack fault options', () => {
  it('refuses a fault for an endpoint that does not exist, listing the real ones', async () => {
    const starting = startLocalStack({
      azurite: false,
      faults: [{ endpoint: 'graph.listitems', action: { type: 'reset' } }],
    });
    await expect(starting).rejects.toBeInstanceOf(LocalStackError);
    await expect(starting).rejects.toThrow(/No endpoint is named "graph.listitems" \(endpoints: .*graph\.listItems/);
  });
});

describe('npm run stack (emulators/stack/cli.ts)', () => {
  // What `npm run stack` runs: one process, no tsx wrapper relaying signals (tsx SIGKILLs a child that
  // does not acknowledge a relayed signal within 30 ms, which happens on a busy machine).
  const runCli = (args: readonly string[]) =>
    spawn(process.execPath, ['--import', 'tsx', 'emulators/stack/cli.ts', ...args], {
      cwd: REPOSITORY_ROOT,
      stdio: ['ignore', 'pipe', 'pipe'],
      // Its own process group, so that the test can send SIGINT to all of it, as Ctrl-C does.
      detached: true,
    });

  const collect = (stream: NodeJS.ReadableStream): (() => string) => {
    let text = '';
    stream.setEncoding('utf8');
    stream.on('data', (chunk: string) => (text += chunk));
    return () => text;
  };

  const exitOf = (child: ReturnType<typeof runCli>): Promise<number | null> =>
    new Promise((resolve) => child.once('exit', (code) => resolve(code)));

  const groupMembers = (groupId: number): string[] =>
    execFileSync('ps', ['-eo', 'pgid=,pid=,args='], { encoding: 'utf8' })
      .split('\n')
      .filter((line) => line.trim().split(/\s+/)[0] === String(groupId));

  it('stops with exit code 1 and a one-line message naming the field of a bad seed', async () => {
    const directory = await mkdtemp(join(tmpdir(), 'stack-cli-'));
    try {
      const seed = JSON.parse(await readFile(DEMO_SEED_PATH, 'utf8')) as {
        tenants: { applications: { clientId: string }[] }[];
      };
      const application = seed.tenants[0]?.applications[0];
      if (application) application.clientId = 'not-a-guid';
      const seedPath = join(directory, 'bad-seed.json');
      await writeFile(seedPath, JSON.stringify(seed));

      const child = runCli(['--data', seedPath, '--no-azurite']);
      const stderr = collect(child.stderr);
      expect(await exitOf(child)).toBe(1);
      expect(stderr()).toBe(`npm run stack: ${seedPath}: tenants[0].applications[0].clientId: expected a GUID\n`);
    } finally {
      await rm(directory, { recursive: true, force: true });
    }
  });

  it('starts with the demo seed, prints the settings and stops cleanly on Ctrl-C, Azurite included', async () => {
    const child = runCli([]);
    const stdout = collect(child.stdout);
    const stderr = collect(child.stderr);
    const exited = exitOf(child);
    const groupId = child.pid ?? 0;
    await vi.waitFor(
      () => {
        if (child.exitCode !== null) throw new Error(`the stack exited early: ${stderr()}`);
        expect(stdout()).toContain('Ready.');
      },
      { timeout: 30_000, interval: 100 },
    );

    const printed = /Settings \(local\.settings\.json\):\n([\s\S]+?\n\})\n/.exec(stdout())?.[1] ?? '{}';
    const settings = (JSON.parse(printed) as { IsEncrypted: boolean; Values: Record<string, string> }).Values;
    expect(Object.keys(settings)).toEqual(await sampleSettingKeys());
    expect(settings.AzureWebJobsStorage).toMatch(/QueueEndpoint=http:\/\/127\.0\.0\.1:\d+\/devstoreaccount1;/);
    expect(groupMembers(groupId).some((line) => line.includes('azurite'))).toBe(true);

    process.kill(-groupId, 'SIGINT');
    expect(await exited).toBe(0);
    expect(stdout()).toContain('Stopping the local Azure stack...');
    await vi.waitFor(() => expect(groupMembers(groupId)).toEqual([]), { timeout: 5000, interval: 100 });
  });
});
