/**
 * GRAPH_CONCURRENCY: the sweep reads disjoint due-date ranges at once and decides exactly what one
 * sequential query decides. The fake Graph below applies the query's due-date filter and pages, like
 * the real one, so that each range gets its own items.
 */
import { describe, expect, it } from 'vitest';
import { addDays, startOfDayIn } from '../../../shared/reminders/calendar.js';
import type { AppConfig } from '../../../shared/config/config.js';
import type { GraphClient, ListItemsQuery } from '../../../shared/clients/graph.js';
import type { ListItem } from '../../../shared/reminders/rules.js';
import { createRequestMetrics } from '../../../shared/http/metrics.js';
import { createRangePlanner } from '../../../shared/sweep/range-planner.js';
import type { RangePlanner } from '../../../shared/sweep/range-planner.js';
import { runSweep } from '../../../shared/sweep/sweep.js';
import { testConfig } from '../../support/settings.js';

const ZONE = 'Europe/Berlin';
/** 07:00 in Berlin on 1 December 2026. */
const NOW = new Date('2026-12-01T06:00:00Z');
const silent = { info: () => undefined, warn: () => undefined, error: () => undefined };

function configWith(concurrency: number): AppConfig {
  return testConfig({ REMINDER_TIME_ZONE: ZONE, GRAPH_CONCURRENCY: String(concurrency) });
}

/** Three obligations a day from 5 days before to 14 days after 1 December, due at Berlin midnight. */
const ITEMS: readonly ListItem[] = Array.from({ length: 20 * 3 }, (_, index) => {
  const day = addDays('2026-11-26', Math.floor(index / 3));
  return {
    id: String(index + 1),
    fields: {
      Title: `INV-${index + 1}`,
      CustomerName: `Customer ${index + 1}`,
      CustomerEmail: index % 7 === 3 ? 'not-an-address' : `c${index + 1}@example.com`,
      DueDate: startOfDayIn(day, ZONE).toISOString().replace('.000Z', 'Z'),
      AmountDue: 100 + index,
      Currency: 'EUR',
      Status: index % 5 === 4 ? 'Paid' : 'Open',
    },
  };
});

interface FilteringGraph extends GraphClient {
  readonly queries: ListItemsQuery[];
  readonly mostInFlight: () => number;
  readonly aborted: () => number;
}

/** Serves the items within the query's `ge`/`lt` due-date filter, `top` per page, each page a macrotask later. */
function filteringGraph(options: { failOnQuery?: number } = {}): FilteringGraph {
  const queries: ListItemsQuery[] = [];
  let inFlight = 0;
  let mostInFlight = 0;
  let aborted = 0;
  return {
    queries,
    mostInFlight: () => mostInFlight,
    aborted: () => aborted,
    listItems(query) {
      const queryIndex = queries.push(query) - 1;
      const match = /ge '([^']+)' and fields\/DueDate lt '([^']+)'$/.exec(query.filter ?? '');
      const from = new Date(match?.[1] ?? Number.NaN);
      const to = new Date(match?.[2] ?? Number.NaN);
      const matching = ITEMS.filter((item) => {
        const due = new Date(String(item.fields.DueDate));
        return due >= from && due < to;
      });
      const top = query.top ?? 1000;
      return (async function* () {
        for (let start = 0; start === 0 || start < matching.length; start += top) {
          inFlight += 1;
          mostInFlight = Math.max(mostInFlight, inFlight);
          try {
            await new Promise<void>((resolve, reject) => {
              const timer = setTimeout(resolve, 5);
              query.abortSignal?.addEventListener(
                'abort',
                () => {
                  clearTimeout(timer);
                  aborted += 1;
                  reject(query.abortSignal?.reason as Error);
                },
                { once: true },
              );
            });
          } finally {
            inFlight -= 1;
          }
          if (options.failOnQuery === queryIndex && start > 0) {
            throw new Error(`range ${queryIndex} failed on its second page`);
          }
          yield matching.slice(start, start + top);
        }
      })();
    },
  };
}

async function sweepWith(
  concurrency: number,
  graph: FilteringGraph,
  options: { planner?: RangePlanner; pageSize?: number } = {},
) {
  const metrics = createRequestMetrics();
  const rangePlanner = options.planner ?? createRangePlanner();
  return runSweep(
    { config: configWith(concurrency), graph, metrics, logger: silent, rangePlanner },
    { now: NOW, runId: 'run', pageSize: options.pageSize ?? 2 },
  );
}

describe('runSweep with GRAPH_CONCURRENCY', () => {
  it('reads GRAPH_CONCURRENCY disjoint ranges at once and decides exactly what one query decides', async () => {
    const sequentialGraph = filteringGraph();
    const concurrentGraph = filteringGraph();
    const sequential = await sweepWith(1, sequentialGraph);
    const concurrent = await sweepWith(4, concurrentGraph);

    expect(sequentialGraph.queries).toHaveLength(1);
    expect(concurrentGraph.queries).toHaveLength(4);
    expect(concurrentGraph.mostInFlight()).toBe(4);
    expect(sequential.reminders.length).toBeGreaterThan(5);
    expect(concurrent.reminders).toEqual(sequential.reminders);
    expect(concurrent.summary).toEqual({ ...sequential.summary, durationMs: concurrent.summary.durationMs });
  });

  it('asks for contiguous ranges that together are the sequential query window', async () => {
    const sequentialGraph = filteringGraph();
    const concurrentGraph = filteringGraph();
    await sweepWith(1, sequentialGraph);
    await sweepWith(4, concurrentGraph);
    const bounds = (query: ListItemsQuery | undefined): [string, string] => {
      const match = /ge '([^']+)' and fields\/DueDate lt '([^']+)'$/.exec(query?.filter ?? '');
      return [match?.[1] ?? '', match?.[2] ?? ''];
    };
    const window = bounds(sequentialGraph.queries[0]);
    const ranges = concurrentGraph.queries.map(bounds).sort((a, b) => a[0].localeCompare(b[0]));
    expect(ranges[0]?.[0]).toBe(window[0]);
    expect(ranges.at(-1)?.[1]).toBe(window[1]);
    for (let index = 1; index < ranges.length; index += 1) {
      expect(ranges[index]?.[0]).toBe(ranges[index - 1]?.[1]);
    }
    for (const query of concurrentGraph.queries) {
      expect(query).toMatchObject({
        siteId: sequentialGraph.queries[0]?.siteId,
        top: 2,
        fields: sequentialGraph.queries[0]?.fields,
      });
    }
  });

  it('reads the window with one query when the last run found it fits in one page, with several again when it grew', async () => {
    const planner = createRangePlanner();
    const first = filteringGraph();
    const result = await sweepWith(4, first, { planner, pageSize: 100 });
    expect(first.queries).toHaveLength(4);
    expect(result.summary.itemsRead).toBeLessThanOrEqual(100);

    const second = filteringGraph();
    expect((await sweepWith(4, second, { planner, pageSize: 100 })).reminders).toEqual(result.reminders);
    expect(second.queries).toHaveLength(1);

    const third = filteringGraph();
    await sweepWith(4, third, { planner, pageSize: 2 });
    expect(third.queries).toHaveLength(4);
  });

  it('fails with the first range that fails and stops the others', async () => {
    const graph = filteringGraph({ failOnQuery: 1 });
    await expect(sweepWith(4, graph)).rejects.toThrow('range 1 failed on its second page');
    expect(graph.aborted()).toBeGreaterThan(0);
  });
});
