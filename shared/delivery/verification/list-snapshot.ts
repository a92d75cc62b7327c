/**
 * The obligations list's due window as delivery last read it: one bulk read (the sweep's query, pages of
 * 5,000 items) shared by every delivery of this instance for a while, instead of one Graph request per
 * reminder. SharePoint charges resource units per request, not per item, so a reminder verified from a
 * snapshot costs a small fraction of a request (docs/delivery.md, "Verify before send").
 *
 * A snapshot serves a message only if it was read after the message was written (`notBefore`), is at
 * most `maxAgeMs` old and covers today's window. Concurrent deliveries share one read (single flight);
 * reads start at least `minIntervalMs` apart, so that messages claiming ever newer creation times (a
 * forger's) cannot make every delivery read the list. `reset()` forgets the snapshot (tests, a list
 * known to have changed).
 */
import { createSingleFlight } from '../../base/single-flight.js';
import { abortableSleep } from '../../http/retry.js';
import type { Sleep } from '../../http/retry.js';
import type { ListItem } from '../../reminders/rules.js';

/** The list's items of one due window, by item id. */
export interface ListSnapshot {
  /** When its read started: it reflects every change made before then. */
  readonly readAt: Date;
  /** The calendar day (`YYYY-MM-DD`, rules' zone) whose due window it holds. */
  readonly day: string;
  readonly items: ReadonlyMap<string, ListItem>;
  /** Graph requests (pages) the read took. */
  readonly pages: number;
}

export interface ListSnapshotOptions {
  /** The due window's pages at `now` (the sweep's query). */
  readonly read: (now: Date, abortSignal: AbortSignal) => AsyncIterable<readonly ListItem[]>;
  /** The calendar day of an instant in the rules' time zone: a new day has a new window. */
  readonly dayOf: (instant: Date) => string;
  /** VERIFY_SNAPSHOT_SECONDS: how long a snapshot is used. 0: every delivery reads (concurrent ones share). */
  readonly maxAgeMs: number;
  /** Least time between the starts of two reads; default {@link MIN_READ_INTERVAL_MS}, at most `maxAgeMs`. */
  readonly minIntervalMs?: number;
  readonly sleep?: Sleep;
}

/** Reads and pages since the snapshots were created or reset. */
export interface ListSnapshotCounts {
  readonly reads: number;
  readonly pages: number;
}

export interface ListSnapshots {
  /**
   * A snapshot read no earlier than `notBefore` that serves at instant `now` (the delivery's clock), reading
   * one if needed; throws what the read throws.
   */
  current(notBefore: Date, now: Date, abortSignal?: AbortSignal): Promise<ListSnapshot>;
  counts(): ListSnapshotCounts;
  /** Forgets the snapshot and the counts; a read in flight is not kept. */
  reset(): void;
}

/** Reads of the due window start at least this far apart (10 s: 6 reads a minute at worst). */
export const MIN_READ_INTERVAL_MS = 10_000;

export function createListSnapshots(options: ListSnapshotOptions): ListSnapshots {
  const sleep = options.sleep ?? abortableSleep;
  const minIntervalMs = Math.min(options.minIntervalMs ?? MIN_READ_INTERVAL_MS, options.maxAgeMs);
  const flight = createSingleFlight<ListSnapshot>();
  let latest: ListSnapshot | undefined;
  /** Start of the read in flight, or of the last one. */
  let lastReadAt: number | undefined;
  let generation = 0;
  let reads = 0;
  let pages = 0;

  return {
    async current(notBefore, at, abortSignal) {
      let now = at;
      for (;;) {
        if (latest !== undefined && serves(latest, notBefore, now)) return latest;
        if (flight.inFlight) {
          const joined = lastReadAt !== undefined && lastReadAt >= notBefore.getTime();
          const snapshot = await flight
            .run(() => Promise.reject(new Error('no read in flight')), abortSignal)
            .then(
              (value) => value,
              (error: unknown) => {
                if (joined) throw error;
                return undefined; // Another caller's read, too old for this message anyway.
              },
            );
          if (joined && snapshot !== undefined) return snapshot;
          continue;
        }
        // A read started "later" than now (another delivery's clock, a test's) does not hold this one back.
        const wait = lastReadAt === undefined ? 0 : lastReadAt + minIntervalMs - now.getTime();
        if (wait > 0 && wait <= minIntervalMs) {
          await sleep(wait, abortSignal);
          now = new Date(now.getTime() + wait);
          continue;
        }
        lastReadAt = now.getTime();
        return flight.run((signal) => readSnapshot(now, signal), abortSignal);
      }
    },
    counts: () => ({ reads, pages }),
    reset() {
      latest = undefined;
      lastReadAt = undefined;
      generation += 1;
      reads = 0;
      pages = 0;
    },
  };

  function serves(snapshot: ListSnapshot, notBefore: Date, now: Date): boolean {
    const readAt = snapshot.readAt.getTime();
    return (
      readAt >= notBefore.getTime() && now.getTime() - readAt <= options.maxAgeMs && snapshot.day === options.dayOf(now)
    );
  }

  async function readSnapshot(readAt: Date, abortSignal: AbortSignal): Promise<ListSnapshot> {
    const started = generation;
    reads += 1;
    const items = new Map<string, ListItem>();
    let read = 0;
    for await (const page of options.read(readAt, abortSignal)) {
      read += 1;
      if (started === generation) pages += 1;
      for (const item of page) items.set(item.id, item);
    }
    const snapshot: ListSnapshot = { readAt, day: options.dayOf(readAt), items, pages: read };
    if (started === generation) latest = snapshot;
    return snapshot;
  }
}
