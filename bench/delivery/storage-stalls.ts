/**
 * How long the local Storage emulator stopped answering during a delivery run. Azurite keeps queue and
 * table metadata in LokiJS collections whose indices are rebuilt (a full sort) after every change, and
 * its queue's garbage collector, every 60 s, deletes each unreferenced message extent with such a
 * rebuild: after thousands of messages were deleted it freezes the queues' process for tens of seconds
 * (emulators/stack/azurite.ts runs tables in another). Azure Storage does not; the benchmark says how
 * much of its time that was.
 */
import type { QueueClient } from '@azure/storage-queue';

/** A probe slower than this counts as a stall (an answer normally takes milliseconds, under load ~300 ms). */
const STALL_MS = 2_000;
const PROBE_EVERY_MS = 250;

export interface StorageStalls {
  /** The longest single stall. */
  readonly longestMs: number;
  /** All stalls together. */
  readonly totalMs: number;
}

/** One probe that took over {@link STALL_MS}: its wall-clock start (epoch ms) and duration. */
interface Stall {
  readonly at: number;
  readonly tookMs: number;
}

export interface StallProbe {
  /** Stops probing (again: nothing). */
  stop(): Promise<void>;
  /** The stalls seen so far, the parts of them between `from` and `to` (epoch ms). */
  within(from: number, to: number): StorageStalls;
}

/** Asks the queue for its properties in a loop, one request at a time, until stopped. */
export function probeStorageStalls(queue: QueueClient): StallProbe {
  const controller = new AbortController();
  const stalls: Stall[] = [];
  const loop = (async () => {
    while (!controller.signal.aborted) {
      const at = Date.now();
      await queue.getProperties({ abortSignal: controller.signal }).catch(() => undefined);
      const tookMs = Date.now() - at;
      if (tookMs > STALL_MS && !controller.signal.aborted) stalls.push({ at, tookMs });
      await new Promise((resolve) => setTimeout(resolve, PROBE_EVERY_MS));
    }
  })();
  return {
    async stop() {
      controller.abort();
      await loop;
    },
    within(from, to) {
      const within = stalls.map((stall) =>
        Math.max(0, Math.min(to, stall.at + stall.tookMs) - Math.max(from, stall.at)),
      );
      return { longestMs: Math.max(0, ...within), totalMs: within.reduce((sum, ms) => sum + ms, 0) };
    },
  };
}
