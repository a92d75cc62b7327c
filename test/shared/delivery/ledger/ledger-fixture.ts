/**
 * The ledger tests' fixture: an in-memory Azurite for each test file, a fresh table per ledger, and the
 * claim helpers. The ledger runs against Azurite's Table service, through the real @azure/data-tables
 * client.
 */
import { TableClient } from '@azure/data-tables';
import type { TableServiceClientOptions } from '@azure/data-tables';
import { afterAll, beforeAll } from 'vitest';
import { startAzurite } from '../../../../emulators/stack/azurite.js';
import type { AzuriteInstance } from '../../../../emulators/stack/azurite.js';
import { createReminderLedger } from '../../../../shared/delivery/ledger/index.js';
import type { ClaimResult, LedgerClaim, ReminderLedger } from '../../../../shared/delivery/ledger/index.js';

export const T0 = new Date('2026-12-01T07:00:00Z');
export const CLAIM_MS = 300_000;

export function at(offsetMs: number): Date {
  return new Date(T0.getTime() + offsetMs);
}

export function claimed(result: ClaimResult): LedgerClaim {
  if (result.kind !== 'claimed') throw new Error(`expected a claim, got ${result.kind}`);
  return result.claim;
}

export interface LedgerTables {
  /** A ledger on a fresh table, so that tests never see each other's entities. */
  freshLedger(options?: TableServiceClientOptions): ReminderLedger;
  readonly connectionString: string;
}

/** Starts Azurite for the calling test file (stopped after it). */
export function useLedgerTables(): LedgerTables {
  let azurite: AzuriteInstance | undefined;
  let tableCount = 0;
  beforeAll(async () => {
    azurite = await startAzurite({ inMemory: true });
  });
  afterAll(async () => {
    await azurite?.stop();
  });
  const running = (): AzuriteInstance => {
    if (azurite === undefined) throw new Error('Azurite is not running: use the ledger tables inside tests.');
    return azurite;
  };
  return {
    get connectionString() {
      return running().connectionString;
    },
    freshLedger(options = {}) {
      tableCount += 1;
      const table = TableClient.fromConnectionString(running().connectionString, `ledgertest${tableCount}`, {
        allowInsecureConnection: true,
        retryOptions: { retryDelayInMs: 10, maxRetryDelayInMs: 50 },
        ...options,
      });
      return createReminderLedger(table);
    },
  };
}
