/**
 * The timer's previous run in words for its log: the host reports `0001-01-01T00:00:00` as the schedule
 * monitor's last run when the timer never ran, which reads like a date.
 */

/** The instant the Functions host reports as the schedule monitor's last run when the timer never ran. */
export const NEVER_RAN_SENTINEL = '0001-01-01T00:00:00';

/** The previous run as the host reports it, or "never" for its sentinel (or nothing). */
export function describePreviousRun(last: string | undefined): string {
  const value = last?.trim() ?? '';
  if (value === '' || value === 'unknown' || value.startsWith(NEVER_RAN_SENTINEL) || value.startsWith('0001-')) {
    return 'never (this is the first run the host knows of)';
  }
  return value;
}
