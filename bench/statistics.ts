/** Small statistics over repeated measurements. */

/** The median (mean of the two middle values for an even count); throws for no values. */
export function median(values: readonly number[]): number {
  if (values.length === 0) {
    throw new RangeError('median of no values');
  }
  const sorted = [...values].sort((a, b) => a - b);
  const middle = sorted.length >> 1;
  const upper = sorted[middle] ?? Number.NaN;
  return sorted.length % 2 === 1 ? upper : ((sorted[middle - 1] ?? Number.NaN) + upper) / 2;
}

/** `value / reference`, or undefined when the reference is not a positive number. */
export function ratio(value: number, reference: number): number | undefined {
  return reference > 0 && Number.isFinite(value) ? value / reference : undefined;
}
