/**
 * What the run history holds about a run and its deliveries, and how it is stored: a run as one Table
 * entity of flat properties (counts by reason as JSON text, as reasons may be added), a delivery outcome
 * as one small entity. Failure messages are stored as one line without e-mail addresses, URLs or hosts.
 */
import { isRecord } from '../base/is-record.js';

/** How a run was started: the timer, `POST /api/reminders/run` (or a resubmit over HTTP), or `npm run sweep` / `npm run runs`. */
export type RunTrigger = 'timer' | 'http' | 'cli';
/** `running` until it ends; a run whose process died stays `running`. */
export type RunStatus = 'running' | 'succeeded' | 'failed';

export const RUN_STATUSES: readonly RunStatus[] = ['running', 'succeeded', 'failed'];
/** Runs in a page of the history, unless asked for fewer or more (at most {@link MAX_PAGE_SIZE}). */
export const DEFAULT_PAGE_SIZE = 20;
export const MAX_PAGE_SIZE = 100;
const RUN_TRIGGERS: ReadonlySet<string> = new Set<RunTrigger>(['timer', 'http', 'cli']);

/** A run's counts, as the sweep's summary has them (SweepSummary satisfies it). */
export interface RunCounts {
  readonly itemsRead: number;
  readonly eligible: number;
  /** Reminders emitted (enqueued, or shown by a dry run). */
  readonly reminders: number;
  readonly alreadySent: number;
  readonly skipped: Readonly<Partial<Record<string, number>>>;
  readonly languageIgnored?: number;
  readonly warnings?: readonly string[];
  /** How many reminders fit the sender mailboxes' daily budget, or why that is unknown; with a sender mailbox. */
  readonly senderBudget?: SenderBudgetCounts;
}

/** The sweep's `senderBudget`: reminders that fit today's sender budget and those that go out tomorrow first. */
export type SenderBudgetCounts =
  | { readonly known: true; readonly fitToday: number; readonly overBudget: number }
  | { readonly known: false; readonly reason: string };

export interface RunFailure {
  readonly code: string;
  /** One line, without e-mail addresses, URLs or hosts. */
  readonly message: string;
}

/** Deliveries of a run's reminders: each reminder counted once per outcome it had (a retried one may have two). */
export interface DeliveryCounts {
  /** By outcome: `sent`, `alreadySettled`, `inProgress`, `failed`, `deferred` (thrown: the queue retries), … */
  readonly byStatus: Readonly<Record<string, number>>;
  /** Failed and deferred deliveries by code. */
  readonly byCode: Readonly<Record<string, number>>;
}

export interface RunRecord {
  readonly runId: string;
  readonly trigger: RunTrigger;
  /** The run's instant: the rules were applied at it (a resubmitted run keeps the original's). */
  readonly instant: string;
  readonly startedAt: string;
  readonly endedAt?: string;
  readonly durationMs?: number;
  readonly status: RunStatus;
  readonly dryRun: boolean;
  readonly failure?: RunFailure;
  readonly counts?: RunCounts;
  /** The failed run this one re-ran. */
  readonly resubmittedFrom?: string;
  /** The latest run that re-ran this one. */
  readonly resubmittedAs?: string;
}

/** One delivery outcome of a reminder of a run. */
export interface DeliveryRecord {
  readonly reminderId: string;
  readonly status: string;
  readonly code?: string;
  readonly at: string;
}

/** The longest failure message kept: one line an operator reads, the rest is in the function log. */
export const MAX_FAILURE_MESSAGE_LENGTH = 300;
const EMAIL_ADDRESS = /[^\s@<>()"',;:]+@[^\s@<>()"',;:]+/gu;
const URL_TEXT = /\b[a-z][a-z0-9+.-]*:\/\/\S+/giu;
const HOST_AND_PORT = /\b(?:localhost|\d{1,3}(?:\.\d{1,3}){3}|\[[0-9a-f:]+\])(?::\d+)?\b/giu;

/** `message` as the history stores it: one line, addresses, URLs and hosts replaced, at most 300 characters. */
export function historyMessage(message: string): string {
  const line = message
    .replace(URL_TEXT, '[url]')
    .replace(EMAIL_ADDRESS, '[address]')
    .replace(HOST_AND_PORT, '[host]')
    .replace(/\s+/gu, ' ')
    .trim();
  return line.length > MAX_FAILURE_MESSAGE_LENGTH ? `${line.slice(0, MAX_FAILURE_MESSAGE_LENGTH - 1)}…` : line;
}

/** The properties of a run's index entity. */
export function runProperties(run: RunRecord): Record<string, string | number | boolean | Date> {
  const { counts, failure } = run;
  return {
    runId: run.runId,
    trigger: run.trigger,
    instant: new Date(run.instant),
    startedAt: new Date(run.startedAt),
    status: run.status,
    dryRun: run.dryRun,
    ...(run.endedAt === undefined ? {} : { endedAt: new Date(run.endedAt) }),
    ...(run.durationMs === undefined ? {} : { durationMs: run.durationMs }),
    ...(failure === undefined ? {} : { failureCode: failure.code, failureMessage: historyMessage(failure.message) }),
    ...(counts === undefined
      ? {}
      : {
          itemsRead: counts.itemsRead,
          eligible: counts.eligible,
          emitted: counts.reminders,
          alreadySent: counts.alreadySent,
          skipped: JSON.stringify(counts.skipped),
          ...(counts.languageIgnored === undefined ? {} : { languageIgnored: counts.languageIgnored }),
          ...(counts.warnings === undefined ? {} : { warnings: JSON.stringify(counts.warnings.map(historyMessage)) }),
          ...senderBudgetProperties(counts.senderBudget),
        }),
    ...(run.resubmittedFrom === undefined ? {} : { resubmittedFrom: run.resubmittedFrom }),
    ...(run.resubmittedAs === undefined ? {} : { resubmittedAs: run.resubmittedAs }),
  };
}

/** A run from its index entity; undefined for an entity that is not one (edited by hand?). */
export function runFromEntity(entity: Readonly<Record<string, unknown>>): RunRecord | undefined {
  const text = (name: string): string | undefined => (typeof entity[name] === 'string' ? entity[name] : undefined);
  const count = (name: string): number | undefined => (typeof entity[name] === 'number' ? entity[name] : undefined);
  const instant = (name: string): string | undefined => {
    const value = entity[name];
    const date = value instanceof Date ? value : typeof value === 'string' ? new Date(value) : undefined;
    return date === undefined || Number.isNaN(date.getTime()) ? undefined : date.toISOString();
  };
  const runId = text('runId');
  const trigger = text('trigger');
  const status = text('status');
  const runInstant = instant('instant');
  const startedAt = instant('startedAt');
  if (
    runId === undefined ||
    trigger === undefined ||
    !RUN_TRIGGERS.has(trigger) ||
    status === undefined ||
    !(RUN_STATUSES as readonly string[]).includes(status) ||
    runInstant === undefined ||
    startedAt === undefined
  ) {
    return undefined;
  }
  const failureCode = text('failureCode');
  const itemsRead = count('itemsRead');
  const languageIgnored = count('languageIgnored');
  const warnings = parseJson(text('warnings'));
  return {
    runId,
    trigger: trigger as RunTrigger,
    instant: runInstant,
    startedAt,
    ...optional('endedAt', instant('endedAt')),
    ...optional('durationMs', count('durationMs')),
    status: status as RunStatus,
    dryRun: entity.dryRun === true,
    ...(failureCode === undefined ? {} : { failure: { code: failureCode, message: text('failureMessage') ?? '' } }),
    ...(itemsRead === undefined
      ? {}
      : {
          counts: {
            itemsRead,
            eligible: count('eligible') ?? 0,
            reminders: count('emitted') ?? 0,
            alreadySent: count('alreadySent') ?? 0,
            skipped: countsFrom(parseJson(text('skipped'))),
            ...(languageIgnored === undefined ? {} : { languageIgnored }),
            ...(Array.isArray(warnings) ? { warnings: warnings.filter((line) => typeof line === 'string') } : {}),
            ...optional(
              'senderBudget',
              senderBudgetFrom(count('budgetFitToday'), count('budgetOverBudget'), text('budgetUnknown')),
            ),
          },
        }),
    ...optional('resubmittedFrom', text('resubmittedFrom')),
    ...optional('resubmittedAs', text('resubmittedAs')),
  };
}

/** A delivery outcome from its entity; undefined for one that is not. */
export function deliveryFromEntity(entity: Readonly<Record<string, unknown>>): DeliveryRecord | undefined {
  const { reminderId, status, code, at } = entity;
  if (typeof reminderId !== 'string' || typeof status !== 'string') return undefined;
  const when = at instanceof Date ? at.toISOString() : typeof at === 'string' ? at : '';
  return { reminderId, status, ...(typeof code === 'string' ? { code } : {}), at: when };
}

/** Counts of `deliveries` by outcome and, for those with a code, by code. */
export function countDeliveries(deliveries: readonly Pick<DeliveryRecord, 'status' | 'code'>[]): DeliveryCounts {
  const byStatus: Record<string, number> = {};
  const byCode: Record<string, number> = {};
  for (const { status, code } of deliveries) {
    byStatus[status] = (byStatus[status] ?? 0) + 1;
    if (code !== undefined) byCode[code] = (byCode[code] ?? 0) + 1;
  }
  return { byStatus, byCode };
}

/** A run's `senderBudget` as flat properties: the two counts, or why the budget was unknown. */
function senderBudgetProperties(budget: SenderBudgetCounts | undefined): Record<string, number | string> {
  if (budget === undefined) return {};
  if (!budget.known) return { budgetUnknown: historyMessage(budget.reason) };
  return { budgetFitToday: budget.fitToday, budgetOverBudget: budget.overBudget };
}

function senderBudgetFrom(
  fitToday: number | undefined,
  overBudget: number | undefined,
  unknown: string | undefined,
): SenderBudgetCounts | undefined {
  if (fitToday !== undefined && overBudget !== undefined) return { known: true, fitToday, overBudget };
  return unknown === undefined ? undefined : { known: false, reason: unknown };
}

function countsFrom(value: unknown): Record<string, number> {
  if (!isRecord(value)) return {};
  return Object.fromEntries(
    Object.entries(value).filter((entry): entry is [string, number] => typeof entry[1] === 'number'),
  );
}

function parseJson(text: string | undefined): unknown {
  if (text === undefined) return undefined;
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

function optional<K extends string, V>(key: K, value: V | undefined): Partial<Record<K, V>> {
  return value === undefined ? {} : ({ [key]: value } as Record<K, V>);
}
