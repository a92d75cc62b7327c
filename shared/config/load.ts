/** `loadConfig`: every setting of schema.ts read and validated at once, into the AppConfig the daemon uses. */
import * as v from 'valibot';
import type { Conditional, SettingDeclaration, SettingTree } from './declaration.js';
import { isDeclaration } from './declaration.js';
import {
  checkClaimOutlastsRequest,
  checkStatusListsDisjoint,
  readCredentialSource,
  readSenderMailboxes,
} from './dependent.js';
import { asSettingText, invalid, missing, PARSE_CONFIG, Problems, settingText } from './problems.js';
import { SETTING_DECLARATIONS, SETTING_SCHEMA } from './schema.js';
import type { SettingSchema } from './schema.js';
import { readStorageConnection } from './storage.js';
import type { AppConfig, DeliveryAppConfig, LoadConfigOptions, SettingsSource } from './types.js';

type Field<T> = v.GenericSchema<string | undefined, T>;

/** The values of the settings that stand alone (not Conditional), shaped as the schema; each typed by its rule. */
export type StandaloneSettings<S extends SettingTree = SettingSchema> = {
  readonly [
    K in keyof S as S[K] extends SettingDeclaration<unknown, Conditional> ? never : K
  ]: S[K] extends SettingDeclaration<infer T> ? T : S[K] extends SettingTree ? StandaloneSettings<S[K]> : never;
};

const TEXT = v.pipe(v.optional(v.string()), v.transform(asSettingText));

function field<T>(declaration: SettingDeclaration<T>): Field<T> {
  const { presence, rule } = declaration;
  return presence.kind === 'default'
    ? v.pipe(TEXT, v.optional(rule.schema, presence.value))
    : v.pipe(TEXT, v.string(), rule.schema);
}

function standaloneSchema(tree: SettingTree): v.GenericSchema<unknown, unknown> {
  const entries: Record<string, v.GenericSchema<unknown, unknown>> = {};
  for (const [key, node] of Object.entries(tree)) {
    if (!isDeclaration(node)) entries[key] = standaloneSchema(node);
    else if (node.presence.kind !== 'conditional') entries[key] = field(node);
  }
  return v.object(entries);
}

/** Read in one valibot parse; its output type is what each declaration's rule produces. */
const STANDALONE = standaloneSchema(SETTING_SCHEMA) as v.GenericSchema<unknown, StandaloneSettings>;

/** `env` shaped as the schema, each value under its key (the valibot input). */
function inputOf(tree: SettingTree, env: SettingsSource): Record<string, unknown> {
  return Object.fromEntries(
    Object.entries(tree).map(([key, node]) => [key, isDeclaration(node) ? env[node.name] : inputOf(node, env)]),
  );
}

/** The declaration an issue's path leads to, through the schema's groups. */
function declarationAt(path: readonly unknown[]): SettingDeclaration | undefined {
  let node: SettingTree | SettingDeclaration | undefined = SETTING_SCHEMA;
  for (const key of path) {
    node = node === undefined || isDeclaration(node) || typeof key !== 'string' ? undefined : node[key];
  }
  return node !== undefined && isDeclaration(node) ? node : undefined;
}

function readStandalone(problems: Problems, env: SettingsSource): StandaloneSettings | undefined {
  const result = v.safeParse(STANDALONE, inputOf(SETTING_SCHEMA, env), PARSE_CONFIG);
  if (result.success) return result.output;
  for (const issue of result.issues) {
    const declaration = declarationAt(issue.path?.map((item) => item.key) ?? []);
    if (declaration === undefined) throw new Error(`Settings schema issue outside a setting: ${issue.message}`);
    const text = settingText(env, declaration.name);
    problems.add(text === undefined ? missing(declaration) : invalid(declaration, text, issue.message));
  }
  return undefined;
}

/**
 * The value of one setting on its own (its default when absent), or undefined when invalid: for a rule
 * across settings that must run even when others fail, and for tools that need one setting's value.
 */
export function standaloneValue<T>(declaration: SettingDeclaration<T>, env: SettingsSource): T | undefined {
  const result = v.safeParse(field(declaration), env[declaration.name], PARSE_CONFIG);
  return result.success ? result.output : undefined;
}

/**
 * Reads and validates every setting. Problems are collected, not stopped at: a ConfigError (code
 * ConfigInvalid) whose `setting` is the first bad setting lists each (see problems.ts). Values that may
 * hold secrets (storage connection strings) are never echoed. Returns a deep-frozen AppConfig.
 */
export function loadConfig(env: SettingsSource): AppConfig;
export function loadConfig(
  env: SettingsSource,
  options: LoadConfigOptions & { readonly requireDelivery: true },
): DeliveryAppConfig;
export function loadConfig(env: SettingsSource, options?: LoadConfigOptions): AppConfig;
export function loadConfig(env: SettingsSource, options: LoadConfigOptions = {}): AppConfig {
  const problems = new Problems(env);
  const settings = readStandalone(problems, env);
  const credential = readCredentialSource(problems);
  const storage = readStorageConnection(problems);
  const senders = readSenderMailboxes(problems, options.requireDelivery ?? false, {
    messagesPerMinute: standaloneValue(SETTING_SCHEMA.mailMessagesPerMinute, env) ?? 30,
    recipientsPerDay: standaloneValue(SETTING_SCHEMA.mailRecipientsPerDay, env) ?? 10_000,
  });
  const claimSeconds = standaloneValue(SETTING_SCHEMA.deliveryClaimSeconds, env);
  const timeoutSeconds = standaloneValue(SETTING_SCHEMA.httpTimeoutSeconds, env);
  if (claimSeconds !== undefined && timeoutSeconds !== undefined) {
    checkClaimOutlastsRequest(problems, claimSeconds, timeoutSeconds);
  }
  const openStatuses = standaloneValue(SETTING_SCHEMA.openStatuses, env);
  const closedStatuses = standaloneValue(SETTING_SCHEMA.closedStatuses, env);
  if (openStatuses !== undefined && closedStatuses !== undefined) {
    checkStatusListsDisjoint(problems, openStatuses, closedStatuses);
  }
  const { senderName, signature, contact, paymentUrl } = SETTING_SCHEMA.mail;
  const branding = {
    senderName: problems.optional(senderName),
    signature: problems.optional(signature),
    contact: problems.optional(contact),
    paymentUrl: problems.optional(paymentUrl),
  };
  // Checked here, read by the telemetry SDK from the environment (functions/support/telemetry.ts).
  problems.optional(SETTING_SCHEMA.telemetry.applicationInsights);
  problems.optional(SETTING_SCHEMA.telemetry.otlpEndpoint);
  if (problems.count > 0 || settings === undefined || credential === undefined || storage === undefined) {
    throw problems.toError(SETTING_DECLARATIONS);
  }
  return deepFreeze({
    tenantId: settings.tenantId,
    clientId: settings.clientId,
    authorityHost: settings.authorityHost,
    keyVaultUrl: settings.keyVaultUrl,
    credential,
    graphBaseUrl: settings.graphBaseUrl,
    siteId: settings.siteId,
    listId: settings.listId,
    columns: settings.columns,
    reminderDays: settings.reminderDays,
    timeZone: settings.timeZone,
    catchUpDays: settings.catchUpDays,
    statuses: { open: settings.openStatuses, closed: settings.closedStatuses },
    minimumAmount: settings.minimumAmount,
    schedule: settings.schedule,
    queueName: settings.queueName,
    storage,
    httpTimeoutMs: settings.httpTimeoutSeconds * 1000,
    runTimeBudgetMs: settings.runTimeBudgetSeconds * 1000,
    secretCacheTtlMs: settings.secretCacheTtlSeconds * 1000,
    graphConcurrency: settings.graphConcurrency,
    verifySnapshotMs: settings.verifySnapshotSeconds * 1000,
    ledgerTable: settings.ledgerTable,
    runHistory: { table: settings.runHistory.table, retentionDays: settings.runHistory.retentionDays },
    delivery: {
      senderMailbox: senders[0]?.mailbox,
      senders,
      retryDelayMs: settings.deliveryRetryDelaySeconds * 1000,
      saveToSentItems: settings.saveToSentItems,
      claimDurationMs: settings.deliveryClaimSeconds * 1000,
    },
    mail: {
      defaultLanguage: settings.mail.defaultLanguage,
      // Unset settings are left out, not carried as undefined.
      branding: Object.fromEntries(Object.entries(branding).filter(([, value]) => value !== undefined)),
    },
  } satisfies AppConfig);
}

function deepFreeze<T>(value: T): T {
  if (typeof value === 'object' && value !== null && !Object.isFrozen(value)) {
    for (const nested of Object.values(value)) {
      deepFreeze(nested);
    }
    Object.freeze(value);
  }
  return value;
}
