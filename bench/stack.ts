/**
 * The local stack as the benchmark runs it: the demo tenant and vault, the obligations list generated
 * with N items spread over a year, the configured latency on every endpoint, a clock that the
 * steady-state scenario moves ahead, and the emulators' request counters grouped by what they cost.
 */
import { startLocalStack, DEMO_SEED_PATH } from '../emulators/stack/stack.js';
import type { LocalStack } from '../emulators/stack/stack.js';
import { loadSeedFile, parseSeed } from '../emulators/stack/seed-file.js';
import type { SeedFile } from '../emulators/stack/seed.js';
import { obligationColumns } from '../emulators/graph/obligations-generator.js';
import type { FaultRule } from '../emulators/stack/types.js';
import type { LatencyOptions } from './options.js';

/** Requests the emulators received, by kind. */
export interface ServiceRequests {
  /** Graph list-items requests (pages), throttled ones included. */
  readonly graph: number;
  /** Entra ID token requests. */
  readonly token: number;
  /** OpenID discovery (`.well-known/openid-configuration`) requests. */
  readonly discovery: number;
  /** Key Vault secret requests, the unauthenticated first request of the challenge included. */
  readonly keyVault: number;
  /** Managed-identity token requests (the Key Vault client's identity). */
  readonly identity: number;
}

export interface BenchStackOptions {
  /** Items in the obligations list. */
  readonly listSize: number;
  readonly latency: LatencyOptions;
  /** Seed of the fault generator (throttling draws). */
  readonly faultSeed?: number;
}

export interface BenchStack {
  readonly local: LocalStack;
  readonly listSize: number;
  /** Port of the Graph emulator (its traffic is what the daemon processes count). */
  readonly graphPort: number;
  /** Moves the emulators' clock this far ahead of real time (the daemon process gets the same offset). */
  setClockOffset(offsetMs: number): void;
  requests(): ServiceRequests;
  /** Adds a fault rule until the returned function is called. */
  addFault(rule: FaultRule): () => void;
  stop(): Promise<void>;
}

/** Generator seed of the benchmark's list: every run of the benchmark reads the same items. */
const LIST_SEED = 20_261_201;
const DAYS_PER_YEAR = 365;

export async function startBenchStack(options: BenchStackOptions): Promise<BenchStack> {
  let clockOffsetMs = 0;
  const seed = benchSeed(await loadSeedFile(DEMO_SEED_PATH), options.listSize);
  const local = await startLocalStack({
    seed,
    // In memory: due-notifier's sweep asks the idempotency ledger (Table storage) which reminders were sent.
    azurite: { inMemory: true },
    clock: () => Date.now() + clockOffsetMs,
    faults: latencyRules(options.latency),
    faultSeed: options.faultSeed ?? 1,
  });
  const graphPort = Number(new URL(local.urls.graph).port);
  return {
    local,
    listSize: options.listSize,
    graphPort,
    setClockOffset(offsetMs) {
      clockOffsetMs = offsetMs;
    },
    requests() {
      const count = (...endpoints: string[]): number =>
        endpoints.reduce((sum, endpoint) => sum + local.counters.get(endpoint), 0);
      return {
        graph: count('graph.listItems'),
        token: count('entra.token'),
        discovery: count('entra.openidConfiguration'),
        keyVault: count('keyvault.getSecret', 'keyvault.getSecretVersion'),
        identity: count('identity.token'),
      };
    },
    addFault(rule) {
      const id = local.faults.add(rule);
      return () => local.faults.remove(id);
    },
    stop: () => local.stop(),
  };
}

/** Requests made between two snapshots. */
export function requestsBetween(before: ServiceRequests, after: ServiceRequests): ServiceRequests {
  return {
    graph: after.graph - before.graph,
    token: after.token - before.token,
    discovery: after.discovery - before.discovery,
    keyVault: after.keyVault - before.keyVault,
    identity: after.identity - before.identity,
  };
}

export function sumRequests(all: readonly ServiceRequests[]): ServiceRequests {
  return all.reduce(
    (sum, requests) => ({
      graph: sum.graph + requests.graph,
      token: sum.token + requests.token,
      discovery: sum.discovery + requests.discovery,
      keyVault: sum.keyVault + requests.keyVault,
      identity: sum.identity + requests.identity,
    }),
    { graph: 0, token: 0, discovery: 0, keyVault: 0, identity: 0 },
  );
}

/** Latency on every endpoint a daemon run touches: Entra ID (token and discovery), Key Vault, Graph pages. */
export function latencyRules(latency: LatencyOptions): FaultRule[] {
  const rules: FaultRule[] = [
    { endpoint: 'graph.listItems', action: { type: 'latency', ms: latency.graphPageMs } },
    { service: 'entra', action: { type: 'latency', ms: latency.tokenMs } },
    { service: 'keyvault', action: { type: 'latency', ms: latency.keyVaultMs } },
    { service: 'identity', action: { type: 'latency', ms: latency.identityMs } },
  ];
  return rules.filter((rule) => rule.action.type !== 'latency' || rule.action.ms > 0);
}

/**
 * The demo seed with the daemon's list generated: `listSize` obligations whose due dates are spread over
 * a year centred on today, so that every reminder window falls inside it.
 */
export function benchSeed(demo: SeedFile, listSize: number): SeedFile {
  const { siteId, listId } = demo.daemon;
  const sites = demo.graph.sites.map((site) =>
    site.id !== siteId
      ? site
      : {
          ...site,
          lists: site.lists.map((list) =>
            list.id !== listId
              ? list
              : {
                  id: list.id,
                  displayName: list.displayName,
                  columns: obligationColumns,
                  generate: {
                    count: listSize,
                    seed: LIST_SEED,
                    from: `today-${Math.floor(DAYS_PER_YEAR / 2)}`,
                    days: DAYS_PER_YEAR,
                  },
                },
          ),
        },
  );
  return parseSeed({ ...demo, graph: { ...demo.graph, sites } }, `benchmark seed (${listSize} items)`);
}
