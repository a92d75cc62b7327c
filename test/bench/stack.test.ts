import { describe, expect, it } from 'vitest';
import { DEMO_SEED_PATH } from '../../emulators/stack/stack.js';
import { loadSeedFile } from '../../emulators/stack/seed-file.js';
import { benchSeed, latencyRules, requestsBetween, sumRequests } from '../../bench/stack.js';

describe('benchSeed', () => {
  it("generates the daemon's list with N obligations over a year and keeps the rest of the demo seed", async () => {
    const demo = await loadSeedFile(DEMO_SEED_PATH);
    const seed = benchSeed(demo, 100_000);
    const site = seed.graph.sites.find((candidate) => candidate.id === seed.daemon.siteId);
    const list = site?.lists.find((candidate) => candidate.id === seed.daemon.listId);
    expect(list?.generate).toMatchObject({ count: 100_000, days: 365 });
    expect(list?.items).toBeUndefined();
    expect(list?.columns.find((column) => column.name === 'DueDate')).toMatchObject({ indexed: true });
    expect(seed.tenants).toEqual(demo.tenants);
    expect(seed.daemon).toEqual(demo.daemon);
  });
});

describe('latencyRules', () => {
  it('puts the page latency on Graph list items, the token latency on Entra ID and leaves out zero latencies', () => {
    const rules = latencyRules({ graphPageMs: 100, tokenMs: 150, keyVaultMs: 80, identityMs: 0 });
    expect(rules).toEqual([
      { endpoint: 'graph.listItems', action: { type: 'latency', ms: 100 } },
      { service: 'entra', action: { type: 'latency', ms: 150 } },
      { service: 'keyvault', action: { type: 'latency', ms: 80 } },
    ]);
  });
});

describe('request arithmetic', () => {
  it('takes differences between snapshots and sums runs', () => {
    const before = { graph: 1, token: 1, discovery: 1, keyVault: 2, identity: 1 };
    const after = { graph: 4, token: 1, discovery: 1, keyVault: 3, identity: 1 };
    expect(requestsBetween(before, after)).toEqual({ graph: 3, token: 0, discovery: 0, keyVault: 1, identity: 0 });
    expect(sumRequests([before, after])).toEqual({ graph: 5, token: 2, discovery: 2, keyVault: 5, identity: 2 });
  });
});
