/**
 * What `npm run soak` prints: the days simulated, each fault kind and how often it struck, how every
 * due reminder ended (e-mailed once, ambiguous, deferred, withheld), each violation with the seed
 * and day that reproduce it, and PASS or FAIL.
 */
import { daysBetween, calendarDateIn } from '../../shared/reminders/calendar.js';
import { FAULT_DESCRIPTIONS, FAULT_KINDS } from './fault-plan.js';
import type { Verdict } from './invariants.js';
import type { SoakRun } from './simulation.js';

/** Violations listed one by one; the rest are counted. */
const LISTED_VIOLATIONS = 20;

export function renderSoakReport(run: SoakRun, verdict: Verdict): string {
  const { options, timeZone } = run;
  const seconds = run.durationMs / 1000;
  const lines = [
    `Soak: ${options.days} simulated day(s) from ${run.firstDate}, seed ${options.seed}, ${options.itemsPerDay} item(s) falling due per day; ${seconds.toFixed(1)} s (${(seconds / Math.max(1, options.days)).toFixed(2)} s per day).`,
    '',
    'Faults (days struck: what it does):',
    ...FAULT_KINDS.map(
      (kind) => `  ${kind.padEnd(26)} ${String(run.faultDays[kind]).padStart(4)}  ${FAULT_DESCRIPTIONS[kind]}`,
    ),
    '',
    `Due reminders: ${run.record.expected.length}; e-mails: ${verdict.mails}.`,
    `  e-mailed exactly once       ${verdict.accounted.sentOnce.length}`,
    `  ambiguous (sent twice)      ${named(verdict.accounted.ambiguous)}`,
    '    (a second e-mail after a lost sendMail answer, or a send whose record never reached the ledger: a crash or a Table outage at that moment)',
    `  deferred past the end       ${named(verdict.accounted.deferred)}`,
    `  withheld (item changed)     ${named(verdict.accounted.withheld)}`,
    '',
  ];
  if (verdict.violations.length === 0) {
    lines.push(
      'PASS: every due and valid reminder was e-mailed exactly once or is accounted for; nothing stale or forged was sent.',
    );
    return lines.join('\n');
  }
  lines.push(`FAIL: ${verdict.violations.length} violation(s):`);
  for (const violation of verdict.violations.slice(0, LISTED_VIOLATIONS)) {
    const date = calendarDateIn(violation.at, timeZone);
    const day = daysBetween(run.firstDate, date) + 1;
    lines.push(`  ${violation.kind} ${violation.reminderId} on day ${day} (${date}): ${violation.detail}`);
  }
  if (verdict.violations.length > LISTED_VIOLATIONS) {
    lines.push(`  … and ${verdict.violations.length - LISTED_VIOLATIONS} more`);
  }
  const first = verdict.violations[0];
  const firstDay = first ? daysBetween(run.firstDate, calendarDateIn(first.at, timeZone)) + 1 : 1;
  lines.push(
    `Reproduce: npm run soak -- --seed ${options.seed} --days ${options.days} --items-per-day ${options.itemsPerDay} (first violation on day ${firstDay}; --days ${firstDay} repeats the days up to it)`,
  );
  return lines.join('\n');
}

function named(ids: readonly string[]): string {
  const shown = ids.slice(0, 6).join(', ');
  return `${ids.length}${ids.length > 0 ? `: ${shown}${ids.length > 6 ? ', …' : ''}` : ''}`;
}
