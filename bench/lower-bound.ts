/**
 * The physical limit of a sweep that pages sequentially: `@odata.nextLink` paging cannot start a page
 * before the previous one arrived, so reading the matching items costs at least one page latency per
 * page. Everything else (tokens, Key Vault, parsing) comes on top.
 */
export interface LowerBoundInput {
  /** Items the server-side filter matches (what the sweep must read). */
  readonly matchingItems: number;
  /** Items per page (`$top`). */
  readonly pageSize: number;
  /** Latency of one page request, in milliseconds. */
  readonly pageLatencyMs: number;
}

/** Pages needed to read `matchingItems`: at least one, since an empty answer is still a request. */
export function pagesNeeded(matchingItems: number, pageSize: number): number {
  if (!Number.isInteger(matchingItems) || matchingItems < 0) {
    throw new RangeError(`matchingItems must be a whole number >= 0, got ${matchingItems}`);
  }
  if (!Number.isInteger(pageSize) || pageSize < 1) {
    throw new RangeError(`pageSize must be a whole number >= 1, got ${pageSize}`);
  }
  return Math.max(1, Math.ceil(matchingItems / pageSize));
}

/** ceil(matching items / page size) × page latency, in milliseconds. */
export function sequentialLowerBoundMs(input: LowerBoundInput): number {
  if (!(Number.isFinite(input.pageLatencyMs) && input.pageLatencyMs >= 0)) {
    throw new RangeError(`pageLatencyMs must be a number >= 0, got ${input.pageLatencyMs}`);
  }
  return pagesNeeded(input.matchingItems, input.pageSize) * input.pageLatencyMs;
}
