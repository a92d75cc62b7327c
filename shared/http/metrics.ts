/** Outbound request counts, reported in each run's summary (and read by tests and benchmarks). */
export type RequestKind = 'graph' | 'token' | 'keyVault';

export type RequestCounts = Readonly<Record<RequestKind, number>>;

export interface RequestMetrics {
  record(kind: RequestKind): void;
  snapshot(): RequestCounts;
}

export function createRequestMetrics(): RequestMetrics {
  const counts: Record<RequestKind, number> = { graph: 0, token: 0, keyVault: 0 };
  return {
    record(kind) {
      counts[kind] += 1;
    },
    snapshot() {
      return { ...counts };
    },
  };
}

/** Requests made between two snapshots (one run's share of a long-lived client's traffic). */
export function countsSince(before: RequestCounts, after: RequestCounts): RequestCounts {
  return {
    graph: after.graph - before.graph,
    token: after.token - before.token,
    keyVault: after.keyVault - before.keyVault,
  };
}
