/**
 * Command line of `npm run soak`: how many days, the seed, the list's size; `--quick` is the CI run.
 */
import { parseArgs } from 'node:util';
import { DueNotifierError } from '../../shared/base/errors.js';

export interface SoakCommand {
  readonly days: number;
  readonly seed: number;
  readonly itemsPerDay: number;
  /** Print a line per simulated day. */
  readonly verbose: boolean;
}

export const DEFAULT_DAYS = 30;
export const QUICK_DAYS = 6;
const DEFAULT_ITEMS_PER_DAY = 3;

export const SOAK_USAGE = `Usage: npm run soak -- [--days N] [--seed S] [--quick] [--items-per-day N] [--verbose]
Simulates N days (default ${DEFAULT_DAYS}) of timer runs and deliveries on the local stack, with faults drawn
from the seed (default 1), then checks that every due and valid reminder was e-mailed exactly once (or is
accounted for by name) and that nothing stale or forged was e-mailed. Exit code 0: PASS, 1: FAIL.
  --quick              ${QUICK_DAYS} days (CI)
  --items-per-day N    obligations falling due per simulated day (default ${DEFAULT_ITEMS_PER_DAY})
  --verbose            a line per simulated day on stderr`;

/** Parses the soak's arguments; `'help'` for --help. Throws an `InvalidArguments` DueNotifierError. */
export function parseSoakArgs(argv: readonly string[]): SoakCommand | 'help' {
  let values;
  try {
    ({ values } = parseArgs({
      args: [...argv],
      strict: true,
      allowPositionals: false,
      options: {
        days: { type: 'string' },
        seed: { type: 'string' },
        quick: { type: 'boolean', default: false },
        'items-per-day': { type: 'string' },
        verbose: { type: 'boolean', default: false },
        help: { type: 'boolean', default: false },
      },
    }));
  } catch (error) {
    throw invalid(`${error instanceof Error ? error.message : String(error)}`);
  }
  if (values.help) return 'help';
  if (values.quick && values.days !== undefined) throw invalid('--quick and --days exclude each other');
  return {
    days: values.quick ? QUICK_DAYS : wholeNumber('--days', values.days, DEFAULT_DAYS, 1, 3_650),
    seed: wholeNumber('--seed', values.seed, 1, 0, 2 ** 32 - 1),
    itemsPerDay: wholeNumber('--items-per-day', values['items-per-day'], DEFAULT_ITEMS_PER_DAY, 1, 200),
    verbose: values.verbose,
  };
}

function wholeNumber(flag: string, text: string | undefined, fallback: number, min: number, max: number): number {
  if (text === undefined) return fallback;
  const value = Number(text);
  if (!/^\d+$/.test(text) || value < min || value > max) {
    throw invalid(`${flag} must be a whole number from ${min} to ${max}; got "${text}"`);
  }
  return value;
}

function invalid(message: string): DueNotifierError<'InvalidArguments'> {
  return new DueNotifierError('InvalidArguments', `${message} (see --help)`);
}
