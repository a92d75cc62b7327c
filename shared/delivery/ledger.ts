/**
 * The idempotency ledger: one Table storage entity per reminder id, which makes delivery exactly once
 * in every case but one (an ambiguous send; see docs/delivery.md).
 *
 * A delivery first claims the reminder: it inserts the entity (only one insert can win), or takes over,
 * with an ETag-conditional update, an entity whose claim has expired or that was released after a
 * failed attempt. Only the claimant sends. It then records the outcome with an update conditional on
 * its claim's ETag, so that a claimant whose claim expired and was taken over cannot overwrite the new
 * claimant's record. Each claim carries a random token: when the SDK retries a write whose response was
 * lost, the "conflict" it then meets is recognised as this claimant's own write.
 *
 * Keys: PartitionKey = obligation id, RowKey = reminder id, each with the characters Table storage
 * forbids in keys percent-encoded ({@link encodeTableKey}); the plain ids are kept as properties too.
 *
 * The same table holds an index of sent reminders by due date ({@link sentIndexPartitionKey}), so that
 * the sweep checks its candidates with one query per due date rather than one per obligation.
 */
import { randomUUID } from 'node:crypto';
import { isRestError } from '@azure/core-rest-pipeline';
import { odata } from '@azure/data-tables';
import type { TableClient } from '@azure/data-tables';
import { REMINDER_ID_FORM, parseReminderId } from '../reminders/reminder-id.js';
import type { ReminderMessage } from '../reminders/rules.js';

/**
 * - `claimed`: a delivery holds the reminder until `claimedUntil`.
 * - `retrying`: the last attempt failed before anything was sent; the next delivery may claim it.
 * - `ambiguous`: the last attempt may have sent the e-mail (no answer after the request left); the
 *   next delivery may claim it and sends again: the one duplicate the design allows.
 * - `sent`: Graph accepted the e-mail. Final.
 * - `failed`: Graph refused the e-mail for good (e.g. an invalid address), or it was too late. Final.
 */
export type LedgerState = 'claimed' | 'retrying' | 'ambiguous' | 'sent' | 'failed';

const LEDGER_STATES: ReadonlySet<string> = new Set<LedgerState>(['claimed', 'retrying', 'ambiguous', 'sent', 'failed']);

/** What the ledger knows about one reminder ("did you remind me?"). */
export interface LedgerEntry {
  readonly reminderId: string;
  readonly obligationId: string;
  readonly reference: string;
  readonly dueDate: string;
  readonly daysBefore: number;
  readonly state: LedgerState;
  /** Claims taken, i.e. delivery attempts started. */
  readonly attempts: number;
  /** Attempts whose outcome stayed unknown: each may have delivered an e-mail. */
  readonly ambiguousSends: number;
  /** Who holds or last held the claim (the invocation id). */
  readonly claimedBy?: string;
  readonly claimedUntil?: Date;
  readonly sentAt?: Date;
  readonly failedAt?: Date;
  /** Graph's request ids of the accepted sendMail, for a message trace. */
  readonly mailRequestIds?: string;
  readonly lastErrorCode?: string;
  readonly lastError?: string;
  /** When the entity last changed (Table storage's Timestamp). */
  readonly updatedAt?: Date;
}

export type LedgerErrorCode =
  /** Table storage could not be reached or refused the request. */
  | 'LedgerUnavailable'
  /** The claim expired and another delivery took the reminder over before this one recorded its outcome. */
  | 'LedgerClaimLost'
  /** Other deliveries kept changing the entity while this one tried to claim it. */
  | 'LedgerContention'
  /** An entity in the table is not a ledger entry (edited by hand?). */
  | 'LedgerEntryInvalid';

export class LedgerError extends Error {
  override readonly name = 'LedgerError';
  readonly code: LedgerErrorCode;
  readonly reminderId?: string;

  constructor(
    code: LedgerErrorCode,
    message: string,
    options: { readonly reminderId?: string; readonly cause?: unknown } = {},
  ) {
    super(message, { cause: options.cause });
    this.code = code;
    if (options.reminderId !== undefined) {
      this.reminderId = options.reminderId;
    }
  }
}

export interface ReminderLedger {
  readonly table: TableClient;
  /** Creates the table on first use (once per ledger; tried again after a failure). */
  ready(abortSignal?: AbortSignal): Promise<void>;
}

export function createReminderLedger(table: TableClient): ReminderLedger {
  let creating: Promise<void> | undefined;
  return {
    table,
    ready(abortSignal) {
      creating ??= table.createTable({ abortSignal }).catch((error: unknown) => {
        creating = undefined;
        throw unavailable(table, 'create the ledger table', error);
      });
      return creating;
    },
  };
}

/** Characters Table storage forbids in PartitionKey and RowKey (`/`, `\`, `#`, `?`, U+0000–U+001F, U+007F–U+009F), and `%`, the escape. */
const FORBIDDEN_KEY_CHARACTERS = /[%/\\#?\p{Cc}]/gu;

/** `value` as a Table key: each forbidden character (and `%`) as `%XX`; reversible, and the identity for ordinary ids. */
export function encodeTableKey(value: string): string {
  return value.replace(
    FORBIDDEN_KEY_CHARACTERS,
    (character) => `%${character.charCodeAt(0).toString(16).toUpperCase().padStart(2, '0')}`,
  );
}

const NOT_A_REMINDER_ID = `A reminder id has the form ${REMINDER_ID_FORM}.`;

/**
 * PartitionKey of the index entities of reminders sent for `dueDate`. It can never equal an obligation's
 * PartitionKey: {@link encodeTableKey} turns every `%` into `%25` and writes `%` only before two hex
 * digits, and this key has a `%` followed by `s`.
 */
export function sentIndexPartitionKey(dueDate: string): string {
  return `${SENT_INDEX_PREFIX}${dueDate}`;
}

const SENT_INDEX_PREFIX = '%sent:';

export interface ClaimOptions {
  /** Who claims (the invocation id), for the record. */
  readonly owner: string;
  readonly now: Date;
  /** How long the claim holds: longer than the send may take. */
  readonly durationMs: number;
  readonly abortSignal?: AbortSignal;
}

/** A claim held by this delivery: only its holder sends, and records the outcome with it. */
export interface LedgerClaim {
  readonly reminderId: string;
  readonly obligationId: string;
  readonly owner: string;
  readonly claimedUntil: Date;
  /** Which attempt this is (1 for the first claim). */
  readonly attempt: number;
  /** Ambiguous sends before this attempt. */
  readonly ambiguousSends: number;
  /** Identifies this claim among retried writes. */
  readonly token: string;
  /** ETag of the entity as this claim left it. */
  readonly etag: string;
}

export type ClaimResult =
  | { readonly kind: 'claimed'; readonly claim: LedgerClaim }
  /** Sent or failed already: nothing to do. */
  | { readonly kind: 'settled'; readonly entry: LedgerEntry }
  /** Another delivery holds a live claim: it sends (and its queue message comes back if it dies). */
  | { readonly kind: 'held'; readonly entry: LedgerEntry };

/** A claim is re-read after a lost race; more rounds than this means the entity keeps changing. */
const MAX_CLAIM_ROUNDS = 4;
const MAX_ERROR_TEXT_LENGTH = 1000;

/** Claims `reminder` for one delivery attempt (see the module comment). */
export async function claimReminder(
  ledger: ReminderLedger,
  reminder: ReminderMessage,
  options: ClaimOptions,
): Promise<ClaimResult> {
  const { owner, now, abortSignal } = options;
  await ledger.ready(abortSignal);
  const keys = keysOf(reminder.obligationId, reminder.id);
  const token = randomUUID();
  const claimedUntil = new Date(now.getTime() + options.durationMs);
  const claimOf = (etag: string, attempt: number, ambiguousSends: number): ClaimResult => ({
    kind: 'claimed',
    claim: {
      reminderId: reminder.id,
      obligationId: reminder.obligationId,
      owner,
      claimedUntil,
      attempt,
      ambiguousSends,
      token,
      etag,
    },
  });

  for (let round = 1; round <= MAX_CLAIM_ROUNDS; round += 1) {
    try {
      const created = await ledger.table.createEntity(
        {
          ...keys,
          reminderId: reminder.id,
          obligationId: reminder.obligationId,
          reference: reminder.reference,
          dueDate: reminder.dueDate,
          daysBefore: reminder.daysBefore,
          state: 'claimed' satisfies LedgerState,
          attempts: 1,
          ambiguousSends: 0,
          claimedBy: owner,
          claimedUntil,
          claimToken: token,
        },
        { abortSignal },
      );
      return claimOf(requireEtag(created.etag, reminder.id), 1, 0);
    } catch (error) {
      if (!hasStatus(error, 409)) throw unavailable(ledger.table, `claim reminder ${reminder.id}`, error, reminder.id);
    }

    const current = await readStored(ledger, keys, reminder.id, abortSignal);
    if (current === undefined) {
      continue; // Deleted since: insert again.
    }
    const { entry } = current;
    if (current.token === token && entry.state === 'claimed') {
      // The SDK retried our own write after its response was lost.
      return claimOf(current.etag, entry.attempts, entry.ambiguousSends);
    }
    if (entry.state === 'sent' || entry.state === 'failed') {
      return { kind: 'settled', entry };
    }
    if (entry.state === 'claimed' && entry.claimedUntil !== undefined && entry.claimedUntil.getTime() > now.getTime()) {
      return { kind: 'held', entry };
    }
    const attempt = entry.attempts + 1;
    try {
      const updated = await ledger.table.updateEntity(
        {
          ...keys,
          state: 'claimed' satisfies LedgerState,
          attempts: attempt,
          claimedBy: owner,
          claimedUntil,
          claimToken: token,
        },
        'Merge',
        { etag: current.etag, abortSignal },
      );
      return claimOf(requireEtag(updated.etag, reminder.id), attempt, entry.ambiguousSends);
    } catch (error) {
      if (!hasStatus(error, 412) && !hasStatus(error, 404))
        throw unavailable(ledger.table, `claim reminder ${reminder.id}`, error, reminder.id);
      // Another delivery changed the entity first (or our retried write did): read it again.
    }
  }
  throw new LedgerError(
    'LedgerContention',
    `Reminder ${reminder.id} kept changing in ledger table '${ledger.table.tableName}' while it was being claimed.`,
    {
      reminderId: reminder.id,
    },
  );
}

export interface RecordOptions {
  readonly now: Date;
  readonly abortSignal?: AbortSignal;
}

export interface FailureRecord extends RecordOptions {
  /** A stable code, e.g. Graph's error code. */
  readonly code: string;
  /** What went wrong and what to do; must not contain e-mail addresses, secrets or tokens. */
  readonly message: string;
}

export interface RecordSentResult {
  /**
   * Set when the sent state was recorded but its index entity could not be written: the sweep will emit
   * the reminder again, and delivery skips it as sent (and indexes it then, see {@link indexSentReminder}).
   */
  readonly indexError?: LedgerError;
}

/** Graph accepted the e-mail: records it as sent, then indexes it by due date for the sweep. */
export async function recordSent(
  ledger: ReminderLedger,
  claim: LedgerClaim,
  options: RecordOptions & { readonly mailRequestIds: string },
): Promise<RecordSentResult> {
  await settleClaim(
    ledger,
    claim,
    { state: 'sent', sentAt: options.now, mailRequestIds: options.mailRequestIds },
    options.abortSignal,
  );
  try {
    await indexSentReminder(
      ledger,
      { reminderId: claim.reminderId, obligationId: claim.obligationId, sentAt: options.now },
      options,
    );
    return {};
  } catch (error) {
    if (!(error instanceof LedgerError)) throw error;
    return { indexError: error };
  }
}

/**
 * Writes (idempotently: an upsert) the index entity of a reminder the ledger records as sent. The main
 * entity stays the truth; a missing index entity only makes the sweep emit the reminder again.
 */
export async function indexSentReminder(
  ledger: ReminderLedger,
  sent: { readonly reminderId: string; readonly obligationId: string; readonly sentAt: Date },
  options: { readonly abortSignal?: AbortSignal } = {},
): Promise<void> {
  const dueDate = parseReminderId(sent.reminderId)?.dueDate;
  if (dueDate === undefined) {
    throw new RangeError(NOT_A_REMINDER_ID);
  }
  try {
    await ledger.table.upsertEntity(
      {
        partitionKey: sentIndexPartitionKey(dueDate),
        rowKey: encodeTableKey(sent.reminderId),
        reminderId: sent.reminderId,
        obligationId: sent.obligationId,
        sentAt: sent.sentAt,
      },
      'Replace',
      { abortSignal: options.abortSignal },
    );
  } catch (error) {
    throw unavailable(ledger.table, `index sent reminder ${sent.reminderId}`, error, sent.reminderId);
  }
}

/** The reminder will never be sent (Graph refused it for good, or it is too late): final. */
export async function recordFailed(ledger: ReminderLedger, claim: LedgerClaim, failure: FailureRecord): Promise<void> {
  await settleClaim(
    ledger,
    claim,
    { state: 'failed', failedAt: failure.now, ...errorFields(failure) },
    failure.abortSignal,
  );
}

/**
 * Gives the reminder back for the next delivery: after a failure before anything was sent (`notSent`),
 * or after a send whose outcome is unknown (`ambiguous`, counted).
 */
export async function releaseClaim(
  ledger: ReminderLedger,
  claim: LedgerClaim,
  release: FailureRecord & { readonly outcome: 'notSent' | 'ambiguous' },
): Promise<void> {
  const patch: SettledPatch =
    release.outcome === 'ambiguous'
      ? { state: 'ambiguous', ambiguousSends: claim.ambiguousSends + 1 }
      : { state: 'retrying' };
  await settleClaim(
    ledger,
    claim,
    { ...patch, claimedUntil: release.now, ...errorFields(release) },
    release.abortSignal,
  );
}

/** The ledger entry of one reminder, if any ("did you remind me?"). */
export async function lookupReminder(
  ledger: ReminderLedger,
  reminderId: string,
  options: { readonly abortSignal?: AbortSignal } = {},
): Promise<LedgerEntry | undefined> {
  const obligationId = parseReminderId(reminderId)?.obligationId;
  if (obligationId === undefined) {
    throw new RangeError(NOT_A_REMINDER_ID);
  }
  await ledger.ready(options.abortSignal);
  return (await readStored(ledger, keysOf(obligationId, reminderId), reminderId, options.abortSignal))?.entry;
}

/** Every reminder the ledger holds for one obligation (list item), ordered by reminder id. */
export async function listObligationReminders(
  ledger: ReminderLedger,
  obligationId: string,
  options: { readonly abortSignal?: AbortSignal } = {},
): Promise<LedgerEntry[]> {
  await ledger.ready(options.abortSignal);
  const entries: LedgerEntry[] = [];
  try {
    const pages = ledger.table.listEntities({
      queryOptions: { filter: odata`PartitionKey eq ${encodeTableKey(obligationId)}` },
      abortSignal: options.abortSignal,
    });
    for await (const entity of pages) {
      entries.push(toStored(entity).entry);
    }
  } catch (error) {
    throw error instanceof LedgerError
      ? error
      : unavailable(ledger.table, `list the reminders of obligation ${obligationId}`, error);
  }
  return entries.sort((a, b) => compare(a.reminderId, b.reminderId));
}

/**
 * Which of `reminders` the ledger records as sent, from the index by due date: one partition query per
 * distinct due date, a few at a time (a query naming several partitions would scan the table). Ids not
 * of the reminder form are never indexed, hence never found.
 */
export async function findSentReminderIds(
  ledger: ReminderLedger,
  reminders: readonly Pick<ReminderMessage, 'id' | 'obligationId'>[],
  options: { readonly concurrency?: number; readonly abortSignal?: AbortSignal } = {},
): Promise<ReadonlySet<string>> {
  const wanted = new Map<string, Set<string>>();
  for (const { id } of reminders) {
    const dueDate = parseReminderId(id)?.dueDate;
    if (dueDate === undefined) continue;
    const ids = wanted.get(dueDate) ?? new Set<string>();
    ids.add(id);
    wanted.set(dueDate, ids);
  }
  const sent = new Set<string>();
  if (wanted.size === 0) {
    return sent;
  }
  await ledger.ready(options.abortSignal);
  const dueDates = [...wanted.keys()];
  const worker = async (): Promise<void> => {
    for (let dueDate = dueDates.pop(); dueDate !== undefined; dueDate = dueDates.pop()) {
      const ids = wanted.get(dueDate);
      try {
        const pages = ledger.table.listEntities<Record<string, unknown>>({
          queryOptions: { filter: odata`PartitionKey eq ${sentIndexPartitionKey(dueDate)}`, select: ['reminderId'] },
          abortSignal: options.abortSignal,
        });
        for await (const entity of pages) {
          if (typeof entity.reminderId === 'string' && ids?.has(entity.reminderId)) {
            sent.add(entity.reminderId);
          }
        }
      } catch (error) {
        throw unavailable(ledger.table, `look up the reminders sent for due date ${dueDate}`, error);
      }
    }
  };
  const workers = Math.max(1, Math.min(options.concurrency ?? DEFAULT_LOOKUP_CONCURRENCY, dueDates.length));
  await Promise.all(Array.from({ length: workers }, worker));
  return sent;
}

/** Partition queries in flight at once when the sweep checks the ledger. */
export const DEFAULT_LOOKUP_CONCURRENCY = 8;

// ---------------------------------------------------------------------------------------------

interface TableKeys {
  readonly partitionKey: string;
  readonly rowKey: string;
}

interface StoredEntry {
  readonly entry: LedgerEntry;
  readonly token?: string;
  readonly etag: string;
}

type SettledPatch = { readonly state: LedgerState } & Readonly<Record<string, string | number | Date>>;

function keysOf(obligationId: string, reminderId: string): TableKeys {
  return { partitionKey: encodeTableKey(obligationId), rowKey: encodeTableKey(reminderId) };
}

/** Writes the claim's outcome if the claim is still this delivery's (ETag), else LedgerClaimLost. */
async function settleClaim(
  ledger: ReminderLedger,
  claim: LedgerClaim,
  patch: SettledPatch,
  abortSignal: AbortSignal | undefined,
): Promise<void> {
  const keys = keysOf(claim.obligationId, claim.reminderId);
  try {
    await ledger.table.updateEntity({ ...keys, ...patch }, 'Merge', { etag: claim.etag, abortSignal });
    return;
  } catch (error) {
    if (!hasStatus(error, 412) && !hasStatus(error, 404)) {
      throw unavailable(
        ledger.table,
        `record the outcome of reminder ${claim.reminderId} (${patch.state})`,
        error,
        claim.reminderId,
      );
    }
  }
  const current = await readStored(ledger, keys, claim.reminderId, abortSignal);
  if (current?.token === claim.token && current.entry.state === patch.state) {
    return; // The SDK retried our own write after its response was lost.
  }
  throw new LedgerError(
    'LedgerClaimLost',
    `The claim of ${claim.owner} on reminder ${claim.reminderId} ended before its outcome (${patch.state}) was recorded: another delivery took the reminder over (now ${current?.entry.state ?? 'gone'}).`,
    { reminderId: claim.reminderId },
  );
}

async function readStored(
  ledger: ReminderLedger,
  keys: TableKeys,
  reminderId: string,
  abortSignal: AbortSignal | undefined,
): Promise<StoredEntry | undefined> {
  let entity: Record<string, unknown>;
  try {
    entity = await ledger.table.getEntity<Record<string, unknown>>(keys.partitionKey, keys.rowKey, { abortSignal });
  } catch (error) {
    if (hasStatus(error, 404)) return undefined;
    throw unavailable(ledger.table, `read reminder ${reminderId}`, error, reminderId);
  }
  return toStored(entity);
}

function toStored(entity: Readonly<Record<string, unknown>>): StoredEntry {
  const { reminderId, obligationId, state, etag } = entity;
  if (
    typeof reminderId !== 'string' ||
    typeof obligationId !== 'string' ||
    typeof state !== 'string' ||
    !LEDGER_STATES.has(state) ||
    typeof etag !== 'string'
  ) {
    throw new LedgerError(
      'LedgerEntryInvalid',
      `Ledger entity ${String(entity.partitionKey)}/${String(entity.rowKey)} is not a reminder ledger entry.`,
    );
  }
  const text = (name: string): string | undefined => (typeof entity[name] === 'string' ? entity[name] : undefined);
  const count = (name: string): number => (typeof entity[name] === 'number' ? entity[name] : 0);
  const instant = (name: string): Date | undefined => {
    const value = entity[name];
    if (value instanceof Date) return value;
    return typeof value === 'string' && !Number.isNaN(Date.parse(value)) ? new Date(value) : undefined;
  };
  const entry: LedgerEntry = {
    reminderId,
    obligationId,
    reference: text('reference') ?? '',
    dueDate: text('dueDate') ?? '',
    daysBefore: count('daysBefore'),
    state: state as LedgerState,
    attempts: count('attempts'),
    ambiguousSends: count('ambiguousSends'),
    ...optional('claimedBy', text('claimedBy')),
    ...optional('claimedUntil', instant('claimedUntil')),
    ...optional('sentAt', instant('sentAt')),
    ...optional('failedAt', instant('failedAt')),
    ...optional('mailRequestIds', text('mailRequestIds')),
    ...optional('lastErrorCode', text('lastErrorCode')),
    ...optional('lastError', text('lastError')),
    ...optional('updatedAt', instant('timestamp')),
  };
  const token = text('claimToken');
  return token === undefined ? { entry, etag } : { entry, etag, token };
}

function optional<K extends string, V>(key: K, value: V | undefined): Partial<Record<K, V>> {
  return value === undefined ? {} : ({ [key]: value } as Record<K, V>);
}

function errorFields(failure: FailureRecord): { lastErrorCode: string; lastError: string } {
  return { lastErrorCode: failure.code, lastError: failure.message.slice(0, MAX_ERROR_TEXT_LENGTH) };
}

function requireEtag(etag: string | undefined, reminderId: string): string {
  if (etag === undefined) {
    throw new LedgerError('LedgerUnavailable', `Table storage returned no ETag for reminder ${reminderId}.`, {
      reminderId,
    });
  }
  return etag;
}

function hasStatus(error: unknown, status: number): boolean {
  return isRestError(error) && error.statusCode === status;
}

function unavailable(table: TableClient, action: string, error: unknown, reminderId?: string): LedgerError {
  const status = isRestError(error) && error.statusCode !== undefined ? ` (HTTP ${error.statusCode})` : '';
  return new LedgerError(
    'LedgerUnavailable',
    `Could not ${action} in ledger table '${table.tableName}'${status}. Check the AzureWebJobsStorage connection and, with an identity-based connection, that the app's identity has the Storage Table Data Contributor role.`,
    { cause: error, ...(reminderId === undefined ? {} : { reminderId }) },
  );
}

function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
