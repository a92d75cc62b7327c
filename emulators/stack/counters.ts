/**
 * Per-endpoint request counters that tests and benchmarks read (`counters.get('graph.listItems')`).
 */
import type { RequestCounters } from './types.js';

export interface CountingRequestCounters extends RequestCounters {
  /** Counts one request to `endpoint` (a route name, or `${service}.unmatched`). */
  increment(endpoint: string): void;
}

export function createRequestCounters(): CountingRequestCounters {
  const counts = new Map<string, number>();
  return {
    increment(endpoint) {
      counts.set(endpoint, (counts.get(endpoint) ?? 0) + 1);
    },
    get(endpoint) {
      return counts.get(endpoint) ?? 0;
    },
    snapshot() {
      return Object.fromEntries(counts);
    },
    reset() {
      counts.clear();
    },
  };
}
