/**
 * The soak's invariants, checked on what a soak recorded: every reminder that was due and still valid
 * was e-mailed exactly once, or is accounted for by name (ambiguous send, deferred past the end,
 * withheld because its item changed); nothing stale, forged or unexpected was e-mailed. Pure: the
 * same record always gives the same verdict, so a planted violation must be found.
 */
import { parseReminderId } from '../../shared/reminders/reminder-id.js';
import type { ObligationsHistory } from './obligations.js';

/** A reminder the rules made due in at least one successful run (the oracle, from the list's history). */
export interface ExpectedReminder {
  readonly id: string;
  readonly obligationId: string;
  /** Simulated instants (epoch ms) of the successful runs in which it was due. */
  readonly runs: readonly number[];
}

export interface MailRecord {
  /** The `X-DueNotifier-Reminder-Id` header; undefined when the e-mail has none. */
  readonly reminderId: string | undefined;
  readonly to: readonly string[];
  /** Simulated instant the mailbox accepted it. */
  readonly sentAt: number;
  readonly html: string;
}

export interface LedgerView {
  readonly state: string;
  readonly attempts: number;
  readonly ambiguousSends: number;
  readonly lastErrorCode?: string;
}

export interface SoakRecord {
  readonly expected: readonly ExpectedReminder[];
  readonly mails: readonly MailRecord[];
  /** The ledger entry of each expected reminder that has one. */
  readonly ledger: Readonly<Record<string, LedgerView>>;
  /**
   * Reminders whose record of the send never reached the ledger: the worker died between the send and
   * the record, or Table storage was down at that moment. A second e-mail for them is the one duplicate
   * the design allows (docs/delivery.md).
   */
  readonly crashed: readonly string[];
  /** Addresses only forged messages carry. */
  readonly forgedAddresses: readonly string[];
  /** Reminder ids still on the queue (deferred) and on the poison queue when the soak ended. */
  readonly queuedAtEnd: readonly string[];
  readonly poisonedAtEnd: readonly string[];
}

export type ViolationKind = 'duplicate' | 'staleSend' | 'forgedSend' | 'unexpectedSend' | 'lost' | 'poisoned';
export type AccountedKind = 'sentOnce' | 'ambiguous' | 'deferred' | 'withheld';

export interface Violation {
  readonly kind: ViolationKind;
  readonly reminderId: string;
  /** Simulated instant it concerns (the send, or the last run that made the reminder due). */
  readonly at: number;
  readonly detail: string;
}

export interface Verdict {
  readonly violations: readonly Violation[];
  /** Reminder ids per accounted outcome. */
  readonly accounted: Readonly<Record<AccountedKind, readonly string[]>>;
  readonly mails: number;
}

const DAY_MS = 86_400_000;

export function checkInvariants(record: SoakRecord, obligations: ObligationsHistory): Verdict {
  const violations: Violation[] = [];
  const accounted: Record<AccountedKind, string[]> = { sentOnce: [], ambiguous: [], deferred: [], withheld: [] };
  const forged = new Set(record.forgedAddresses.map((address) => address.toLowerCase()));
  const mailsById = new Map<string, MailRecord[]>();
  for (const mail of record.mails) {
    const key = mail.reminderId ?? '';
    mailsById.set(key, [...(mailsById.get(key) ?? []), mail]);
  }
  const expectedIds = new Set(record.expected.map((reminder) => reminder.id));

  for (const reminder of record.expected) {
    const mails = mailsById.get(reminder.id) ?? [];
    const fresh: MailRecord[] = [];
    for (const mail of mails) {
      const problem = staleness(mail, reminder, obligations);
      if (problem === undefined) {
        fresh.push(mail);
      } else {
        const isForged = mail.to.some((address) => forged.has(address.toLowerCase()));
        violations.push({
          kind: isForged ? 'forgedSend' : 'staleSend',
          reminderId: reminder.id,
          at: mail.sentAt,
          detail: isForged ? 'e-mailed to an address only a forged message carried' : problem,
        });
      }
    }
    const lastRun = Math.max(...reminder.runs);
    const ledger = record.ledger[reminder.id];
    if (fresh.length > 1) {
      const ambiguous = record.crashed.includes(reminder.id) || (ledger?.ambiguousSends ?? 0) > 0;
      if (ambiguous) {
        accounted.ambiguous.push(reminder.id);
      } else {
        violations.push({
          kind: 'duplicate',
          reminderId: reminder.id,
          at: fresh[1]?.sentAt ?? lastRun,
          detail: `e-mailed ${fresh.length} times with no ambiguous send behind it`,
        });
      }
    } else if (fresh.length === 1) {
      accounted.sentOnce.push(reminder.id);
    } else if (mails.length > 0) {
      // Only stale or forged e-mails: each is a violation already.
    } else if (obligations.changedBetween(reminder.obligationId, lastRun, lastRun + DAY_MS)) {
      accounted.withheld.push(reminder.id);
    } else if (record.queuedAtEnd.includes(reminder.id)) {
      accounted.deferred.push(reminder.id);
    } else if (record.poisonedAtEnd.includes(reminder.id)) {
      violations.push({
        kind: 'poisoned',
        reminderId: reminder.id,
        at: lastRun,
        detail: 'on the poison queue at the end',
      });
    } else {
      violations.push({
        kind: 'lost',
        reminderId: reminder.id,
        at: lastRun,
        detail: `due and valid, never e-mailed; ledger: ${ledger ? `${ledger.state}${ledger.lastErrorCode ? ` (${ledger.lastErrorCode})` : ''}, ${ledger.attempts} attempt(s)` : 'no entry'}`,
      });
    }
  }

  for (const mail of record.mails) {
    if (mail.reminderId !== undefined && expectedIds.has(mail.reminderId)) continue;
    const isForged = mail.to.some((address) => forged.has(address.toLowerCase()));
    violations.push({
      kind: isForged ? 'forgedSend' : 'unexpectedSend',
      reminderId: mail.reminderId ?? '(no reminder id)',
      at: mail.sentAt,
      detail: isForged ? 'a forged message was e-mailed' : 'e-mailed, but no run made this reminder due',
    });
  }
  violations.sort((a, b) => a.at - b.at);
  return { violations, accounted, mails: record.mails.length };
}

/** Why `mail` does not match its item when it left (undefined: it matches). */
function staleness(mail: MailRecord, reminder: ExpectedReminder, obligations: ObligationsHistory): string | undefined {
  const state = obligations.stateAt(reminder.obligationId, mail.sentAt);
  if (state === undefined) return 'the item does not exist';
  if (state.Status !== 'Open') return `the item was ${state.Status} when it was e-mailed`;
  if (!mail.to.some((address) => address.toLowerCase() === state.CustomerEmail.toLowerCase())) {
    return "e-mailed to an address that was not the item's when it left";
  }
  const parsed = parseReminderId(reminder.id);
  if (parsed?.dueDate !== state.DueDate) return `the item's due date was ${state.DueDate} when it was e-mailed`;
  const amount = state.AmountDue.toFixed(2);
  if (!mail.html.includes(amount) && !mail.html.includes(amount.replace('.', ','))) {
    return `the e-mail does not show the amount the item had when it left (${amount})`;
  }
  return undefined;
}
