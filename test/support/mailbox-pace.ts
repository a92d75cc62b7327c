/** Forgets the sender mailboxes' pace, pauses and daily counts (the ledger's `%pace` entities), as on a new day. */
import type { ReminderLedger } from '../../shared/delivery/ledger/index.js';

export async function forgetMailboxPace(ledger: ReminderLedger): Promise<void> {
  await ledger.ready();
  const { table } = ledger;
  for await (const entity of table.listEntities({ queryOptions: { filter: "PartitionKey eq '%pace'" } })) {
    await table.deleteEntity(entity.partitionKey ?? '', entity.rowKey ?? '');
  }
}
