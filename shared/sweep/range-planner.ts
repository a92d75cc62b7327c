/**
 * How many due-date ranges a sweep reads at once. Extra ranges only pay when the window holds more
 * than one page of items: a window that fits in one page is one request and one round trip however it
 * is cut, and each extra range would cost a request (and throttling resource units) for nothing. The
 * planner remembers, per list, how many items the window held in the last successful run (a day later
 * the window holds about as many), and plans one range when they fit in a page, GRAPH_CONCURRENCY
 * ranges otherwise. Without a last run it plans GRAPH_CONCURRENCY ranges.
 */
export interface RangePlanner {
  /** Ranges to read `list`'s window in: 1 or `maxRanges`. */
  rangesFor(list: string, maxRanges: number, pageSize: number): number;
  /** Items the window of `list` held in a run that read it completely. */
  record(list: string, itemsRead: number): void;
  /** Forgets every list (tests; a new configuration starts without history anyway). */
  reset(): void;
}

export function createRangePlanner(): RangePlanner {
  const lastItemsRead = new Map<string, number>();
  return {
    rangesFor(list, maxRanges, pageSize) {
      const last = lastItemsRead.get(list);
      return last !== undefined && last <= pageSize ? 1 : maxRanges;
    },
    record(list, itemsRead) {
      lastItemsRead.set(list, itemsRead);
    },
    reset() {
      lastItemsRead.clear();
    },
  };
}

/** The planner of the process's sweeps: it lives as long as the warm instance does. */
export const processRangePlanner: RangePlanner = createRangePlanner();
