/**
 * The app's one runtime: its long-lived clients, kept at module level so that they outlive invocations,
 * one set per configuration, shared by the sweep (timer, HTTP trigger) and the delivery (queue trigger).
 * One credential for the function app's own identity (reads Key Vault, and Table storage when
 * identity-based), the Key Vault credential and its cache, one MSAL confidential client and its token
 * cache, the Graph client, the mailer and the ledger. A warm instance then runs without a Key Vault or
 * token request, whichever function runs.
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
import { createKeyVaultCredentialProvider } from './clients/key-vault-credentials.js';
import type { ClientCredentialProvider } from './clients/key-vault-credentials.js';
import { createDelayedQueue, createQueueClient } from './clients/queue-storage.js';
import type { DelayedQueue } from './clients/queue-storage.js';
import { createTableClient } from './clients/table-storage.js';
import { loadConfig } from './config/config.js';
import type { AppConfig, DeliveryAppConfig, SettingsSource } from './config/config.js';
import { deliverReminder } from './delivery/deliver-reminder.js';
import type { DeliveryOutcome, DeliverySettings } from './delivery/deliver-reminder.js';
import type { Reschedule } from './delivery/deferral.js';
import { backlogReport, redrive } from './delivery/backlog.js';
import type { BacklogQueues, BacklogReport, RedriveOptions, RedriveResult } from './delivery/backlog.js';
import { createDeliverySummary } from './delivery/delivery-summary.js';
import type { DeliverySummary } from './delivery/delivery-summary.js';
import { createReminderLedger, findSentReminderIds } from './delivery/ledger/index.js';
import type { ReminderLedger } from './delivery/ledger/index.js';
import { readMailTemplateFiles } from './delivery/mail-template-files.js';
import { createMailer } from './delivery/mailer.js';
import type { Mailer } from './delivery/mailer.js';
import { createReminderVerifier } from './delivery/verification/verifier.js';
import type { ReminderVerifier, VerificationCounts } from './delivery/verification/verifier.js';
import { createRequestMetrics } from './http/metrics.js';
import type { RequestMetrics } from './http/metrics.js';
import { createThrottlePauses } from './http/throttle-pauses.js';
import type { ThrottlePauses } from './http/throttle-pauses.js';
import { ConfigError } from './base/errors.js';
import { compileMailTemplates } from './reminders/mail-template.js';
import type { ReminderMail } from './reminders/mail-template.js';
import type { ReminderMessage } from './reminders/rules.js';
import { readDueWindow } from './sweep/due-window.js';
import { reminderRulesOf, runSweep } from './sweep/sweep.js';
import type { SweepOptions, SweepResult } from './sweep/sweep.js';

export interface DaemonRuntime {
  readonly config: AppConfig;
  /** The function app's own identity (its managed identity in Azure): reads Key Vault and Table storage. */
  readonly identity: TokenCredential;
  /** The app registration's credential, read from Key Vault with `identity`. */
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
  /** The reminders queue, for putting a reminder back for later (a visibility delay). */
  readonly queue: DelayedQueue;
  /** The reminders queue and its poison queue, for the backlog report and the re-drive. */
  readonly queues: BacklogQueues;
}

/** The same runtime as the delivery sees it: the sender mailbox is set. */
export interface DeliveryRuntime extends DaemonRuntime {
  readonly config: DeliveryAppConfig;
  readonly settings: DeliverySettings;
  /** The e-mail of a reminder, from the template files checked when this runtime was built. */
  readonly renderMail: (reminder: ReminderMessage, daysLeft: number) => ReminderMail;
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

/** How delivery tells and waits for time: the system clock, unless a tool that simulates days sets its own. */
let deliveryTime: {
  readonly clock?: () => Date;
  readonly sleep?: (ms: number, abortSignal?: AbortSignal) => Promise<void>;
} = {};

/**
 * For tools that simulate time (the soak, the benchmark): the clock delivery reads (claims, pace, daily
 * budget, due dates) and how it waits for a send slot. No argument: the system clock again.
 */
export function setDeliveryTime(time: typeof deliveryTime = {}): void {
  deliveryTime = time;
}

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
    settings: {
      senderMailbox: config.delivery.senderMailbox,
      senders: config.delivery.senders,
      retryDelayMs: config.delivery.retryDelayMs,
      saveToSentItems: config.delivery.saveToSentItems,
      claimDurationMs: config.delivery.claimDurationMs,
      timeZone: config.timeZone,
    },
    renderMail: createMailRenderer(config),
    verifier: createReminderVerifier({
      rules: reminderRulesOf(config),
      snapshotMaxAgeMs: config.verifySnapshotMs,
      readDueWindow: (now, abortSignal) => readDueWindow(config, entry.runtime.graph, now, abortSignal),
    }),
    reschedule: (reminder, at, abortSignal) =>
      entry.runtime.queue.sendAt(JSON.stringify(reminder), at, {
        now: deliveryTime.clock?.() ?? new Date(),
        ...(abortSignal ? { abortSignal } : {}),
      }),
    summary: createDeliverySummary(),
  };
  return entry.delivery;
}

/**
 * Reads and checks the template files once, when the delivery's runtime is built: a bad template or a
 * default language without strings fails here, naming the file or the setting, not at the first send.
 */
function createMailRenderer(config: AppConfig): DeliveryRuntime['renderMail'] {
  const templates = compileMailTemplates(readMailTemplateFiles());
  const { defaultLanguage, branding } = config.mail;
  if (!templates.languages.has(defaultLanguage)) {
    throw new ConfigError(
      'MAIL_DEFAULT_LANGUAGE',
      `MAIL_DEFAULT_LANGUAGE is "${defaultLanguage}", which has no strings file: set it to one of ${[...templates.languages].join(', ')}, or add templates/strings/${defaultLanguage}.json`,
    );
  }
  return (reminder, daysLeft) => templates.render(reminder, { daysLeft, branding, defaultLanguage });
}

/** Verify before send's counts on this instance (`requestsPerConfirmed`: Graph list requests per e-mail). */
export function deliveryVerificationCounts(): VerificationCounts | undefined {
  return cached?.delivery?.verifier.counts();
}

/** Forgets the delivery's snapshot of the list and its counts (tests; a list known to have changed). */
export function resetDeliveryVerification(): void {
  cached?.delivery?.verifier.reset();
}

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
  const identity = new DefaultAzureCredential();
  const credentials = createKeyVaultCredentialProvider({
    vaultUrl: config.keyVaultUrl,
    source: config.credential,
    tokenCredential: identity,
    cacheTtlMs: config.secretCacheTtlMs,
    timeoutMs: config.httpTimeoutMs,
    metrics,
    logger,
  });
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
  const queue = createDelayedQueue(queues.queue);
  return { config, identity, credentials, tokens, graph, mailer, ledger, metrics, throttle, queue, queues };
}

/**
 * A sweep as the timer and the HTTP trigger run it, on the runtime of the app settings in the
 * environment: reminders the ledger records as sent are left out.
 */
export function sweepWithRuntime(logger: Logger, options: SweepOptions): Promise<SweepResult> {
  const { config, graph, metrics, ledger } = getDaemonRuntime(process.env);
  const findSent = (reminders: readonly ReminderMessage[], abortSignal?: AbortSignal) =>
    findSentReminderIds(ledger, reminders, abortSignal ? { abortSignal } : {});
  return runSweep({ config, graph, metrics, logger, findSent }, options);
}

/** One reminder delivered as reminderDeliver does it, on the runtime of the app settings in the environment. */
export async function deliverWithRuntime(
  reminder: ReminderMessage,
  logger: Logger,
  deliveryId: string,
): Promise<DeliveryOutcome> {
  const { ledger, mailer, settings, renderMail, verifier, reschedule, summary } = getDeliveryRuntime(process.env);
  const deps = { ledger, mailer, settings, renderMail, verifier, logger, reschedule, ...deliveryTime };
  const outcome = await deliverReminder(deps, reminder, { deliveryId });
  summary.add(outcome, logger);
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
