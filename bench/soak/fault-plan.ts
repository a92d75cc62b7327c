/**
 * Which faults a simulated day gets, drawn from the soak's seeded generator: the same seed gives the
 * same days. Each kind has a daily probability; a day may draw several.
 */

export const FAULT_KINDS = [
  'timerDoubleFire',
  'timerMissed',
  'throttlingStorm',
  'mailboxLocked',
  'listThrottling',
  'keyVaultBlip',
  'entraBlip',
  'tableOutage',
  'queueOutage',
  'crashBetweenSendAndRecord',
  'lostSendResponse',
  'paidAfterSweep',
  'editedAfterSweep',
  'forgedMessage',
] as const;
export type FaultKind = (typeof FAULT_KINDS)[number];

/** What each kind does, for the report. */
export const FAULT_DESCRIPTIONS: Readonly<Record<FaultKind, string>> = {
  timerDoubleFire: 'the timer fires twice at once',
  timerMissed: 'no timer run that day (host down)',
  throttlingStorm: 'sendMail answers 429 (Retry-After 1 s) to half the requests for a while',
  mailboxLocked: 'the sender mailbox refuses every sendMail with 423 ErrorMailboxLocked for a few seconds',
  listThrottling: 'Graph list reads answer 429 to some requests during the sweep',
  keyVaultBlip: 'Key Vault answers 503 to the first requests of a cold start',
  entraBlip: 'the token endpoint answers 503 to the first requests of a cold start',
  tableOutage: 'Table storage answers 503 for a few seconds during the deliveries',
  queueOutage: 'Queue storage answers 503 for a few seconds during the deliveries',
  crashBetweenSendAndRecord: 'a worker dies after Graph accepted an e-mail, before the ledger recorded it',
  lostSendResponse: 'Graph accepts an e-mail but the connection drops before its answer (an ambiguous send)',
  paidAfterSweep: 'an item with a queued reminder is paid before its delivery',
  editedAfterSweep: 'an item with a queued reminder gets a new amount, address or due date before its delivery',
  forgedMessage: 'a forged message lands on the queue (unknown address, or a real id with another address)',
};

/** Daily probability of each kind. */
const PROBABILITY: Readonly<Record<FaultKind, number>> = {
  timerDoubleFire: 0.06,
  timerMissed: 0.04,
  throttlingStorm: 0.08,
  mailboxLocked: 0.04,
  listThrottling: 0.06,
  keyVaultBlip: 0.05,
  entraBlip: 0.05,
  tableOutage: 0.04,
  queueOutage: 0.04,
  crashBetweenSendAndRecord: 0.06,
  lostSendResponse: 0.05,
  paidAfterSweep: 0.2,
  editedAfterSweep: 0.15,
  forgedMessage: 0.1,
};

/** The faults of one day, in FAULT_KINDS order. */
export function drawDayFaults(random: () => number): FaultKind[] {
  const drawn = FAULT_KINDS.filter((kind) => random() < PROBABILITY[kind]);
  // A missed day has no run to fire twice.
  return drawn.includes('timerMissed') ? drawn.filter((kind) => kind !== 'timerDoubleFire') : drawn;
}
