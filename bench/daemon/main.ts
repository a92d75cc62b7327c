/**
 * A daemon process of the benchmark: runs one peer, one run per request from the parent, in a process
 * of its own, so that its peak resident memory is the daemon's alone (the emulators live in the parent).
 * Started by `daemon-process.ts` from an esbuild bundle, on plain Node without a TypeScript loader.
 */
import { createHash } from 'node:crypto';
import { DAEMON_COMMAND_ENV, failureOf, isParentMessage, parseDaemonCommand } from './protocol.js';
import type { ChildMessage, DaemonRunResult, PeerName } from './protocol.js';
import { countBytesReceivedFrom } from './received-bytes.js';
import { installSimulatedDate } from './simulated-date.js';
import type { SimulatedClock } from './simulated-date.js';
import type { Peer } from '../peers/peer.js';

const command = parseDaemonCommand(process.env[DAEMON_COMMAND_ENV]);
// Before any client exists: some capture `Date.now` when they are built.
const clock: SimulatedClock | undefined = command.simulatedClock ? installSimulatedDate() : undefined;
const graphBytes = countBytesReceivedFrom(command.graphPort);

function send(message: ChildMessage): void {
  process.send?.(message);
}

/** Peers are imported only now, after the clock and the byte counter are in place. */
async function loadPeer(name: PeerName): Promise<Peer> {
  switch (name) {
    case 'naive':
      return (await import('../peers/naive.js')).createNaivePeer(process.env);
    case 'graph-sdk':
      return (await import('../peers/graph-sdk.js')).createGraphSdkPeer(process.env);
    case 'due-notifier':
      return (await import('../peers/due-notifier.js')).createDueNotifierPeer(process.env, {
        ledgerCheck: command.ledgerCheck,
      });
  }
}

async function run(peer: Peer): Promise<DaemonRunResult> {
  const bytesBefore = graphBytes.total();
  const started = performance.now();
  try {
    const outcome = await peer.run(new Date());
    const wallMs = performance.now() - started;
    return {
      wallMs,
      itemsRead: outcome.itemsRead,
      reminders: outcome.reminderIds.length,
      remindersDigest: createHash('sha256').update(outcome.reminderIds.join('\n')).digest('hex'),
      graphBytes: graphBytes.total() - bytesBefore,
      ...(outcome.ledgerMs === undefined ? {} : { ledgerMs: outcome.ledgerMs }),
    };
  } catch (error) {
    return {
      wallMs: performance.now() - started,
      itemsRead: 0,
      reminders: 0,
      remindersDigest: '',
      graphBytes: graphBytes.total() - bytesBefore,
      failure: failureOf(error),
    };
  }
}

async function main(): Promise<void> {
  if (!process.send) {
    throw new Error('The benchmark daemon runs as a child process of `npm run bench` (it needs an IPC channel).');
  }
  const peer = await loadPeer(command.peer);
  // One run at a time: the parent waits for each answer before it asks again.
  process.on('message', (message: unknown) => {
    if (!isParentMessage(message)) {
      return;
    }
    if (message.type === 'stop') {
      send({ type: 'stopped', maxRssBytes: process.resourceUsage().maxRSS * 1024 });
      process.disconnect();
      return;
    }
    clock?.setOffset(message.clockOffsetMs);
    void run(peer).then((result) => send({ type: 'ran', result }));
  });
  send({ type: 'ready' });
}

main().catch((error: unknown) => {
  send({ type: 'failed', failure: failureOf(error) });
  process.exitCode = 1;
  process.disconnect?.();
});
