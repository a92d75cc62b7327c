import { describe, expect, it } from 'vitest';
import { renderChartSvg } from '../../bench/svg-chart.js';
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
});
