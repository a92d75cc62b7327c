import { describe, expect, it } from 'vitest';
import { createFaultController, FaultRuleError, parseFaultSpec } from '../../../emulators/stack/faults.js';
import type { FaultRequest } from '../../../emulators/stack/faults.js';

const listItems: FaultRequest = {
  service: 'graph',
  endpoint: 'graph.listItems',
  method: 'GET',
  pathAndQuery: '/v1.0/sites/s/lists/l/items?$top=200',
};

describe('parseFaultSpec', () => {
  it.each([
    [
      'graph.listItems:429:retry-after=0.5:count=3',
      {
        service: 'graph',
        endpoint: 'graph.listItems',
        action: { type: 'status', status: 429, retryAfter: '0.5' },
        count: 3,
      },
    ],
    ['graph:latency=100:jitter=20', { service: 'graph', action: { type: 'latency', ms: 100, jitterMs: 20 } }],
    ['keyvault:reset:p=0.1', { service: 'keyvault', action: { type: 'reset' }, probability: 0.1 }],
    ['entra.token:503', { service: 'entra', endpoint: 'entra.token', action: { type: 'status', status: 503 } }],
    ['path=/v1.0/users/.*:truncate', { path: '/v1.0/users/.*', action: { type: 'truncate' } }],
    [
      'graph.sendMail:lost-answer:count=1',
      { service: 'graph', endpoint: 'graph.sendMail', action: { type: 'lostAnswer' }, count: 1 },
    ],
    ['method=post:path=^/x\\:y$:500', { method: 'POST', path: '^/x:y$', action: { type: 'status', status: 500 } }],
  ])('parses %s', (spec, rule) => {
    expect(parseFaultSpec(spec)).toEqual(rule);
  });

  it.each([
    ['graph.listItems', 'no action'],
    ['graph:429:reset', '"reset" is a second action'],
    ['graph:42', 'unknown part "42"'],
    ['graph:418x', 'unknown part "418x"'],
    ['mars:500', 'unknown part "mars"'],
    ['mars.token:500', '"mars.token": unknown service "mars" in route name'],
    ['graph:429:retry-after=soon', 'retry-after must be seconds'],
    ['graph:reset:retry-after=1', 'retry-after= only goes with a status'],
    ['graph:500:jitter=5', 'jitter= only goes with latency='],
    ['graph:latency=fast', '"latency=fast": latency must be a number'],
    ['graph:503:count=0', 'count must be a positive integer'],
    ['graph:503:p=2', 'probability must be between 0 and 1'],
    ['graph:503:colour=red', 'unknown option "colour"'],
    ['path=([:reset', 'path is not a valid regular expression'],
    ['graph::503', 'empty part'],
    ['graph:200', 'status must be an HTTP error status'],
  ])('rejects %s naming the bad part', (spec, problem) => {
    let caught: unknown;
    try {
      parseFaultSpec(spec);
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(FaultRuleError);
    expect(caught).toMatchObject({ code: 'InvalidFaultRule' });
    expect((caught as Error).message).toContain(`Invalid fault "${spec}": ${problem}`);
  });
});

describe('createFaultController', () => {
  it('matches on service, endpoint, method and path; expires count-limited rules', () => {
    const faults = createFaultController();
    faults.add({ endpoint: 'graph.sendMail', action: { type: 'reset' } });
    faults.add({ service: 'keyvault', action: { type: 'reset' } });
    faults.add({ method: 'POST', action: { type: 'reset' } });
    faults.add({ path: 'top=999', action: { type: 'reset' } });
    expect(faults.decide(listItems)).toEqual({ latencyMs: 0 });

    const id = faults.add({ path: '/lists/l/', action: { type: 'status', status: 503 }, count: 2 });
    expect(faults.list().find((rule) => rule.id === id)).toMatchObject({ remaining: 2 });
    expect(faults.decide(listItems).terminal).toEqual({ type: 'status', status: 503 });
    expect(faults.list().find((rule) => rule.id === id)).toMatchObject({ remaining: 1 });
    expect(faults.decide(listItems).terminal).toEqual({ type: 'status', status: 503 });
    expect(faults.decide(listItems).terminal).toBeUndefined();
    expect(faults.list().map((rule) => rule.id)).not.toContain(id);
  });

  it('adds latencies up and lets the first terminal rule win without using up the others', () => {
    const faults = createFaultController();
    faults.add({ service: 'graph', action: { type: 'latency', ms: 100 } });
    faults.add({ endpoint: 'graph.listItems', action: { type: 'latency', ms: 50 } });
    faults.add({ service: 'graph', action: { type: 'status', status: 429, retryAfter: '1' }, count: 1 });
    const second = faults.add({ service: 'graph', action: { type: 'reset' }, count: 1 });
    expect(faults.decide(listItems)).toEqual({
      latencyMs: 150,
      terminal: { type: 'status', status: 429, retryAfter: '1' },
    });
    expect(faults.list().find((rule) => rule.id === second)).toMatchObject({ remaining: 1 });
    expect(faults.decide(listItems)).toEqual({ latencyMs: 150, terminal: { type: 'reset' } });
  });

  it('keeps jitter within ms ± jitterMs', () => {
    const faults = createFaultController({ seed: 3 });
    faults.add({ action: { type: 'latency', ms: 100, jitterMs: 20 } });
    const latencies = Array.from({ length: 200 }, () => faults.decide(listItems).latencyMs);
    expect(Math.min(...latencies)).toBeGreaterThanOrEqual(80);
    expect(Math.max(...latencies)).toBeLessThanOrEqual(120);
    expect(new Set(latencies).size).toBeGreaterThan(100);
  });

  it('draws probabilities from a seeded generator: same seed, same faults', () => {
    const run = (seed: number): boolean[] => {
      const faults = createFaultController({ seed });
      faults.add({ action: { type: 'reset' }, probability: 0.3 });
      return Array.from({ length: 1000 }, () => faults.decide(listItems).terminal !== undefined);
    };
    const first = run(42);
    expect(run(42)).toEqual(first);
    expect(run(43)).not.toEqual(first);
    const share = first.filter(Boolean).length / first.length;
    expect(share).toBeGreaterThan(0.25);
    expect(share).toBeLessThan(0.35);
  });

  it('removes and clears rules, and validates rules added from code', () => {
    const faults = createFaultController();
    const id = faults.add({ action: { type: 'reset' } });
    faults.add({ action: { type: 'truncate' } });
    faults.remove(id);
    expect(faults.decide(listItems).terminal).toEqual({ type: 'truncate' });
    faults.clear();
    expect(faults.list()).toEqual([]);
    expect(() => faults.add({ action: { type: 'latency', ms: -1 } })).toThrow(FaultRuleError);
    expect(() => faults.add({ path: '(', action: { type: 'reset' } })).toThrow(/not a valid regular expression/);
  });
});
