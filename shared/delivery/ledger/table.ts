/**
 * The idempotency ledger's table and its errors. The ledger is one Table storage table holding one entity
 * per reminder id (entries.ts), written by the claim protocol (claims.ts), and an index of sent reminders
 * by due date (sent-index.ts); docs/delivery.md tells the whole story.
 */
import { DueNotifierError } from '../../base/errors.js';
import type { DueNotifierErrorOptions } from '../../base/errors.js';
import { isRestError } from '@azure/core-rest-pipeline';
import type { TableClient } from '@azure/data-tables';
import { hasStatus } from '../../clients/table-storage.js';
import { createKeyedBatches } from '../../base/keyed-batches.js';
import type { KeyedBatches } from '../../base/keyed-batches.js';

export interface ReminderLedger {
  readonly table: TableClient;
  /** Creates the table on first use (once per ledger; tried again after a failure). */
  ready(abortSignal?: AbortSignal): Promise<void>;
  /** This instance's batches of updates of shared entities (a sender mailbox's pace): see keyed-batches.ts. */
  readonly batches: KeyedBatches;
}

export function createReminderLedger(table: TableClient): ReminderLedger {
  let creating: Promise<void> | undefined;
  return {
    table,
    batches: createKeyedBatches(),
    ready(abortSignal) {
      creating ??= table.createTable({ abortSignal }).catch((error: unknown) => {
        creating = undefined;
        throw unavailable(table, 'create the ledger table', error);
      });
      return creating;
    },
  };
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

export class LedgerError extends DueNotifierError<LedgerErrorCode> {
  readonly reminderId?: string;

  constructor(
    code: LedgerErrorCode,
    message: string,
    options: DueNotifierErrorOptions & { readonly reminderId?: string } = {},
  ) {
    super(code, message, { cause: options.cause });
    if (options.reminderId !== undefined) {
      this.reminderId = options.reminderId;
    }
  }
}

export { hasStatus };

/** A failed Table storage request as LedgerUnavailable, naming the table but never the connection. */
export function unavailable(table: TableClient, action: string, error: unknown, reminderId?: string): LedgerError {
  const status = isRestError(error) && error.statusCode !== undefined ? ` (HTTP ${error.statusCode})` : '';
  return new LedgerError(
    'LedgerUnavailable',
    `Could not ${action} in ledger table '${table.tableName}'${status}. Check the AzureWebJobsStorage connection and, with an identity-based connection, that the app's identity has the Storage Table Data Contributor role.`,
    { cause: error, ...(reminderId === undefined ? {} : { reminderId }) },
  );
}
