/**
 * Command line of `npm run bench`: injected latencies, list sizes, scenario selection, repetitions and
 * the output folder. `--quick` shrinks every scenario so that the whole benchmark runs in seconds (CI).
 */
import { DueNotifierError } from '../shared/base/errors.js';
import path from 'node:path';
import { parseArgs } from 'node:util';

export const SCENARIOS = ['steady-state', 'list-size', 'throttling', 'concurrency', 'cold-start', 'delivery'] as const;
export type ScenarioName = (typeof SCENARIOS)[number];

/** Latency injected by the local stack, per request, in milliseconds. */
export interface LatencyOptions {
  /** Each Graph list-items request (a page). */
  readonly graphPageMs: number;
  /** Each Entra ID request (token, and the OpenID discovery document). */
  readonly tokenMs: number;
  /** Each Key Vault secret request. */
  readonly keyVaultMs: number;
  /** Each managed-identity token request (local to the App Service instance in Azure). */
  readonly identityMs: number;
}

export interface BenchOptions {
  readonly quick: boolean;
  readonly scenarios: readonly ScenarioName[];
  readonly latency: LatencyOptions;
  /** List sizes of the list-size scenario. */
  readonly listSizes: readonly number[];
  /** Runs of the steady-state scenario, one every `steadyIntervalMinutes` of simulated time. */
  readonly steadyRuns: number;
  readonly steadyIntervalMinutes: number;
  /** List size of the steady-state scenario (small: it counts requests, the list size does not matter). */
  readonly steadyListSize: number;
  /** List size of the throttling and concurrency scenarios. */
  readonly focusListSize: number;
  /** Warm runs per measurement after the first (cold) run; the median is reported. */
  readonly warmRuns: number;
  /** Process starts per cold-start variant; the median is reported. */
  readonly coldStarts: number;
  /** Share of Graph page requests answered 429 in the throttling scenario. */
  readonly throttleProbability: number;
  /** `Retry-After` of those 429s, in seconds (as Graph sends it, possibly fractional). */
  readonly throttleRetryAfter: string;
  /** Throttled runs per peer (each draws its own 429s). */
  readonly throttledRuns: number;
  /** GRAPH_CONCURRENCY of the concurrent run in the concurrency scenario. */
  readonly concurrency: number;
  /** Folder the JSON report and the SVG chart are written to. */
  readonly outDir: string;
  /** Reminders of the delivery scenario. */
  readonly deliveryReminders: number;
  /** Instance counts the delivery scenario runs with (each a process). */
  readonly deliveryInstances: readonly number[];
  /** Mailbox seconds per real second in the delivery scenario. */
  readonly deliveryTimeScale: number;
}

/** Whether `error` is the benchmark's refusal of its command line (usage is printed, no stack). */
export function isBenchOptionsError(error: unknown): error is DueNotifierError<'BenchOptionsInvalid'> {
  return error instanceof DueNotifierError && error.code === 'BenchOptionsInvalid';
}

export const DEFAULT_LATENCY: LatencyOptions = { graphPageMs: 100, tokenMs: 150, keyVaultMs: 80, identityMs: 0 };

const FULL = {
  listSizes: [10_000, 100_000, 1_000_000],
  steadyRuns: 96,
  steadyListSize: 1_000,
  focusListSize: 100_000,
  warmRuns: 3,
  throttledRuns: 10,
  coldStarts: 7,
  deliveryReminders: 3_000,
} as const;

/** Every scenario small: a few thousand items, a few simulated hours, a tenth of the latency. */
const QUICK = {
  listSizes: [1_000, 4_000, 16_000],
  steadyRuns: 12,
  steadyListSize: 500,
  focusListSize: 16_000,
  warmRuns: 1,
  throttledRuns: 3,
  coldStarts: 2,
  deliveryReminders: 100,
  latencyScale: 0.1,
} as const;

/**
 * The delivery scenario's time compression: 3,000 reminders at 30 a minute (100 minutes) take 10 minutes.
 * The app's own work per e-mail (Table writes, TLS) is not compressed: beyond about 10× on two shared
 * cores it starts to count against the mailbox's pace.
 */
const DELIVERY_TIME_SCALE = 10;

export const USAGE = `Usage: npm run bench -- [options]
  --quick                  every scenario small (seconds; for CI)
  --scenario NAME          run only this scenario (repeatable): ${SCENARIOS.join(', ')}
  --graph-latency MS       latency per Graph page request (default ${DEFAULT_LATENCY.graphPageMs}; --quick: a tenth)
  --token-latency MS       latency per Entra ID request (default ${DEFAULT_LATENCY.tokenMs}; --quick: a tenth)
  --keyvault-latency MS    latency per Key Vault request (default ${DEFAULT_LATENCY.keyVaultMs}; --quick: a tenth)
  --identity-latency MS    latency per managed-identity token request (default ${DEFAULT_LATENCY.identityMs})
  --sizes N,N,...          list sizes of the list-size scenario (default ${FULL.listSizes.join(',')})
  --focus-size N           list size of the throttling and concurrency scenarios (default ${FULL.focusListSize})
  --steady-runs N          runs of the steady-state scenario (default ${FULL.steadyRuns}, every 15 simulated minutes)
  --warm-runs N            warm runs per measurement, median reported (default ${FULL.warmRuns})
  --cold-starts N          process starts per cold-start variant (default ${FULL.coldStarts})
  --concurrency N          GRAPH_CONCURRENCY of the concurrent run (default 4)
  --delivery-reminders N   reminders of the delivery scenario (default ${FULL.deliveryReminders}; --quick: ${QUICK.deliveryReminders})
  --delivery-time-scale N  time compression of the delivery scenario (default ${DELIVERY_TIME_SCALE})
  --delivery-instances N,N instance counts of the delivery scenario (default 1,4)
  --out DIR                output folder (default bench-results)
  --help                   this text`;

/** Parses the benchmark's arguments; returns `'help'` for `--help`. Throws a `BenchOptionsInvalid` DueNotifierError. */
export function parseBenchArgs(argv: readonly string[], cwd: string = process.cwd()): BenchOptions | 'help' {
  let parsed;
  try {
    parsed = parseArgs({
      args: [...argv],
      strict: true,
      allowPositionals: false,
      options: {
        quick: { type: 'boolean', default: false },
        scenario: { type: 'string', multiple: true },
        'graph-latency': { type: 'string' },
        'token-latency': { type: 'string' },
        'keyvault-latency': { type: 'string' },
        'identity-latency': { type: 'string' },
        sizes: { type: 'string' },
        'focus-size': { type: 'string' },
        'steady-runs': { type: 'string' },
        'warm-runs': { type: 'string' },
        'cold-starts': { type: 'string' },
        concurrency: { type: 'string' },
        'delivery-reminders': { type: 'string' },
        'delivery-time-scale': { type: 'string' },
        'delivery-instances': { type: 'string' },
        out: { type: 'string' },
        help: { type: 'boolean', default: false },
      },
    });
  } catch (error) {
    throw new DueNotifierError(
      'BenchOptionsInvalid',
      `${error instanceof Error ? error.message : String(error)}\n${USAGE}`,
      {
        cause: error,
      },
    );
  }
  const { values } = parsed;
  if (values.help) {
    return 'help';
  }
  const quick = values.quick;
  const preset = quick ? QUICK : FULL;
  const scale = quick ? QUICK.latencyScale : 1;
  const latency: LatencyOptions = {
    graphPageMs: wholeNumber(
      '--graph-latency',
      values['graph-latency'],
      Math.round(DEFAULT_LATENCY.graphPageMs * scale),
      0,
    ),
    tokenMs: wholeNumber('--token-latency', values['token-latency'], Math.round(DEFAULT_LATENCY.tokenMs * scale), 0),
    keyVaultMs: wholeNumber(
      '--keyvault-latency',
      values['keyvault-latency'],
      Math.round(DEFAULT_LATENCY.keyVaultMs * scale),
      0,
    ),
    identityMs: wholeNumber('--identity-latency', values['identity-latency'], DEFAULT_LATENCY.identityMs, 0),
  };
  return {
    quick,
    scenarios: scenariosOf(values.scenario),
    latency,
    listSizes: values.sizes === undefined ? preset.listSizes : wholeNumbersOf('--sizes', values.sizes, MAX_LIST_SIZE),
    steadyRuns: wholeNumber('--steady-runs', values['steady-runs'], preset.steadyRuns, 1),
    steadyIntervalMinutes: 15,
    steadyListSize: preset.steadyListSize,
    focusListSize: wholeNumber('--focus-size', values['focus-size'], preset.focusListSize, 1, MAX_LIST_SIZE),
    warmRuns: wholeNumber('--warm-runs', values['warm-runs'], preset.warmRuns, 1),
    coldStarts: wholeNumber('--cold-starts', values['cold-starts'], preset.coldStarts, 1),
    throttleProbability: 0.2,
    throttleRetryAfter: '0.5',
    throttledRuns: preset.throttledRuns,
    concurrency: wholeNumber('--concurrency', values.concurrency, 4, 2, 16),
    outDir: path.resolve(cwd, values.out ?? 'bench-results'),
    deliveryReminders: wholeNumber(
      '--delivery-reminders',
      values['delivery-reminders'],
      preset.deliveryReminders,
      1,
      100_000,
    ),
    deliveryInstances:
      values['delivery-instances'] === undefined
        ? [1, 4]
        : wholeNumbersOf('--delivery-instances', values['delivery-instances'], 16),
    deliveryTimeScale: wholeNumber(
      '--delivery-time-scale',
      values['delivery-time-scale'],
      DELIVERY_TIME_SCALE,
      1,
      3_600,
    ),
  };
}

/** The Graph emulator generates at most this many items per list. */
const MAX_LIST_SIZE = 1_000_000;

function scenariosOf(names: readonly string[] | undefined): readonly ScenarioName[] {
  if (names === undefined || names.length === 0) {
    return SCENARIOS;
  }
  return names.map((name) => {
    const scenario = SCENARIOS.find((candidate) => candidate === name);
    if (scenario === undefined) {
      throw new DueNotifierError(
        'BenchOptionsInvalid',
        `--scenario must be one of ${SCENARIOS.join(', ')}; got "${name}"`,
      );
    }
    return scenario;
  });
}

function wholeNumbersOf(flag: string, text: string, max: number): readonly number[] {
  const numbers = text.split(',').map((part) => wholeNumber(flag, part.trim(), 0, 1, max));
  return [...new Set(numbers)].sort((a, b) => a - b);
}

function wholeNumber(
  flag: string,
  text: string | undefined,
  fallback: number,
  min: number,
  max: number = Number.MAX_SAFE_INTEGER,
): number {
  if (text === undefined) {
    return fallback;
  }
  const value = Number(text.replaceAll('_', ''));
  if (!/^\d[\d_]*$/.test(text) || !Number.isSafeInteger(value) || value < min || value > max) {
    throw new DueNotifierError(
      'BenchOptionsInvalid',
      `${flag} must be a whole number from ${min} to ${max}; got "${text}"`,
    );
  }
  return value;
}
