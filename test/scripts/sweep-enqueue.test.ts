import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { drainQueue, queueServiceClientFor } from '../../devhost/queue-storage.js';
import { useLocalStack } from '../support/stack.js';
import { envWithoutExtraCa, runCommand } from './run-command.js';

const stack = useLocalStack({ azurite: { inMemory: true } });

describe('npm run sweep (a real run)', () => {
  let directory: string;
  let settingsFile: string;

  beforeAll(async () => {
    directory = await mkdtemp(path.join(tmpdir(), 'due-notifier-sweep-enqueue-'));
    settingsFile = path.join(directory, 'local.settings.json');
    await writeFile(settingsFile, JSON.stringify({ IsEncrypted: false, Values: stack().settings }));
  });

  afterAll(async () => {
    await rm(directory, { recursive: true, force: true });
  });

  it('enqueues the reminders and says what it enqueued: the summary with `enqueued` is the one line on stdout', async () => {
    const env = envWithoutExtraCa();
    for (const name of Object.keys(stack().settings)) delete env[name];
    const result = await runCommand('scripts/sweep.ts', ['--settings', settingsFile], { env, timeoutMs: 30_000 });
    expect(result.stderr).not.toMatch(/^error/m);
    expect(result.code).toBe(0);
    const lines = result.stdout.trim().split('\n');
    expect(lines).toHaveLength(1);
    const summary = JSON.parse(lines[0] ?? '') as {
      reminders: number;
      senderBudget: unknown;
      enqueued: { queue: string; count: number; ids: string[] };
    };
    const queueName = stack().settings.NOTIFICATION_QUEUE ?? '';
    expect(summary.enqueued.queue).toBe(queueName);
    expect(summary.enqueued.count).toBe(summary.reminders);
    expect(summary.enqueued.ids).toHaveLength(summary.reminders);
    expect(summary.reminders).toBeGreaterThan(0);
    expect(result.stderr).toContain(`Enqueued ${summary.reminders} reminder(s) on queue '${queueName}': `);
    // SENDER_MAILBOX at its default budget, nothing sent yet: all of them fit today.
    expect(summary.senderBudget).toEqual({ known: true, fitToday: summary.reminders, overBudget: 0 });
    expect(result.stderr).toContain(`\n${summary.reminders} reminders enqueued; all fit today's sender budget.\n`);

    const queue = queueServiceClientFor('AzureWebJobsStorage', stack().settings).getQueueClient(queueName);
    const texts = await drainQueue(queue, { encoding: 'none' });
    const ids = texts.map((text) => (JSON.parse(text) as { id: string }).id);
    expect([...ids].sort()).toEqual([...summary.enqueued.ids].sort());
  });
});
