/**
 * The benchmark's side of a daemon process: starts it with the stack's app settings, asks it for runs
 * one at a time, reads the emulators' counters around each run, and collects its peak memory at the end.
 */
import { DueNotifierError } from '../shared/base/errors.js';
import { fork } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { DAEMON_COMMAND_ENV, isChildMessage } from './daemon/protocol.js';
import type {
  ChildMessage,
  DaemonCommand,
  DaemonRunResult,
  ParentMessage,
  PeerName,
  RunFailure,
} from './daemon/protocol.js';
import { requestsBetween } from './stack.js';
import type { BenchStack, ServiceRequests } from './stack.js';

export interface MeasuredRun extends DaemonRunResult {
  /** What the emulators received during the run. */
  readonly requests: ServiceRequests;
  /**
   * CPU time of the benchmark's own process (the emulators) during the run: rendering, encrypting and
   * sending the pages, which a real service spends inside its latency.
   */
  readonly emulatorCpuMs: number;
}

export interface DaemonProcessOptions {
  /** Entry point of the bundled daemon process (`buildDaemonBundle`). */
  readonly script: string;
  readonly stack: BenchStack;
  readonly peer: PeerName;
  /** App settings on top of the stack's, e.g. `GRAPH_CONCURRENCY`. */
  readonly settings?: Readonly<Record<string, string>>;
  readonly simulatedClock?: boolean;
  /** due-notifier: check the idempotency ledger, as the timer does (default false). */
  readonly ledgerCheck?: boolean;
  /** Longest wait for one run, in milliseconds (default 30 minutes: a million items, the naive way). */
  readonly runTimeoutMs?: number;
}

export interface DaemonProcess {
  /** One run, `clockOffsetMs` ahead of real time (the emulators are moved by the same offset). */
  run(clockOffsetMs?: number): Promise<MeasuredRun>;
  /** Ends the process; returns its peak resident memory (bytes). */
  stop(): Promise<{ readonly maxRssBytes: number }>;
}

export class DaemonProcessError extends DueNotifierError<'DaemonProcessFailed'> {
  readonly failure?: RunFailure;
  constructor(message: string, options?: { cause?: unknown; failure?: RunFailure }) {
    super('DaemonProcessFailed', message, options);
    if (options?.failure) {
      this.failure = options.failure;
    }
  }
}

const DEFAULT_RUN_TIMEOUT_MS = 30 * 60_000;
const STOP_TIMEOUT_MS = 10_000;

export async function startDaemonProcess(options: DaemonProcessOptions): Promise<DaemonProcess> {
  const { stack, peer } = options;
  const command: DaemonCommand = {
    peer,
    simulatedClock: options.simulatedClock ?? false,
    graphPort: stack.graphPort,
    ledgerCheck: options.ledgerCheck ?? false,
  };
  const child = fork(options.script, [], {
    env: {
      ...process.env,
      ...stack.local.settings,
      ...options.settings,
      [DAEMON_COMMAND_ENV]: JSON.stringify(command),
    },
    // Plain Node: not the TypeScript loader the benchmark itself runs under.
    execArgv: [],
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    serialization: 'json',
  });
  const messages = messageQueue(child, peer);
  try {
    const first = await messages.next(60_000);
    if (first.type !== 'ready') {
      throw new DaemonProcessError(
        `The ${peer} daemon did not start: ${first.type === 'failed' ? first.failure.message : first.type}`,
        {
          ...(first.type === 'failed' ? { failure: first.failure } : {}),
        },
      );
    }
  } catch (error) {
    await terminate(child);
    throw error;
  }

  const send = (message: ParentMessage): void => {
    child.send(message);
  };
  return {
    async run(clockOffsetMs = 0) {
      stack.setClockOffset(clockOffsetMs);
      const before = stack.requests();
      const cpuBefore = process.cpuUsage();
      send({ type: 'run', clockOffsetMs });
      const answer = await messages.next(options.runTimeoutMs ?? DEFAULT_RUN_TIMEOUT_MS);
      const cpu = process.cpuUsage(cpuBefore);
      if (answer.type !== 'ran') {
        throw new DaemonProcessError(`The ${peer} daemon answered "${answer.type}" to a run.`);
      }
      return {
        ...answer.result,
        requests: requestsBetween(before, stack.requests()),
        emulatorCpuMs: (cpu.user + cpu.system) / 1000,
      };
    },
    async stop() {
      send({ type: 'stop' });
      const answer = await messages.next(STOP_TIMEOUT_MS).finally(() => terminate(child));
      if (answer.type !== 'stopped') {
        throw new DaemonProcessError(`The ${peer} daemon answered "${answer.type}" to stop.`);
      }
      return { maxRssBytes: answer.maxRssBytes };
    },
  };
}

interface MessageQueue {
  /** The next message, or a DaemonProcessError if the process exits or stays silent. */
  next(timeoutMs: number): Promise<ChildMessage>;
}

function messageQueue(child: ChildProcess, peer: PeerName): MessageQueue {
  const received: ChildMessage[] = [];
  let waiting: { resolve(message: ChildMessage): void; reject(error: Error): void } | undefined;
  let ended: Error | undefined;
  child.on('message', (message: unknown) => {
    if (!isChildMessage(message)) {
      return;
    }
    if (waiting) {
      waiting.resolve(message);
      waiting = undefined;
    } else {
      received.push(message);
    }
  });
  child.on('exit', (code, signal) => {
    ended = new DaemonProcessError(`The ${peer} daemon process exited (${signal ?? `code ${code}`}).`);
    waiting?.reject(ended);
    waiting = undefined;
  });
  return {
    next(timeoutMs) {
      const queued = received.shift();
      if (queued) {
        return Promise.resolve(queued);
      }
      if (ended) {
        return Promise.reject(ended);
      }
      return new Promise<ChildMessage>((resolve, reject) => {
        const timer = setTimeout(() => {
          waiting = undefined;
          reject(new DaemonProcessError(`The ${peer} daemon gave no answer within ${timeoutMs} ms.`));
        }, timeoutMs);
        waiting = {
          resolve: (message) => {
            clearTimeout(timer);
            resolve(message);
          },
          reject: (error) => {
            clearTimeout(timer);
            reject(error);
          },
        };
      });
    },
  };
}

/** Waits for the process to exit, killing it if it lingers. */
async function terminate(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) {
    return;
  }
  const exited = once(child, 'exit');
  const timer = setTimeout(() => child.kill('SIGKILL'), STOP_TIMEOUT_MS);
  if (child.connected) {
    child.disconnect();
  }
  await exited;
  clearTimeout(timer);
}
