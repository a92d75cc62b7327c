/**
 * `npm run demo`: the daemon end to end on this machine. Starts the local Azure stack (Entra ID,
 * managed identity, Key Vault, Graph with the demo obligations, Azurite in memory), makes its settings
 * the environment as the host does with app settings, loads the function app through the local host,
 * fires `reminderTimer` once the way the host does, and shows the run summary and the reminders read
 * back from the queue, and writes the first reminder's e-mail to .local/preview/. Exits non-zero if the
 * run fails.
 */
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadFunctionApp } from '../devhost/host.js';
import type { InvocationLogRecord } from '../devhost/host.js';
import { drainQueue, queueServiceClientFor } from '../devhost/queue-storage.js';
import { startLocalStack } from '../emulators/stack/stack.js';
import { ensureLocalCa } from '../emulators/stack/tls.js';
import { loadConfig } from '../shared/config/config.js';
import type { ReminderMessage } from '../shared/reminders/rules.js';
import type { SweepSummary } from '../shared/sweep/sweep.js';
import { failureLine } from './support/cli-errors.js';
import { writePreviews } from './support/mail-preview.js';
import { relaunchTrustingCa } from './support/trust-ca.js';

const APP_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const SUMMARY_LOG = /^Run \S+ summary: (\{.*\})$/;

async function main(): Promise<void> {
  await relaunchTrustingCa((await ensureLocalCa()).caCertPath);

  const startedAt = performance.now();
  const stack = await startLocalStack({ azurite: { inMemory: true } });
  try {
    Object.assign(process.env, stack.settings);
    const config = loadConfig(process.env);
    const functionApp = await loadFunctionApp({ entryPoints: ['functions/*.ts'], appRoot: APP_ROOT, onLog: printLog });
    console.log(`Local stack up; functions: ${functionApp.functions.map((fn) => fn.name).join(', ')}.`);
    console.log(`Firing reminderTimer (schedule ${config.schedule}) once, as the host would:\n`);

    const outcome = await functionApp.invokeTimer('reminderTimer');
    if (outcome.status === 'failed') {
      throw outcome.error;
    }
    const summary = summaryFrom(outcome.logs);
    const { queueName } = config;
    const queue = queueServiceClientFor('AzureWebJobsStorage', process.env).getQueueClient(queueName);
    const texts = await drainQueue(queue, { encoding: functionApp.hostJson.queueMessageEncoding });
    const reminders = texts.map((text) => JSON.parse(text) as ReminderMessage);

    console.log('\nRun summary');
    if (summary) {
      printSummary(summary);
    }
    console.log(`\n${reminders.length} reminder(s) on queue '${queueName}':\n`);
    printReminders(reminders);
    const [sample] = await writePreviews(reminders.slice(0, 1));
    if (sample) {
      const where = path.relative(process.cwd(), sample.html);
      console.log(`\nSample e-mail "${sample.mail.subject}": ${where} (and .txt; npm run preview for all)`);
    }
    console.log(`\nDone in ${((performance.now() - startedAt) / 1000).toFixed(1)} s.`);
  } finally {
    await stack.stop();
  }
}

function printLog(record: InvocationLogRecord): void {
  if (!SUMMARY_LOG.test(record.message)) {
    console.log(`  [${record.functionName}] ${record.level}: ${record.message}`);
  }
}

function summaryFrom(logs: readonly InvocationLogRecord[]): SweepSummary | undefined {
  for (const record of logs) {
    const match = SUMMARY_LOG.exec(record.message);
    if (match?.[1]) {
      return JSON.parse(match[1]) as SweepSummary;
    }
  }
  return undefined;
}

function printSummary(summary: SweepSummary): void {
  const skipped = Object.entries(summary.skipped).map(([reason, count]) => `${reason} ${count}`);
  const rows: [string, string][] = [
    ['run id', summary.runId],
    ['now', summary.now],
    ['items read', String(summary.itemsRead)],
    ['eligible', String(summary.eligible)],
    ['reminders', String(summary.reminders)],
    ['skipped', skipped.length > 0 ? skipped.join(', ') : 'none'],
    [
      'requests',
      `graph ${summary.requests.graph}, token ${summary.requests.token}, key vault ${summary.requests.keyVault}`,
    ],
    ['duration', `${summary.durationMs} ms`],
  ];
  for (const [label, value] of rows) {
    console.log(`  ${label.padEnd(11)} ${value}`);
  }
}

function printReminders(reminders: readonly ReminderMessage[]): void {
  const header = ['id', 'customer', 'e-mail', 'due date', 'days left', 'amount'];
  const rows = reminders.map((reminder) => [
    reminder.id,
    reminder.customer.name,
    maskEmail(reminder.customer.email),
    reminder.dueDate,
    String(reminder.daysLeft),
    `${reminder.amount} ${reminder.currency}`,
  ]);
  const widths = header.map((title, column) =>
    Math.max(title.length, ...rows.map((row) => (row[column] ?? '').length)),
  );
  const format = (cells: readonly string[]): string =>
    cells
      .map((cell, column) =>
        column === 4 || column === 5 ? cell.padStart(widths[column] ?? 0) : cell.padEnd(widths[column] ?? 0),
      )
      .join('  ');
  console.log(`  ${format(header)}`);
  console.log(`  ${widths.map((width) => '-'.repeat(width)).join('  ')}`);
  for (const row of rows) {
    console.log(`  ${format(row)}`);
  }
}

/** `a***@example.com`: enough to tell customers apart, not enough to harvest addresses from a screen. */
function maskEmail(address: string): string {
  const at = address.lastIndexOf('@');
  return at <= 0 ? '***' : `${address[0] ?? ''}***${address.slice(at)}`;
}

main().catch((error: unknown) => {
  console.error(failureLine(error));
  process.exitCode = 1;
});
