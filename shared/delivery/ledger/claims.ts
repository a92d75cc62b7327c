/**
 * The claim protocol, which makes delivery exactly once in every case but one (an ambiguous send; see
 * docs/delivery.md).
 *
 * A delivery first claims the reminder: it inserts the entity (only one insert can win), or takes over,
 * with an ETag-conditional update, an entity whose claim has expired or that was released after a
 * failed attempt. Only the claimant sends. It then records the outcome with an update conditional on
 * its claim's ETag, so that a claimant whose claim expired and was taken over cannot overwrite the new
 * claimant's record. Each claim carries a random token: when the SDK retries a write whose response was
 * lost, the "conflict" it then meets is recognised as this claimant's own write.
 */
import { randomUUID } from 'node:crypto';
import type { ReminderMessage } from '../../reminders/rules.js';
import { readStored } from './entries.js';
import type { LedgerEntry, LedgerState } from './entries.js';
import { indexSentReminder } from './sent-index.js';
import { SLOT_RETURN_LEAD_MS } from './pace.js';
import { reminderKeys } from './table-keys.js';
import { LedgerError, hasStatus, unavailable } from './table.js';
import type { ReminderLedger } from './table.js';

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
  /** The send slot this reminder kept when it was deferred (see pace.ts), if any. */
  readonly keptSlot?: Date;
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
/**
 * A deferred reminder's message may come back this much before its time (a reserved slot's message comes
 * SLOT_RETURN_LEAD_MS early, and clocks differ by a few seconds): it is its time.
 */
export const DEFERRED_EARLY_TOLERANCE_MS = SLOT_RETURN_LEAD_MS + 5_000;
const MAX_ERROR_TEXT_LENGTH = 1000;

/** Claims `reminder` for one delivery attempt (see the module comment). */
export async function claimReminder(
  ledger: ReminderLedger,
  reminder: ReminderMessage,
  options: ClaimOptions,
): Promise<ClaimResult> {
  const { owner, now, abortSignal } = options;
  await ledger.ready(abortSignal);
  const keys = reminderKeys(reminder.obligationId, reminder.id);
  const token = randomUUID();
  const claimedUntil = new Date(now.getTime() + options.durationMs);
  const claimOf = (etag: string, attempt: number, ambiguousSends: number, keptSlot?: Date): ClaimResult => ({
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
      ...(keptSlot === undefined ? {} : { keptSlot }),
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
    const deferredUntil = entry.state === 'deferred' ? entry.scheduledFor?.getTime() : undefined;
    if (deferredUntil !== undefined && deferredUntil - DEFERRED_EARLY_TOLERANCE_MS > now.getTime()) {
      return { kind: 'held', entry }; // Its own message comes back then.
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
      const keptSlot = entry.state === 'deferred' && entry.slotKept === true ? entry.scheduledFor : undefined;
      return claimOf(requireEtag(updated.etag, reminder.id), attempt, entry.ambiguousSends, keptSlot);
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

/** Gives the reminder back until `until`, when its new queue message comes (`slotKept`: a send slot is its). */
export async function deferClaim(
  ledger: ReminderLedger,
  claim: LedgerClaim,
  deferral: FailureRecord & { readonly until: Date; readonly slotKept: boolean; readonly reason: string },
): Promise<void> {
  const { reason: deferredFor, until: scheduledFor, slotKept, now: claimedUntil } = deferral;
  const patch = { state: 'deferred', deferredFor, scheduledFor, slotKept, claimedUntil } as const;
  await settleClaim(ledger, claim, { ...patch, ...errorFields(deferral) }, deferral.abortSignal);
}

type SettledPatch = { readonly state: LedgerState } & Readonly<Record<string, string | number | boolean | Date>>;

/** Writes the claim's outcome if the claim is still this delivery's (ETag), else LedgerClaimLost. */
async function settleClaim(
  ledger: ReminderLedger,
  claim: LedgerClaim,
  patch: SettledPatch,
  abortSignal: AbortSignal | undefined,
): Promise<void> {
  const keys = reminderKeys(claim.obligationId, claim.reminderId);
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
