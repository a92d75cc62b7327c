import { describe, expect, it } from 'vitest';
import { legendLayout, renderChartSvg } from '../../bench/svg-chart.js';
import type { Chart } from '../../bench/svg-chart.js';

const chart: Chart = {
  title: 'time & memory <vs> list size',
  xLabel: 'items',
  formatX: (value) => String(value),
  panels: [
    {
      title: 'time',
      yScale: 'log',
      formatY: (value) => `${value} ms`,
      series: [
        {
          name: 'naive',
          points: [
            { x: 10_000, y: 6_000 },
            { x: 100_000, y: 60_000 },
            { x: 1_000_000, y: 600_000 },
          ],
        },
        {
          name: 'due-notifier',
          points: [
            { x: 10_000, y: 120 },
            { x: 100_000, y: 130 },
            { x: 1_000_000, y: Number.NaN },
          ],
        },
      ],
    },
    {
      title: 'memory',
      yScale: 'linear',
      formatY: (value) => `${value} MiB`,
      series: [
        {
          name: 'naive',
          points: [
            { x: 10_000, y: 100 },
            { x: 1_000_000, y: 3_000 },
          ],
        },
      ],
    },
  ],
};

function polylines(svg: string): string[][] {
  return [...svg.matchAll(/<polyline [^>]*points="([^"]*)"/g)].map((match) =>
    (match[1] ?? '').split(' ').filter((point) => point !== ''),
  );
}

describe('renderChartSvg', () => {
  const svg = renderChartSvg(chart);

  it('is one standalone SVG document with escaped text', () => {
    expect(svg.startsWith('<svg xmlns="http://www.w3.org/2000/svg"')).toBe(true);
    expect(svg.trimEnd().endsWith('</svg>')).toBe(true);
    expect(svg).toContain('time &amp; memory &lt;vs&gt; list size');
  });

  it('draws one line per series and panel, leaving out points that were not measured', () => {
    const lines = polylines(svg);
    expect(lines.map((points) => points.length)).toEqual([3, 2, 2]);
  });

  it('puts larger values higher and larger list sizes further right', () => {
    const [naive] = polylines(svg);
    const points = (naive ?? []).map((point) => point.split(',').map(Number));
    const xs = points.map(([x]) => x ?? Number.NaN);
    const ys = points.map(([, y]) => y ?? Number.NaN);
    expect(xs).toEqual([...xs].sort((a, b) => a - b));
    expect(ys).toEqual([...ys].sort((a, b) => b - a));
    // A log scale: each tenfold step is the same distance.
    expect(Math.abs((ys[0] ?? 0) - (ys[1] ?? 0) - ((ys[1] ?? 0) - (ys[2] ?? 0)))).toBeLessThan(0.2);
  });

  it('has one legend entry per peer', () => {
    expect(svg.match(/>naive</g)).toHaveLength(1);
    expect(svg.match(/>due-notifier</g)).toHaveLength(1);
  });

  it('fits the x axis to the list sizes measured: one tick per size, from the smallest to the largest', () => {
    const quick = renderChartSvg({
      ...chart,
      formatX: (value) => `${value / 1000}k`,
      panels: [
        {
          title: 'memory',
          yScale: 'log',
          formatY: (value) => `${value} MiB`,
          series: [{ name: 'naive', points: [1_000, 4_000, 16_000].map((x, index) => ({ x, y: 90 + index * 10 })) }],
        },
      ],
    });
    const xLabels = [...quick.matchAll(/<text [^>]*text-anchor="middle">(\d+k)<\/text>/g)].map((match) => match[1]);
    expect(xLabels).toEqual(['1k', '4k', '16k']);
    // The memory axis is fitted too: between 90 and 110 MiB, not 1 MiB to 1 GiB.
    const yLabels = [...quick.matchAll(/text-anchor="end"[^>]*>([\d.]+) MiB</g)].map((match) => Number(match[1]));
    expect(Math.min(...yLabels)).toBeGreaterThanOrEqual(80);
    expect(Math.max(...yLabels)).toBeLessThanOrEqual(120);
    // The first and last points sit near the plot's edges.
    const [line] = polylines(quick);
    const xs = (line ?? []).map((point) => Number(point.split(',')[0]));
    expect((xs[2] ?? 0) - (xs[0] ?? 0)).toBeGreaterThan(300);
  });

  it('lays the legend out without overlaps, wrapping long names onto a new row', () => {
    const names = [
      'naive',
      'graph-sdk',
      'due-notifier sweep',
      'due-notifier',
      'due-notifier sweep (GRAPH_CONCURRENCY=1)',
    ];
    const { entries, rows } = legendLayout(names, 840);
    expect(entries.map((entry) => entry.name)).toEqual(names);
    for (const entry of entries) expect(entry.x + entry.width).toBeLessThanOrEqual(840);
    for (const [index, entry] of entries.entries()) {
      const previous = entries[index - 1];
      if (previous && previous.row === entry.row) expect(entry.x).toBeGreaterThan(previous.x + previous.width);
    }
    expect(legendLayout(names, 300).rows).toBeGreaterThan(rows);
  });
});
