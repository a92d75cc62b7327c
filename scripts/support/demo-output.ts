/**
 * What `npm run demo` prints, as pure functions: reminder ids in numeric order, skipped items grouped by
 * reason in a stable order, and masked addresses.
 */
import { SKIP_REASONS } from '../../shared/reminders/rules.js';

const NUMBER_PART = /^\d+$/;
const SKIPPED_ITEM_LOG = /^Run \S+: skipped item (.+): (\w+)$/;

/**
 * Compares two ids part by part (`:` separates them): parts that are both whole numbers compare as
 * numbers (`1:…` before `10:…`), other parts as text.
 */
export function compareIds(a: string, b: string): number {
  const left = a.split(':');
  const right = b.split(':');
  for (let index = 0; index < Math.max(left.length, right.length); index += 1) {
    const x = left[index];
    const y = right[index];
    if (x === undefined || y === undefined) {
      return x === undefined ? -1 : 1;
    }
    const order =
      NUMBER_PART.test(x) && NUMBER_PART.test(y)
        ? Number(x) - Number(y) || x.length - y.length
        : x < y
          ? -1
          : x > y
            ? 1
            : 0;
    if (order !== 0) {
      return order;
    }
  }
  return 0;
}

/** A skipped-item log line (`Run {id}: skipped item {item}: {reason}`) read back, or undefined. */
export function parseSkippedItem(message: string): { readonly itemId: string; readonly reason: string } | undefined {
  const match = SKIPPED_ITEM_LOG.exec(message);
  return match?.[1] && match[2] ? { itemId: match[1], reason: match[2] } : undefined;
}

/**
 * Skipped items as one line per reason: reasons in SKIP_REASONS order (unknown ones after, by name),
 * item ids in numeric order within a reason.
 */
export function summariseSkipped(items: readonly { readonly itemId: string; readonly reason: string }[]): string[] {
  const byReason = new Map<string, string[]>();
  for (const { itemId, reason } of items) {
    byReason.set(reason, [...(byReason.get(reason) ?? []), itemId]);
  }
  const rank = (reason: string): number => {
    const index = (SKIP_REASONS as readonly string[]).indexOf(reason);
    return index === -1 ? SKIP_REASONS.length : index;
  };
  return [...byReason.entries()]
    .sort(([a], [b]) => rank(a) - rank(b) || (a < b ? -1 : a > b ? 1 : 0))
    .map(([reason, ids]) => `${reason} (${ids.length}): item ${[...ids].sort(compareIds).join(', ')}`);
}

/** `a***@example.com`: enough to tell customers apart, not enough to harvest addresses from a screen. */
export function maskEmail(address: string): string {
  const at = address.lastIndexOf('@');
  return at <= 0 ? '***' : `${address[0] ?? ''}***${address.slice(at)}`;
}
