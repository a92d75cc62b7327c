import { describe, expect, it } from 'vitest';
import { DueNotifierError } from '../../../../shared/base/errors.js';
import { createReminderVerifier } from '../../../../shared/delivery/verification/verifier.js';
import { decideReminder } from '../../../../shared/reminders/rules.js';
import type { ListItem, ReminderMessage } from '../../../../shared/reminders/rules.js';
import { listItem, reminded, testRules } from '../../../support/reminder-rules.js';

const SWEEP = new Date('2026-12-01T07:00:00Z');
const DELIVERY = new Date('2026-12-01T07:05:00Z');
const rules = testRules();

/** A list of `count` items (ids 1..count) on pages of 5,000, counting the pages read. */
function verifierOver(count: number, options: { fail?: boolean } = {}) {
  const items = Array.from({ length: count }, (_, index) => listItem({}, String(index + 1)));
  const verifier = createReminderVerifier({
    rules,
    snapshotMaxAgeMs: 300_000,
    readDueWindow: async function* () {
      if (options.fail) throw new DueNotifierError('GraphUnavailable', 'Graph answered 503.');
      for (let start = 0; start < items.length; start += 5000) yield items.slice(start, start + 5000);
    },
  });
  return { verifier, items };
}

function queued(item: ListItem): ReminderMessage {
  return reminded(decideReminder(item, rules, SWEEP));
}

describe('the reminder verifier', () => {
  it('verifies 15,000 reminders of a 20,000-item window in 4 list requests: 0.00027 per e-mail', async () => {
    const { verifier, items } = verifierOver(20_000);
    for (const item of items.slice(0, 15_000)) {
      expect(await verifier.verify(queued(item), { now: DELIVERY })).toMatchObject({ kind: 'confirmed' });
    }
    const counts = verifier.counts();
    expect(counts).toMatchObject({ reads: 1, pages: 4, confirmed: 15_000, refused: 0 });
    expect(counts.requestsPerConfirmed).toBeCloseTo(4 / 15_000, 6);
  });

  it('refuses a message written in the future without reading the list', async () => {
    const { verifier, items } = verifierOver(1);
    const [item] = items;
    if (!item) throw new Error('no item');
    const future = { ...queued(item), createdAt: '2026-12-01T08:00:00.000Z' };
    expect(await verifier.verify(future, { now: DELIVERY })).toEqual({ kind: 'refused', reason: 'createdInFuture' });
    expect(verifier.counts()).toMatchObject({ reads: 0, refused: 1 });
  });

  it('a list that cannot be read is VerificationUnavailable, neither confirmed nor refused', async () => {
    const { verifier } = verifierOver(1, { fail: true });
    const error = await verifier
      .verify(queued(listItem({}, '1')), { now: DELIVERY })
      .catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(DueNotifierError);
    expect(error).toMatchObject({ code: 'VerificationUnavailable' });
    expect(verifier.counts()).toMatchObject({ confirmed: 0, refused: 0 });
  });
});
