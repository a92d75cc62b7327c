import { spawn } from 'node:child_process';
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
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
  it('starts in memory on free ports, serves queues through the connection string, and stop() ends the process', async () => {
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
    } finally {
      await azurite.stop();
    }
    expect(isRunning(azurite.pid)).toBe(false);
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
      'console.log(azurite.pid);',
      'setInterval(() => {}, 1000);',
    ].join('\n');
    const parent = spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '--eval', script], {
      cwd: process.cwd(),
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    const azuritePid = await new Promise<number>((resolve, reject) => {
      parent.stdout.once('data', (chunk: Buffer) => resolve(Number(chunk.toString().trim())));
      parent.once('exit', () => reject(new Error('the parent exited before Azurite started')));
    });
    expect(isRunning(azuritePid)).toBe(true);
    parent.kill('SIGKILL');
    expect(await waitUntilGone(azuritePid, 5000)).toBe(true);
  });
});
