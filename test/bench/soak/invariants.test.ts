/**
 * The soak's invariant checker on hand-made records: a clean record passes, and each kind of violation
 * planted in it is found, so that the checker cannot silently pass.
 */
import { describe, expect, it } from 'vitest';
import { checkInvariants } from '../../../bench/soak/invariants.js';
import type { MailRecord, SoakRecord } from '../../../bench/soak/invariants.js';
import { createObligations } from '../../../bench/soak/obligations.js';
import { createSeededRandom } from '../../../emulators/stack/seeded-random.js';

const DAY_MS = 86_400_000;
const RUN = Date.parse('2026-12-01T06:00:00Z');

function world() {
  const obligations = createObligations({
    firstDate: '2026-12-01',
    days: 10,
    itemsPerDay: 1,
    random: createSeededRandom(7),
  });
  // Item 1 falls due on 2026-12-02: its reminder 1 day before is due on the first run.
  const state = obligations.stateAt('1', RUN);
  if (!state) throw new Error('no item 1');
  const reminderId = `1:${state.DueDate}:1`;
  const mail = (overrides: Partial<MailRecord> = {}): MailRecord => ({
    reminderId,
    to: [state.CustomerEmail],
    sentAt: RUN + 60_000,
    html: `<p>Amount due: €${state.AmountDue.toFixed(2)}</p>`,
    ...overrides,
  });
  const record: SoakRecord = {
    expected: [{ id: reminderId, obligationId: '1', runs: [RUN] }],
    mails: [mail()],
    ledger: { [reminderId]: { state: 'sent', attempts: 1, ambiguousSends: 0 } },
    crashed: [],
    forgedAddresses: ['attacker@forged.example'],
    queuedAtEnd: [],
    poisonedAtEnd: [],
  };
  return { obligations, record, reminderId, mail };
}

describe('the soak invariants', () => {
  it('pass a record in which every due reminder was e-mailed once, to its address, with its amount', () => {
    const { obligations, record, reminderId } = world();
    const verdict = checkInvariants(record, obligations);
    expect(verdict.violations).toEqual([]);
    expect(verdict.accounted.sentOnce).toEqual([reminderId]);
  });

  it('find a duplicate e-mail that no ambiguous send explains, and accept one that a crash explains', () => {
    const { obligations, record, reminderId, mail } = world();
    const twice = { ...record, mails: [mail(), mail({ sentAt: RUN + DAY_MS })] };
    expect(checkInvariants(twice, obligations).violations.map((violation) => violation.kind)).toEqual(['duplicate']);
    const crashed = checkInvariants({ ...twice, crashed: [reminderId] }, obligations);
    expect(crashed.violations).toEqual([]);
    expect(crashed.accounted.ambiguous).toEqual([reminderId]);
  });

  it('find an e-mail sent after the item was paid, and count the reminder withheld when nothing was sent', () => {
    const { obligations, record, reminderId } = world();
    obligations.change('1', 'paid', RUN + 30_000, createSeededRandom(1));
    expect(checkInvariants(record, obligations).violations).toMatchObject([
      { kind: 'staleSend', reminderId, detail: 'the item was Paid when it was e-mailed' },
    ]);
    const withheld = checkInvariants({ ...record, mails: [] }, obligations);
    expect(withheld.violations).toEqual([]);
    expect(withheld.accounted.withheld).toEqual([reminderId]);
  });

  it('find an e-mail whose amount is no longer the item’s', () => {
    const { obligations, record } = world();
    obligations.change('1', 'amountEdited', RUN + 30_000, createSeededRandom(1));
    expect(checkInvariants(record, obligations).violations.map((violation) => violation.kind)).toEqual(['staleSend']);
  });

  it('find e-mails to a forged address, for a real reminder id and for a made-up one', () => {
    const { obligations, record, mail } = world();
    const forged = {
      ...record,
      mails: [
        mail(),
        mail({ to: ['attacker@forged.example'] }),
        mail({ reminderId: 'F1:2026-12-02:1', to: ['attacker@forged.example'] }),
      ],
    };
    expect(checkInvariants(forged, obligations).violations.map((violation) => violation.kind)).toEqual([
      'forgedSend',
      'forgedSend',
    ]);
  });

  it('find a due reminder that was never e-mailed, unless it is deferred past the end; one on the poison queue is named', () => {
    const { obligations, record, reminderId } = world();
    const silent = { ...record, mails: [] };
    expect(checkInvariants(silent, obligations).violations).toMatchObject([{ kind: 'lost', reminderId }]);
    expect(checkInvariants({ ...silent, queuedAtEnd: [reminderId] }, obligations).accounted.deferred).toEqual([
      reminderId,
    ]);
    expect(checkInvariants({ ...silent, poisonedAtEnd: [reminderId] }, obligations).violations).toMatchObject([
      { kind: 'poisoned', reminderId },
    ]);
  });

  it('find an e-mail that no run made due', () => {
    const { obligations, record, mail } = world();
    const unexpected = { ...record, mails: [mail(), mail({ reminderId: '2:2026-12-03:7' })] };
    expect(checkInvariants(unexpected, obligations).violations.map((violation) => violation.kind)).toEqual([
      'unexpectedSend',
    ]);
  });
});
