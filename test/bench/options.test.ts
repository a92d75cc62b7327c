import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { DEFAULT_LATENCY, SCENARIOS, parseBenchArgs } from '../../bench/options.js';
import type { BenchOptions } from '../../bench/options.js';

function parse(argv: readonly string[]): BenchOptions {
  const options = parseBenchArgs(argv, '/repo');
  if (options === 'help') {
    throw new Error('unexpected --help');
  }
  return options;
}

describe('parseBenchArgs', () => {
  it("defaults to the issue's configuration: every scenario, 10k/100k/1M items, 96 runs, the stated latencies", () => {
    const options = parse([]);
    expect(options.quick).toBe(false);
    expect(options.scenarios).toEqual(SCENARIOS);
    expect(options.listSizes).toEqual([10_000, 100_000, 1_000_000]);
    expect(options.steadyRuns).toBe(96);
    expect(options.steadyIntervalMinutes).toBe(15);
    expect(options.focusListSize).toBe(100_000);
    expect(options.latency).toEqual(DEFAULT_LATENCY);
    expect(options.latency).toMatchObject({ graphPageMs: 100, tokenMs: 150, keyVaultMs: 80 });
    expect(options.throttleProbability).toBe(0.2);
    expect(options.throttleRetryAfter).toBe('0.5');
    expect(options.concurrency).toBe(4);
    expect(options.outDir).toBe(path.resolve('/repo', 'bench-results'));
    expect(options).toMatchObject({ deliveryReminders: 3_000, deliveryInstances: [1, 4], deliveryTimeScale: 10 });
  });

  it('--quick makes every scenario small and scales the latency down', () => {
    const options = parse(['--quick']);
    expect(options.scenarios).toEqual(SCENARIOS);
    expect(Math.max(...options.listSizes)).toBeLessThanOrEqual(20_000);
    expect(options.steadyRuns).toBeLessThan(96);
    expect(options.latency.graphPageMs).toBe(10);
    expect(options.latency.tokenMs).toBe(15);
    expect(options.deliveryReminders).toBe(100);
  });

  it('takes the delivery scenario’s size and time compression from flags', () => {
    const options = parse(['--scenario', 'delivery', '--delivery-reminders', '600', '--delivery-time-scale', '30']);
    expect(options).toMatchObject({ scenarios: ['delivery'], deliveryReminders: 600, deliveryTimeScale: 30 });
    expect(() => parse(['--delivery-time-scale', '0'])).toThrow(/--delivery-time-scale must be a whole number/);
  });

  it('takes latencies, sizes, scenarios and the output folder from flags', () => {
    const options = parse([
      '--graph-latency',
      '250',
      '--token-latency',
      '0',
      '--keyvault-latency',
      '40',
      '--identity-latency',
      '5',
      '--sizes',
      '100000,5000,5000',
      '--scenario',
      'throttling',
      '--scenario',
      'cold-start',
      '--out',
      'out/bench',
      '--quick',
    ]);
    expect(options.latency).toEqual({ graphPageMs: 250, tokenMs: 0, keyVaultMs: 40, identityMs: 5 });
    expect(options.listSizes).toEqual([5_000, 100_000]);
    expect(options.scenarios).toEqual(['throttling', 'cold-start']);
    expect(options.outDir).toBe(path.resolve('/repo', 'out/bench'));
  });

  it('refuses unknown flags, scenarios and bad numbers with the reason', () => {
    expect(() => parse(['--fast'])).toThrow(expect.objectContaining({ code: 'BenchOptionsInvalid' }));
    expect(() => parse(['--scenario', 'warp'])).toThrow(/--scenario must be one of steady-state, list-size/);
    expect(() => parse(['--graph-latency', '1.5'])).toThrow(/--graph-latency must be a whole number/);
    expect(() => parse(['--sizes', '10,2000000'])).toThrow(/--sizes must be a whole number from 1 to 1000000/);
    expect(() => parse(['--concurrency', '1'])).toThrow(/--concurrency/);
  });

  it('answers --help', () => {
    expect(parseBenchArgs(['--help'])).toBe('help');
  });
});
