import { spawn } from 'node:child_process';
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import { TableClient } from '@azure/data-tables';
import { QueueClient } from '@azure/storage-queue';
import { describe, expect, it } from 'vitest';
import { startAzurite } from '../../../emulators/stack/azurite.js';

function isRunning(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

async function waitUntilGone(pid: number, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (!isRunning(pid)) return true;
    await delay(100);
  }
  return !isRunning(pid);
}

describe('startAzurite', () => {
  it('starts in memory on free ports, serves queues and tables through the connection string, and stop() ends its processes', async () => {
    const azurite = await startAzurite();
    try {
      expect(azurite.connectionString).toMatch(
        /^DefaultEndpointsProtocol=http;AccountName=devstoreaccount1;AccountKey=[^;]+;BlobEndpoint=http:\/\/127\.0\.0\.1:\d+\/devstoreaccount1;QueueEndpoint=http:\/\/127\.0\.0\.1:\d+\/devstoreaccount1;TableEndpoint=http:\/\/127\.0\.0\.1:\d+\/devstoreaccount1;$/,
      );
      const queue = new QueueClient(azurite.connectionString, 'reminders');
      await queue.create();
      await queue.sendMessage('{"reminder":1}');
      const received = await queue.receiveMessages({ numberOfMessages: 5 });
      expect(received.receivedMessageItems.map((message) => message.messageText)).toEqual(['{"reminder":1}']);
      // Tables in a process of their own (a queue GC that freezes its process does not freeze the ledger).
      const table = TableClient.fromConnectionString(azurite.connectionString, 'ledger', {
        allowInsecureConnection: true,
      });
      await table.createTable();
      await table.createEntity({ partitionKey: 'p', rowKey: 'r', state: 'sent' });
      expect((await table.getEntity('p', 'r')).state).toBe('sent');
      expect(azurite.pids).toHaveLength(2);
      // With the blob and queue process frozen (as Azurite's queue GC freezes it), tables still answer.
      const [queuesPid = -1] = azurite.pids;
      process.kill(queuesPid, 'SIGSTOP');
      try {
        const read = await table.getEntity('p', 'r', { abortSignal: AbortSignal.timeout(5_000) });
        expect(read.state).toBe('sent');
      } finally {
        process.kill(queuesPid, 'SIGCONT');
      }
    } finally {
      await azurite.stop();
    }
    expect(azurite.pids.some(isRunning)).toBe(false);
    // A second stop is harmless.
    await azurite.stop();
  });

  it('keeps data in the given folder when not in memory', async () => {
    const location = await mkdtemp(join(tmpdir(), 'azurite-test-'));
    try {
      const azurite = await startAzurite({ inMemory: false, location });
      try {
        await new QueueClient(azurite.connectionString, 'persisted').create();
      } finally {
        await azurite.stop();
      }
      expect((await readdir(location)).some((name) => name.startsWith('__azurite_db_queue'))).toBe(true);
    } finally {
      await rm(location, { recursive: true, force: true });
    }
  });

  it('stops by itself when the process that started it is killed', async () => {
    const script = [
      "import { startAzurite } from './emulators/stack/azurite.ts';",
      'const azurite = await startAzurite();',
      'console.log(JSON.stringify(azurite.pids));',
      'setInterval(() => {}, 1000);',
    ].join('\n');
    const parent = spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '--eval', script], {
      cwd: process.cwd(),
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    const azuritePids = await new Promise<number[]>((resolve, reject) => {
      parent.stdout.once('data', (chunk: Buffer) => resolve(JSON.parse(chunk.toString().trim()) as number[]));
      parent.once('exit', () => reject(new Error('the parent exited before Azurite started')));
    });
    expect(azuritePids).toHaveLength(2);
    expect(azuritePids.every(isRunning)).toBe(true);
    parent.kill('SIGKILL');
    for (const pid of azuritePids) expect(await waitUntilGone(pid, 5000)).toBe(true);
  });
});
