/**
 * The app's one runtime: its long-lived clients, kept at module level so that they outlive invocations,
 * one set per configuration, shared by the sweep (timer, HTTP trigger) and the delivery (queue trigger).
 * One credential for the function app's own identity (reads Key Vault, and Table storage when
 * identity-based), the Key Vault credential and its cache, one MSAL confidential client and its token
 * cache, the Graph client, the mailer, the ledger and the run history. A warm instance then runs without
 * a Key Vault or token request, whichever function runs.
 *
 * Settings are read when a function runs, not when the module loads: a missing setting must not stop
 * the host from indexing the functions; it fails each invocation with a ConfigError that names it.
 * A changed setting (the host restarts the app on changes, tests switch stacks) builds new clients.
 * The managed identity is not a setting of ours: DefaultAzureCredential finds it in the process
 * environment (IDENTITY_ENDPOINT, AZURE_CLIENT_ID, ...) when the runtime is built.
 *
 * The functions load this module, and the SDKs behind it, at their first run (the deploy package has it
 * in a chunk of its own, see scripts/support/function-app-bundle.ts): it is most of the cold start.
 */
import { DefaultAzureCredential } from '@azure/identity';
import type { TokenCredential } from '@azure/identity';
import type { Logger } from './base/logger.js';
import { createGraphTokenProvider, graphScopeFor } from './clients/auth.js';
import type { GraphTokenProvider } from './clients/auth.js';
import { createGraphClient } from './clients/graph.js';
import type { GraphClient } from './clients/graph.js';
import { createAppCredentials } from './clients/app-credentials.js';
import type { ClientCredentialProvider } from './clients/client-credential.js';
import { createDelayedQueue, createQueueClient } from './clients/queue-storage.js';
import { createTableClient } from './clients/table-storage.js';
import { loadConfig } from './config/config.js';
import type { AppConfig, DeliveryAppConfig, SettingsSource } from './config/config.js';
import { deliverReminder } from './delivery/deliver-reminder.js';
import type { DeliveryDependencies, DeliveryOutcome, DeliverySettings } from './delivery/deliver-reminder.js';
import { rescheduleOn } from './delivery/deferral.js';
import type { Reschedule } from './delivery/deferral.js';
import { backlogReport, redrive } from './delivery/backlog.js';
import type { BacklogQueues, BacklogReport, RedriveOptions, RedriveResult } from './delivery/backlog.js';
import { createDeliverySummary } from './delivery/delivery-summary.js';
import { dailyBudgetCheck } from './delivery/daily-budget.js';
import { deliveryTime } from './delivery/delivery-time.js';
import type { DeliverySummary } from './delivery/delivery-summary.js';
import { createReminderLedger, findSentReminderIds } from './delivery/ledger/index.js';
import type { ReminderLedger } from './delivery/ledger/index.js';
import { createMailRenderer } from './delivery/mail-renderer.js';
import type { MailRenderer } from './delivery/mail-renderer.js';
import { createMailer } from './delivery/mailer.js';
import type { Mailer } from './delivery/mailer.js';
import { createReminderVerifier } from './delivery/verification/verifier.js';
import type { ReminderVerifier, VerificationCounts } from './delivery/verification/verifier.js';
import { createRequestMetrics } from './http/metrics.js';
import type { RequestMetrics } from './http/metrics.js';
import { createThrottlePauses } from './http/throttle-pauses.js';
import type { ThrottlePauses } from './http/throttle-pauses.js';
import type { ReminderMessage } from './reminders/rules.js';
import { createRunHistory, findResubmittable, pruneRuns, recordDelivery, recordSweep } from './history/index.js';
import type { RecordedRunOptions, RunHistory, RunTrigger } from './history/index.js';
import { HISTORY_CLIENT_OPTIONS, HISTORY_TIMEOUT_MS } from './history/run-history.js';
import { errorCodeOf } from './base/telemetry.js';
import { dueWindowVerification } from './sweep/due-window.js';
import { runSweep } from './sweep/sweep.js';
import type { SweepOptions, SweepResult } from './sweep/sweep.js';

export interface DaemonRuntime {
  readonly config: AppConfig;
  /** The function app's own identity (its managed identity in Azure): reads Key Vault and Table storage. */
  readonly identity: TokenCredential;
  /** The app registration's credential: read from Key Vault with `identity`, or the managed identity's assertion. */
  readonly credentials: ClientCredentialProvider;
  readonly tokens: GraphTokenProvider;
  readonly graph: GraphClient;
  readonly mailer: Mailer;
  /** The idempotency ledger: the sweep checks it, the delivery writes it. */
  readonly ledger: ReminderLedger;
  /** Counts every request these clients make, for the lifetime of the runtime. */
  readonly metrics: RequestMetrics;
  /** One throttle pause per origin, shared by the Graph reads (the mailer paces each mailbox in the ledger). */
  readonly throttle: ThrottlePauses;
  /** The reminders queue and its poison queue, for the backlog report and the re-drive. */
  readonly queues: BacklogQueues;
  /** Each run and the outcomes of its deliveries (shared/history/); written best effort. */
  readonly history: RunHistory;
}

/** The same runtime as the delivery sees it: the sender mailbox is set. */
export interface DeliveryRuntime extends DaemonRuntime {
  readonly config: DeliveryAppConfig;
  readonly settings: DeliverySettings;
  /** The e-mail of a reminder, from the template files checked when this runtime was built. */
  readonly renderMail: MailRenderer;
  /** Verify before send: one snapshot of the due window shared by this instance's deliveries. */
  readonly verifier: ReminderVerifier;
  /** A new copy of a reminder's message on the queue, invisible until the given moment. */
  readonly reschedule: Reschedule;
  /** This worker's deliveries, summarised once a minute. */
  readonly summary: DeliverySummary;
}

export interface DaemonRuntimeOptions {
  /**
   * Where the long-lived clients log (credential expiry warnings, retries). They outlive any one
   * invocation, so this is not an invocation's context; default: the console.
   */
  readonly logger?: Logger;
}

export { setDeliveryTime } from './delivery/delivery-time.js';

/** The one cache: the runtime of the current configuration, and its delivery view once asked for. */
let cached: { readonly key: string; readonly runtime: DaemonRuntime; delivery?: DeliveryRuntime } | undefined;

/**
 * The runtime for the current settings, built on first use and reused while the validated settings
 * stay the same. Throws ConfigError for a missing or invalid setting; SENDER_MAILBOX is not required.
 */
export function getDaemonRuntime(env: SettingsSource = process.env, options: DaemonRuntimeOptions = {}): DaemonRuntime {
  return cacheEntryFor(loadConfig(env), options).runtime;
}

/**
 * The same runtime for the delivery. Throws one ConfigError listing every missing or invalid setting,
 * SENDER_MAILBOX included.
 */
export function getDeliveryRuntime(
  env: SettingsSource = process.env,
  options: DaemonRuntimeOptions = {},
): DeliveryRuntime {
  const config = loadConfig(env, { requireDelivery: true });
  const entry = cacheEntryFor(config, options);
  entry.delivery ??= {
    ...entry.runtime,
    config,
    settings: { ...config.delivery, timeZone: config.timeZone },
    renderMail: createMailRenderer(config.mail),
    verifier: createReminderVerifier(dueWindowVerification(config, entry.runtime.graph)),
    reschedule: rescheduleOn(createDelayedQueue(entry.runtime.queues.queue)),
    summary: createDeliverySummary(),
  };
  return entry.delivery;
}

export { getRun, listRuns } from './history/index.js';
export { telemetryCredential } from './clients/telemetry-credential.js';

/** Verify before send on this instance: its counts (Graph list requests per e-mail) and its snapshot's reset. */
export const deliveryVerification = {
  counts: (): VerificationCounts | undefined => cached?.delivery?.verifier.counts(),
  reset: (): void => cached?.delivery?.verifier.reset(),
};

/** Forgets the cached clients (tests; a new configuration is picked up anyway). */
export function resetDaemonRuntime(): void {
  cached = undefined;
}

function cacheEntryFor(config: AppConfig, options: DaemonRuntimeOptions): NonNullable<typeof cached> {
  // A set SENDER_MAILBOX is part of the configuration whether the delivery requires it or not, so the
  // sweep and the delivery of one configuration meet on the same key.
  const key = JSON.stringify(config);
  if (cached?.key !== key) {
    cached = { key, runtime: createDaemonRuntime(config, options.logger ?? console) };
  }
  return cached;
}

export function createDaemonRuntime(config: AppConfig, logger: Logger): DaemonRuntime {
  const metrics = createRequestMetrics();
  // One credential, so one managed-identity token cache, for every Azure service the app itself calls.
  const { managedIdentityClientId } = config;
  const identity = new DefaultAzureCredential(managedIdentityClientId === undefined ? {} : { managedIdentityClientId });
  const credentials = createAppCredentials(config, identity, metrics, logger);
  const tokens = createGraphTokenProvider({
    tenantId: config.tenantId,
    clientId: config.clientId,
    authorityHost: config.authorityHost,
    scope: graphScopeFor(config.graphBaseUrl),
    credentials,
    timeoutMs: config.httpTimeoutMs,
    metrics,
    logger,
  });
  // The due-date ranges read at once, and sendMail, pause together when Graph throttles the app.
  const throttle = createThrottlePauses();
  const graph = createGraphClient({
    baseUrl: config.graphBaseUrl,
    tokens,
    timeoutMs: config.httpTimeoutMs,
    metrics,
    logger,
    throttle,
  });
  // The mailer neither shares the list reads' pause nor warns per retry: a mailbox's throttling is that
  // mailbox's, paced and paused for every instance in the ledger, and summarised once a minute.
  const mailer = createMailer({ baseUrl: config.graphBaseUrl, tokens, timeoutMs: config.httpTimeoutMs, metrics });
  const ledger = createReminderLedger(createTableClient(config.storage, config.ledgerTable, identity));
  const queues: BacklogQueues = {
    queue: createQueueClient(config.storage, config.queueName, identity),
    poison: createQueueClient(config.storage, `${config.queueName}-poison`, identity),
  };
  const history = createRunHistory(
    createTableClient(config.storage, config.runHistory.table, identity, HISTORY_CLIENT_OPTIONS),
    { timeoutMs: Math.min(config.httpTimeoutMs, HISTORY_TIMEOUT_MS) },
  );
  return { config, identity, credentials, tokens, graph, mailer, ledger, metrics, throttle, queues, history };
}

/**
 * A sweep as the timer and the HTTP trigger run it, on the runtime of the app settings in the
 * environment: reminders the ledger records as sent are left out, those left are counted against the
 * sender mailboxes' daily budget (their pace in the ledger); the run is recorded in the run history,
 * and a timer run then prunes the runs older than the retention (a few at a time).
 */
export async function sweepWithRuntime(
  logger: Logger,
  options: SweepOptions & RecordedRunOptions,
): Promise<SweepResult> {
  const { config, graph, metrics, ledger, history } = getDaemonRuntime(process.env);
  const findSent = (reminders: readonly ReminderMessage[], abortSignal?: AbortSignal) =>
    findSentReminderIds(ledger, reminders, abortSignal ? { abortSignal } : {});
  const senderBudget = dailyBudgetCheck(ledger, config.delivery.senders);
  try {
    return await recordSweep(history, logger, options, (sweepOptions) =>
      runSweep({ config, graph, metrics, logger, findSent, senderBudget }, sweepOptions),
    );
  } finally {
    if (options.trigger === 'timer') {
      await pruneRuns(history, logger, { retentionDays: config.runHistory.retentionDays });
    }
  }
}

/**
 * Runs the failed (or abandoned) run `failedRunId` again at its instant, dry if it was (HistoryError
 * RunNotFound or RunNotFailed otherwise): safe, as reminder ids are stable and the ledger sends each once.
 */
export async function resubmitWithRuntime(
  logger: Logger,
  failedRunId: string,
  run: { readonly runId?: string; readonly trigger: RunTrigger },
): Promise<SweepResult & { readonly dryRun: boolean }> {
  const { history, config } = getDaemonRuntime(process.env);
  // A run still `running` after its time budget (and a minute's grace) died before it recorded its end.
  const failed = await findResubmittable(history, failedRunId, { abandonedAfterMs: config.runTimeBudgetMs + 60_000 });
  const result = await sweepWithRuntime(logger, {
    ...run,
    now: new Date(failed.instant),
    dryRun: failed.dryRun,
    resubmittedFrom: { runId: failed.runId, startedAt: failed.startedAt },
  });
  return { ...result, dryRun: failed.dryRun };
}

/**
 * One reminder delivered as reminderDeliver does it, on the runtime of the app settings in the
 * environment; the outcome is recorded against the reminder's run (`deferred` with the code when the
 * delivery throws and the queue retries it). Messages without a run id (older ones) are not recorded.
 */
export async function deliverWithRuntime(
  reminder: ReminderMessage,
  logger: Logger,
  deliveryId: string,
): Promise<DeliveryOutcome> {
  const runtime = getDeliveryRuntime(process.env);
  const { summary, history } = runtime;
  const record = async (status: string, code?: string): Promise<void> => {
    if (reminder.runId === undefined) return;
    await recordDelivery(history, logger, {
      runId: reminder.runId,
      reminderId: reminder.id,
      status,
      ...(code === undefined ? {} : { code }),
    });
  };
  const deps: DeliveryDependencies = { ...runtime, logger, ...deliveryTime() };
  let outcome: DeliveryOutcome;
  try {
    outcome = await deliverReminder(deps, reminder, { deliveryId });
  } catch (error) {
    await record('deferred', errorCodeOf(error));
    throw error;
  }
  summary.add(outcome, logger);
  await record(outcome.status, 'code' in outcome ? outcome.code : undefined);
  return outcome;
}

/** What is waiting, deferred and failed, and why (GET /api/reminders/backlog, npm run redrive). */
export function backlogWithRuntime(abortSignal?: AbortSignal): Promise<BacklogReport> {
  const { ledger, queues } = getDaemonRuntime(process.env);
  return backlogReport(ledger, queues, abortSignal);
}

/** The poison queue's reminders back on the queue (POST /api/reminders/redrive, npm run redrive). */
export function redriveWithRuntime(options: RedriveOptions = {}): Promise<RedriveResult> {
  const { ledger, queues } = getDaemonRuntime(process.env);
  return redrive(ledger, queues, options);
}
