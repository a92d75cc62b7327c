import { describe, expect, it } from 'vitest';
import { createListSnapshots } from '../../../../shared/delivery/verification/list-snapshot.js';
import type { ListSnapshotOptions } from '../../../../shared/delivery/verification/list-snapshot.js';
import type { ListItem } from '../../../../shared/reminders/rules.js';

const T0 = new Date('2026-12-01T07:00:00Z');
const at = (seconds: number): Date => new Date(T0.getTime() + seconds * 1000);

/** A list of `pages` pages of two items each; counts reads and can fail or hold them. */
function fakeList(pages = 2) {
  const reads: Date[] = [];
  let failNext = false;
  let gate: Promise<void> | undefined;
  const read: ListSnapshotOptions['read'] = async function* (now) {
    reads.push(now);
    if (gate) await gate;
    if (failNext) {
      failNext = false;
      throw new Error('GraphUnavailable');
    }
    for (let page = 0; page < pages; page += 1) {
      yield [0, 1].map((n): ListItem => ({ id: String(page * 2 + n + 1), fields: { readAt: now.toISOString() } }));
    }
  };
  return {
    read,
    reads,
    failOnce: () => {
      failNext = true;
    },
    hold: () => {
      let release = (): void => undefined;
      gate = new Promise((resolve) => {
        release = resolve;
      });
      return () => {
        gate = undefined;
        release();
      };
    },
  };
}

function snapshotsOf(list: ReturnType<typeof fakeList>, overrides: Partial<ListSnapshotOptions> = {}) {
  const slept: number[] = [];
  const snapshots = createListSnapshots({
    read: list.read,
    dayOf: (instant) => instant.toISOString().slice(0, 10),
    maxAgeMs: 300_000,
    sleep: (ms) => {
      slept.push(ms);
      return Promise.resolve();
    },
    ...overrides,
  });
  return { snapshots, slept };
}

describe('list snapshots for verify before send', () => {
  it('reads the window once and serves every message written before the read, for VERIFY_SNAPSHOT_SECONDS', async () => {
    const list = fakeList();
    const { snapshots } = snapshotsOf(list);
    const first = await snapshots.current(at(-3600), at(0));
    expect([...first.items.keys()]).toEqual(['1', '2', '3', '4']);
    expect(await snapshots.current(at(-60), at(299))).toBe(first);
    expect(list.reads).toEqual([at(0)]);
    expect(snapshots.counts()).toEqual({ reads: 1, pages: 2 });

    // Too old: read again.
    const second = await snapshots.current(at(-60), at(301));
    expect(second).not.toBe(first);
    expect(list.reads).toEqual([at(0), at(301)]);
  });

  it('concurrent deliveries share one read', async () => {
    const list = fakeList();
    const { snapshots } = snapshotsOf(list);
    const release = list.hold();
    const waiting = Array.from({ length: 20 }, () => snapshots.current(at(-60), at(0)));
    release();
    const results = await Promise.all(waiting);
    expect(new Set(results).size).toBe(1);
    expect(list.reads).toHaveLength(1);
  });

  it('reads again for a message written after the snapshot, but never sooner than 10 s after the last read', async () => {
    const list = fakeList();
    const { snapshots, slept } = snapshotsOf(list);
    await snapshots.current(at(-60), at(0));
    // A message written at 4 s, delivered at 5 s: the snapshot of 0 s cannot know its item.
    const newer = await snapshots.current(at(4), at(5));
    expect(slept).toEqual([5_000]);
    expect(list.reads).toEqual([at(0), at(10)]);
    expect(newer.readAt).toEqual(at(10));
  });

  it('a new day has a new window', async () => {
    const list = fakeList();
    const { snapshots } = snapshotsOf(list);
    await snapshots.current(at(-60), new Date('2026-12-01T23:59:00Z'));
    await snapshots.current(at(-60), new Date('2026-12-02T00:01:00Z'));
    expect(list.reads).toHaveLength(2);
  });

  it('a failed read is thrown to its callers; the next delivery reads again', async () => {
    const list = fakeList();
    const { snapshots } = snapshotsOf(list);
    list.failOnce();
    await expect(snapshots.current(at(-60), at(0))).rejects.toThrow('GraphUnavailable');
    await expect(snapshots.current(at(-60), at(20))).resolves.toMatchObject({ readAt: at(20) });
  });

  it('VERIFY_SNAPSHOT_SECONDS 0: a read per delivery, concurrent ones still shared', async () => {
    const list = fakeList();
    const { snapshots, slept } = snapshotsOf(list, { maxAgeMs: 0 });
    await snapshots.current(at(-60), at(0));
    await snapshots.current(at(-60), at(1));
    expect(list.reads).toHaveLength(2);
    expect(slept).toEqual([]);
  });

  it('reset forgets the snapshot and the counts', async () => {
    const list = fakeList();
    const { snapshots } = snapshotsOf(list);
    await snapshots.current(at(-60), at(0));
    snapshots.reset();
    expect(snapshots.counts()).toEqual({ reads: 0, pages: 0 });
    await snapshots.current(at(-60), at(1));
    expect(list.reads).toEqual([at(0), at(1)]);
  });
});
