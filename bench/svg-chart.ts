/**
 * A small hand-written SVG line chart: side-by-side panels sharing a logarithmic x axis (list size),
 * one line per peer. No dependencies; the output is a standalone `.svg` file.
 */
export interface ChartPoint {
  readonly x: number;
  readonly y: number;
}

export interface ChartSeries {
  readonly name: string;
  readonly points: readonly ChartPoint[];
}

export interface ChartPanel {
  readonly title: string;
  readonly series: readonly ChartSeries[];
  readonly yScale: 'log' | 'linear';
  /** Tick labels of the y axis, e.g. `1 s`. */
  formatY(value: number): string;
}

export interface Chart {
  readonly title: string;
  readonly xLabel: string;
  formatX(value: number): string;
  readonly panels: readonly ChartPanel[];
}

const PANEL = { width: 420, height: 300, left: 70, right: 16, top: 40, bottom: 48 } as const;
const HEADER = 36;
const LEGEND = 28;
const COLORS = ['#d1495b', '#edae49', '#00798c', '#30638e', '#7b2cbf', '#2a9d8f'];

interface Scale {
  map(value: number): number;
  readonly ticks: readonly number[];
}

export function renderChartSvg(chart: Chart): string {
  const names = [...new Set(chart.panels.flatMap((panel) => panel.series.map((series) => series.name)))];
  const colorOf = (name: string): string => COLORS[names.indexOf(name) % COLORS.length] ?? '#000';
  const width = PANEL.width * chart.panels.length;
  const height = HEADER + PANEL.height + LEGEND;
  const xs = chart.panels.flatMap((panel) => panel.series.flatMap((series) => series.points.map((point) => point.x)));
  const parts: string[] = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="sans-serif" font-size="11">`,
    `<rect width="${width}" height="${height}" fill="#fff"/>`,
    `<text x="${width / 2}" y="22" text-anchor="middle" font-size="14" font-weight="bold">${escapeXml(chart.title)}</text>`,
  ];
  chart.panels.forEach((panel, index) => {
    const originX = index * PANEL.width;
    const plotLeft = originX + PANEL.left;
    const plotRight = originX + PANEL.width - PANEL.right;
    const plotTop = HEADER + PANEL.top;
    const plotBottom = HEADER + PANEL.height - PANEL.bottom;
    const ys = panel.series.flatMap((series) => series.points.map((point) => point.y));
    const x = logScale(xs, plotLeft, plotRight);
    const y = panel.yScale === 'log' ? logScale(ys, plotBottom, plotTop) : linearScale(ys, plotBottom, plotTop);
    parts.push(
      `<text x="${(plotLeft + plotRight) / 2}" y="${HEADER + 20}" text-anchor="middle" font-size="12" font-weight="bold">${escapeXml(panel.title)}</text>`,
    );
    for (const tick of y.ticks) {
      const ty = y.map(tick).toFixed(1);
      parts.push(`<line x1="${plotLeft}" x2="${plotRight}" y1="${ty}" y2="${ty}" stroke="#e5e5e5"/>`);
      parts.push(
        `<text x="${plotLeft - 6}" y="${ty}" text-anchor="end" dominant-baseline="middle">${escapeXml(panel.formatY(tick))}</text>`,
      );
    }
    for (const tick of x.ticks) {
      const tx = x.map(tick).toFixed(1);
      parts.push(`<line x1="${tx}" x2="${tx}" y1="${plotTop}" y2="${plotBottom}" stroke="#f0f0f0"/>`);
      parts.push(
        `<text x="${tx}" y="${plotBottom + 16}" text-anchor="middle">${escapeXml(chart.formatX(tick))}</text>`,
      );
    }
    parts.push(
      `<rect x="${plotLeft}" y="${plotTop}" width="${plotRight - plotLeft}" height="${plotBottom - plotTop}" fill="none" stroke="#999"/>`,
    );
    parts.push(
      `<text x="${(plotLeft + plotRight) / 2}" y="${plotBottom + 34}" text-anchor="middle">${escapeXml(chart.xLabel)}</text>`,
    );
    for (const series of panel.series) {
      const points = series.points
        .filter((point) => Number.isFinite(point.y))
        .map((point) => `${x.map(point.x).toFixed(1)},${y.map(point.y).toFixed(1)}`);
      const color = colorOf(series.name);
      parts.push(`<polyline fill="none" stroke="${color}" stroke-width="2" points="${points.join(' ')}"/>`);
      for (const point of points) {
        const [cx, cy] = point.split(',');
        parts.push(`<circle cx="${cx}" cy="${cy}" r="3" fill="${color}"/>`);
      }
    }
  });
  names.forEach((name, index) => {
    const lx = 20 + index * 170;
    const ly = height - 12;
    parts.push(`<rect x="${lx}" y="${ly - 8}" width="14" height="4" fill="${colorOf(name)}"/>`);
    parts.push(`<text x="${lx + 20}" y="${ly}" dominant-baseline="middle">${escapeXml(name)}</text>`);
  });
  parts.push('</svg>');
  return `${parts.join('\n')}\n`;
}

/** Log10 scale over the powers of ten that enclose the (positive) values. */
function logScale(values: readonly number[], from: number, to: number): Scale {
  const positive = values.filter((value) => value > 0 && Number.isFinite(value));
  const low = Math.floor(Math.log10(Math.min(...positive, 1)));
  const high = Math.max(low + 1, Math.ceil(Math.log10(Math.max(...positive, 10))));
  const ticks: number[] = [];
  for (let exponent = low; exponent <= high; exponent += 1) {
    ticks.push(10 ** exponent);
  }
  return {
    map: (value) => from + ((Math.log10(Math.max(value, 10 ** low)) - low) / (high - low)) * (to - from),
    ticks,
  };
}

/** Linear scale from 0 to a round maximum, with about five ticks. */
function linearScale(values: readonly number[], from: number, to: number): Scale {
  const max = Math.max(...values.filter(Number.isFinite), 1);
  const rough = max / 5;
  const magnitude = 10 ** Math.floor(Math.log10(rough));
  const step = ([1, 2, 5, 10].find((factor) => factor * magnitude >= rough) ?? 10) * magnitude;
  const top = Math.ceil(max / step) * step;
  const ticks: number[] = [];
  for (let tick = 0; tick <= top + step / 2; tick += step) {
    ticks.push(tick);
  }
  return { map: (value) => from + (value / top) * (to - from), ticks };
}

function escapeXml(text: string): string {
  return text.replaceAll('&', '&amp;').replaceAll('<', '&lt;').replaceAll('>', '&gt;').replaceAll('"', '&quot;');
}
