/**
 * `npm run demo`: the daemon end to end on this machine. Starts the local Azure stack (Entra ID,
 * managed identity, Key Vault, Graph with the demo obligations, Azurite in memory), makes its settings
 * the environment as the host does with app settings, loads the function app through the local host,
 * fires `reminderTimer` once the way the host does, shows the run summary and the queued reminders, runs
 * `reminderDeliver` on every queued message as the host's queue listener does and shows each e-mail
 * sent, then a second pass (timer and deliveries again) that sends nothing (exactly once), writes the
 * first reminder's e-mail to .local/preview/ and ends with the run history (both runs, as
 * `GET /api/reminders/runs` answers and `npm run runs` prints them). Exits non-zero if a run fails or the
 * second pass sends. With `--from-scratch [--credential MODE]` the tenant starts without the daemon's app
 * registration and `npm run register` creates it first (and, run again, writes nothing).
 */
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { loadFunctionApp } from '../devhost/host.js';
import type { FunctionApp, InvocationLogRecord } from '../devhost/host-types.js';
import { invokeHttpPath } from '../devhost/http-routes.js';
import { runQueueTrigger } from '../devhost/queue-listener.js';
import { decodeQueueMessage, enqueueMessages, queueServiceClientFor } from '../devhost/queue-storage.js';
import { startLocalStack } from '../emulators/stack/stack.js';
import type { LocalStack } from '../emulators/stack/stack.js';
import { ensureLocalCa } from '../emulators/stack/tls.js';
import { openRegistration } from '../registration/register.js';
import { CREDENTIAL_MODES } from '../registration/spec.js';
import type { CredentialMode } from '../registration/spec.js';
import { loadConfig } from '../shared/config/config.js';
import { REMINDER_ID_HEADER } from '../shared/delivery/deliver-reminder.js';
import type { RunPage } from '../shared/history/index.js';
import type { ReminderMessage } from '../shared/reminders/rules.js';
import type { SweepSummary } from '../shared/sweep/sweep.js';
import { commandLineError, failureLine } from './support/cli-errors.js';
import { compareIds, maskEmail, parseSkippedItem, summariseSkipped } from './support/demo-output.js';
import { writePreviews } from './support/mail-preview.js';
import { operatorSignIn } from './support/register-on-stack.js';
import { withRegistrationSettings } from '../registration/app-settings.js';
import { formatRunTable } from './support/run-table.js';
import { relaunchTrustingCa } from './support/trust-ca.js';

const APP_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const SUMMARY_LOG = /^Run \S+ summary: (\{.*\})$/;
const ALREADY_SENT_LOG = /^Reminder \S+: already sent; nothing to do/;
/** As many messages as one peek returns: the demo data has fewer. */
const PEEK_LIMIT = 32;

const USAGE = `Usage: npm run demo [-- --from-scratch [--credential secret|certificate|managed-identity]] [-- --help]
Runs the whole job on the embedded local Azure stack (nothing to configure, no Azure):
  0. with --from-scratch: the tenant starts without the daemon's app registration, and npm run register
     (as the tenant's admin, in the --credential mode, default secret) creates it, its consent and its
     credential; a second register writes nothing; the daemon then runs with the settings it printed;
  1. reminderTimer fires once, as the Functions host would: the run summary and the reminders it queued;
  2. reminderDeliver runs on every queued message: each e-mail sent through Graph (addresses masked);
  3. a second pass (timer and deliveries again) sends nothing: delivery is exactly once;
  4. one reminder e-mail is written to .local/preview/ (npm run preview writes them all);
  5. the run history: both runs and their deliveries (GET /api/reminders/runs, as npm run runs prints it).
Everything stops when the demo ends.`;

interface PassResult {
  /** What was on the queue before the deliveries, in id order. */
  readonly queued: readonly ReminderMessage[];
  /** How many of them the timer wrote. */
  readonly fromTimer: number;
  readonly sent: number;
}

/** How much faster the demo's mailbox runs than Exchange Online's 30 messages a minute. */
const DEMO_TIME_SCALE = 20;

async function main(): Promise<void> {
  const args = parseDemoArguments(process.argv.slice(2));
  if (args === 'help') {
    process.stdout.write(`${USAGE}\n`);
    return;
  }
  await relaunchTrustingCa((await ensureLocalCa()).caCertPath);

  const startedAt = performance.now();
  // The demo's mailbox keeps Exchange Online's limits on a clock 20× faster, and the app paces it to
  // match, so that its deliveries take seconds, not half a minute (docs/delivery.md, "Testing it locally").
  const stack = await startLocalStack({
    azurite: { inMemory: true },
    emptyTenant: args.fromScratch !== undefined,
    mailboxes: { timeScale: DEMO_TIME_SCALE },
  });
  try {
    const settings = args.fromScratch ? await registerFromScratch(stack, args.fromScratch) : stack.settings;
    const sender = settings.SENDER_MAILBOX;
    const pace = sender ? { SENDER_MAILBOXES: `${sender}|${30 * DEMO_TIME_SCALE}` } : {};
    Object.assign(process.env, settings, pace);
    const config = loadConfig(process.env);
    const functionApp = await loadFunctionApp({ entryPoints: ['functions/*.ts'], appRoot: APP_ROOT });
    console.log(`Local stack up; functions: ${functionApp.functions.map((fn) => fn.name).join(', ')}.`);

    console.log(`\n== Pass 1: reminderTimer fires (schedule ${config.schedule}) once, as the host would\n`);
    const first = await runPass(functionApp, stack, config.queueName);

    console.log('\n== Pass 2: the same again (timer, then deliveries): exactly once means nothing is sent');
    console.log("   (pass 1's messages go back on the queue too, as a queue that delivers twice would)\n");
    const second = await runPass(functionApp, stack, config.queueName, first.queued);
    if (second.sent > 0) {
      throw new Error(`The second pass sent ${second.sent} e-mail(s): delivery is not exactly once.`);
    }
    console.log(
      `\nExactly once: pass 1 sent ${first.sent} e-mail(s); pass 2 (its timer queued ${second.fromTimer}, ${second.queued.length} on the queue) sent none.`,
    );

    const [sample] = await writePreviews(first.queued.slice(0, 1));
    if (sample) {
      const where = path.relative(process.cwd(), sample.html);
      console.log(`\nSample e-mail "${sample.mail.subject}": ${where} (and .txt; npm run preview for all)`);
    }
    await printRunHistory(functionApp, config.runHistory.table);
    console.log(`\nDone in ${((performance.now() - startedAt) / 1000).toFixed(1)} s.`);
  } finally {
    await stack.stop();
  }
}

/** The demo's runs as `GET /api/reminders/runs` answers, printed as `npm run runs` prints them, and where they are kept. */
async function printRunHistory(functionApp: FunctionApp, table: string): Promise<void> {
  const outcome = await invokeHttpPath(functionApp, '/api/reminders/runs', { method: 'GET' });
  if (outcome.response.status !== 200) {
    throw new Error(`GET /api/reminders/runs answered ${outcome.response.status}: ${outcome.response.body}`);
  }
  const { runs } = JSON.parse(outcome.response.body) as RunPage;
  console.log(`\nRun history (GET /api/reminders/runs): each run and its deliveries, in table '${table}'`);
  console.log(
    "(here in the demo's in-memory Azurite; with `npm run stack` running: npm run runs, npm run runs -- ID)\n",
  );
  for (const line of formatRunTable(runs)) console.log(`  ${line}`);
}

interface DemoArguments {
  /** The credential mode to register the daemon with, on a tenant without its app registration. */
  readonly fromScratch?: CredentialMode;
}

function parseDemoArguments(argv: readonly string[]): 'help' | DemoArguments {
  let values;
  try {
    ({ values } = parseArgs({
      args: [...argv],
      options: {
        help: { type: 'boolean', short: 'h', default: false },
        'from-scratch': { type: 'boolean', default: false },
        credential: { type: 'string' },
      },
      strict: true,
      allowPositionals: false,
    }));
  } catch (error) {
    throw commandLineError(`${error instanceof Error ? error.message : String(error)} (see --help)`);
  }
  if (values.help) return 'help';
  if (values.credential !== undefined && !values['from-scratch']) {
    throw commandLineError('--credential goes with --from-scratch (see --help).');
  }
  const mode = values.credential ?? 'secret';
  if (!CREDENTIAL_MODES.includes(mode as CredentialMode)) {
    throw commandLineError(`--credential must be one of ${CREDENTIAL_MODES.join(', ')} (got '${mode}').`);
  }
  return values['from-scratch'] ? { fromScratch: mode as CredentialMode } : {};
}

/**
 * `npm run register` as the tenant's admin on a stack without the daemon's registration, then again to
 * show that it writes nothing; the daemon's app settings: the stack's with the registration's on top.
 */
async function registerFromScratch(stack: LocalStack, mode: CredentialMode): Promise<Record<string, string>> {
  console.log(
    `== npm run register -- --credential ${mode}, as the tenant's admin, on a tenant without the daemon's app\n`,
  );
  // The secretless mode trusts the function app's user-assigned identity.
  const identity = mode === 'managed-identity' ? stack.userAssignedIdentities[0]?.clientId : undefined;
  const options = { credential: mode, ...(identity ? { managedIdentityClientId: identity } : {}) };
  const registration = await openRegistration(options, stack.settings, operatorSignIn(stack), {
    pollIntervalMs: 100,
  });
  const first = await registration.run({ onStep: (line) => console.log(`  - ${line}`) });
  console.log(
    `\n  ${first.plan.length} step(s), ${first.writes} write request(s) to Graph and Key Vault. App settings:`,
  );
  for (const [name, value] of Object.entries(first.settings ?? {})) console.log(`    ${name}=${value}`);
  const second = await registration.run();
  if (second.writes > 0 || second.plan.length > 0) {
    throw new Error(`The second register planned ${second.plan.length} step(s) and wrote ${second.writes} time(s).`);
  }
  console.log('\n  register again: nothing to change (0 writes).\n');
  return withRegistrationSettings(stack.settings, first.settings ?? {});
}

/** One timer run, the queue it filled, and reminderDeliver on every message of it. */
async function runPass(
  functionApp: FunctionApp,
  stack: LocalStack,
  queueName: string,
  redelivered: readonly ReminderMessage[] = [],
): Promise<PassResult> {
  const outcome = await functionApp.invokeTimer('reminderTimer');
  printTimerLogs(outcome.logs);
  if (outcome.status === 'failed') {
    throw outcome.error;
  }
  const summary = summaryFrom(outcome.logs);
  if (summary) {
    console.log('\nRun summary');
    printSummary(summary);
  }

  const queue = queueServiceClientFor('AzureWebJobsStorage', process.env).getQueueClient(queueName);
  const encoding = functionApp.hostJson.queueMessageEncoding;
  const queuedByTimer = outcome.outputs.reduce((count, output) => count + output.messageCount, 0);
  if (redelivered.length > 0) {
    await enqueueMessages(
      queue,
      redelivered.map((reminder) => JSON.stringify(reminder)),
      { encoding },
    );
  }
  const { peekedMessageItems } = await queue.peekMessages({ numberOfMessages: PEEK_LIMIT });
  const queued = peekedMessageItems
    .map((message) => JSON.parse(decodeQueueMessage(message.messageText, encoding)) as ReminderMessage)
    .sort((a, b) => compareIds(a.id, b.id));
  const origin = redelivered.length > 0 ? ` (${queuedByTimer} from the timer, ${redelivered.length} put back)` : '';
  console.log(`\n${queued.length} reminder(s) on queue '${queueName}'${origin}:\n`);
  if (queued.length > 0) {
    printReminders(queued);
  }

  const outboxBefore = stack.graph.outbox().length;
  const delivery = await runQueueTrigger(functionApp, 'reminderDeliver');
  const mails = stack.graph
    .outbox()
    .slice(outboxBefore)
    .map((mail) => ({
      id: mail.internetMessageHeaders.find((header) => header.name === REMINDER_ID_HEADER)?.value ?? '?',
      to: mail.toRecipients.map((recipient) => maskEmail(recipient.address)).join(', '),
      subject: mail.subject,
    }))
    .sort((a, b) => compareIds(a.id, b.id));
  const failed = delivery.outcomes.filter((result) => result.status === 'failed').length;
  const alreadySent = delivery.outcomes
    .flatMap((result) => result.logs)
    .filter((record) => ALREADY_SENT_LOG.test(record.message)).length;
  console.log(
    `\nreminderDeliver ran ${delivery.outcomes.length} time(s): ${mails.length} e-mail(s) sent` +
      `${alreadySent > 0 ? `, ${alreadySent} skipped as already sent (the ledger)` : ''}` +
      `${failed > 0 ? `, ${failed} failed (the queue retries them)` : ''}` +
      `${delivery.poisoned.length > 0 ? `, ${delivery.poisoned.length} moved to the poison queue` : ''}.`,
  );
  for (const mail of mails) {
    console.log(`  sent  ${mail.id.padEnd(16)} to ${mail.to.padEnd(26)} "${mail.subject}"`);
  }
  for (const record of delivery.outcomes.flatMap((result) => result.logs)) {
    if (record.level === 'warning' || record.level === 'error') {
      console.log(`  [${record.functionName}] ${record.level}: ${record.message}`);
    }
  }
  return { queued, fromTimer: queuedByTimer, sent: mails.length };
}

/** The timer's log: skipped items summarised by reason, the summary left to printSummary. */
function printTimerLogs(logs: readonly InvocationLogRecord[]): void {
  const skipped = [];
  for (const record of logs) {
    const item = parseSkippedItem(record.message);
    if (item) {
      skipped.push(item);
    } else if (!SUMMARY_LOG.test(record.message)) {
      console.log(`  [${record.functionName}] ${record.level}: ${record.message}`);
    }
  }
  if (skipped.length > 0) {
    console.log(`\nSkipped items (no reminder), by reason:`);
    for (const line of summariseSkipped(skipped)) {
      console.log(`  ${line}`);
    }
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

main().catch((error: unknown) => {
  console.error(failureLine(error));
  process.exitCode = 1;
});
