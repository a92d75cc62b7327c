/**
 * What the benchmark (parent) and a daemon process (child) say to each other over the IPC channel.
 * The child runs one peer; the parent asks it for runs, one at a time, and reads the emulators'
 * request counters around each run.
 */
import { isRecord } from '../../shared/base/is-record.js';

export const PEER_NAMES = ['naive', 'graph-sdk', 'due-notifier'] as const;
export type PeerName = (typeof PEER_NAMES)[number];

/** Passed to the child in this environment variable, as JSON. */
export const DAEMON_COMMAND_ENV = 'DUE_NOTIFIER_BENCH_COMMAND';

export interface DaemonCommand {
  readonly peer: PeerName;
  /** Install the simulated clock (steady state): each run then says how far ahead it is. */
  readonly simulatedClock: boolean;
  /** Port of the Graph emulator, whose traffic is counted. */
  readonly graphPort: number;
  /** due-notifier: ask the idempotency ledger for reminders already sent, as the timer does. */
  readonly ledgerCheck: boolean;
}

export type ParentMessage = { readonly type: 'run'; readonly clockOffsetMs: number } | { readonly type: 'stop' };

export interface RunFailure {
  readonly name: string;
  readonly code?: string;
  readonly message: string;
}

/** One run as the daemon process saw it. */
export interface DaemonRunResult {
  readonly wallMs: number;
  /** List items received from Graph. */
  readonly itemsRead: number;
  readonly reminders: number;
  /** SHA-256 of the sorted reminder ids: equal digests, same reminders. */
  readonly remindersDigest: string;
  /** Bytes received from the Graph emulator during the run (HTTP, decrypted). */
  readonly graphBytes: number;
  /** Part of `wallMs` spent on the idempotency ledger's check (due-notifier only). */
  readonly ledgerMs?: number;
  readonly failure?: RunFailure;
}

export type ChildMessage =
  | { readonly type: 'ready' }
  | { readonly type: 'ran'; readonly result: DaemonRunResult }
  | { readonly type: 'stopped'; readonly maxRssBytes: number }
  | { readonly type: 'failed'; readonly failure: RunFailure };

export function isPeerName(value: unknown): value is PeerName {
  return typeof value === 'string' && (PEER_NAMES as readonly string[]).includes(value);
}

export function parseDaemonCommand(text: string | undefined): DaemonCommand {
  const value: unknown = text === undefined ? undefined : JSON.parse(text);
  if (
    !isRecord(value) ||
    !isPeerName(value.peer) ||
    typeof value.simulatedClock !== 'boolean' ||
    !Number.isInteger(value.graphPort) ||
    typeof value.ledgerCheck !== 'boolean'
  ) {
    throw new TypeError(`${DAEMON_COMMAND_ENV} must be JSON { peer, simulatedClock, graphPort, ledgerCheck }`);
  }
  return {
    peer: value.peer,
    simulatedClock: value.simulatedClock,
    graphPort: Number(value.graphPort),
    ledgerCheck: value.ledgerCheck,
  };
}

export function isParentMessage(value: unknown): value is ParentMessage {
  return (
    isRecord(value) && (value.type === 'stop' || (value.type === 'run' && typeof value.clockOffsetMs === 'number'))
  );
}

export function isChildMessage(value: unknown): value is ChildMessage {
  if (!isRecord(value)) {
    return false;
  }
  switch (value.type) {
    case 'ready':
      return true;
    case 'ran':
      return (
        isRecord(value.result) &&
        typeof value.result.wallMs === 'number' &&
        typeof value.result.remindersDigest === 'string'
      );
    case 'stopped':
      return typeof value.maxRssBytes === 'number';
    case 'failed':
      return isRecord(value.failure) && typeof value.failure.message === 'string';
    default:
      return false;
  }
}

/** Name, code and message of a thrown value; our errors never carry secrets in their messages. */
export function failureOf(error: unknown): RunFailure {
  if (error instanceof Error) {
    const code =
      'code' in error && (typeof error.code === 'string' || typeof error.code === 'number')
        ? String(error.code)
        : undefined;
    return { name: error.name, message: error.message.split('\n')[0] ?? '', ...(code === undefined ? {} : { code }) };
  }
  return { name: 'NonError', message: String(error) };
}
