/**
 * A small hand-written SVG line chart: side-by-side panels sharing a logarithmic x axis (list size),
 * one line per peer, each axis fitted to the data it shows and a legend that wraps rather than overlaps.
 * No dependencies; the output is a standalone `.svg` file.
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
/** Room between the plot's frame and its first and last points, so that markers stay inside. */
const INSET = 14;
const LEGEND_ROW = 20;
const LEGEND_MARGIN = 20;
const LEGEND_SWATCH = 20;
const LEGEND_GAP = 24;
/** A generous average advance of an 11 px sans-serif character: legend entries never overlap. */
const CHAR_WIDTH = 6.6;
/** With more distinct list sizes than this, the x axis gets round ticks instead of one per size. */
const MAX_DATA_TICKS = 8;
const COLORS = ['#d1495b', '#edae49', '#00798c', '#30638e', '#7b2cbf', '#2a9d8f'];

interface Scale {
  map(value: number): number;
  readonly ticks: readonly number[];
}

/** Where each legend entry goes: left to right, wrapping onto a new row before the chart's edge. */
export function legendLayout(
  names: readonly string[],
  width: number,
): { readonly entries: readonly { name: string; x: number; row: number; width: number }[]; readonly rows: number } {
  const entries: { name: string; x: number; row: number; width: number }[] = [];
  let x = LEGEND_MARGIN;
  let row = 0;
  for (const name of names) {
    const entryWidth = LEGEND_SWATCH + name.length * CHAR_WIDTH;
    if (x > LEGEND_MARGIN && x + entryWidth > width - LEGEND_MARGIN) {
      row += 1;
      x = LEGEND_MARGIN;
    }
    entries.push({ name, x, row, width: entryWidth });
    x += entryWidth + LEGEND_GAP;
  }
  return { entries, rows: Math.max(1, row + 1) };
}

export function renderChartSvg(chart: Chart): string {
  const names = [...new Set(chart.panels.flatMap((panel) => panel.series.map((series) => series.name)))];
  const colorOf = (name: string): string => COLORS[names.indexOf(name) % COLORS.length] ?? '#000';
  const width = PANEL.width * chart.panels.length;
  const legend = legendLayout(names, width);
  const height = HEADER + PANEL.height + legend.rows * LEGEND_ROW + 8;
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
    const x = fittedLogScale(xs, plotLeft + INSET, plotRight - INSET, { dataTicks: true });
    const y =
      panel.yScale === 'log'
        ? fittedLogScale(ys, plotBottom - INSET, plotTop + INSET, { dataTicks: false })
        : linearScale(ys, plotBottom, plotTop);
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
  for (const entry of legend.entries) {
    const ly = HEADER + PANEL.height + entry.row * LEGEND_ROW + 6;
    parts.push(`<rect x="${entry.x}" y="${ly - 2}" width="14" height="4" fill="${colorOf(entry.name)}"/>`);
    parts.push(
      `<text x="${entry.x + LEGEND_SWATCH}" y="${ly}" dominant-baseline="middle">${escapeXml(entry.name)}</text>`,
    );
  }
  parts.push('</svg>');
  return `${parts.join('\n')}\n`;
}

/**
 * Log10 scale from the smallest to the largest (positive) value, so the data fills the axis: ticks are
 * the data's own values (`dataTicks`, for a handful of list sizes) or the round 1-2-5 values in range.
 */
function fittedLogScale(
  values: readonly number[],
  from: number,
  to: number,
  options: { readonly dataTicks: boolean },
): Scale {
  const positive = values.filter((value) => value > 0 && Number.isFinite(value));
  let low = Math.log10(Math.min(...positive));
  let high = Math.log10(Math.max(...positive));
  if (positive.length === 0) {
    [low, high] = [0, 1];
  } else if (high - low < 1e-6) {
    // One value: a little room around it.
    [low, high] = [low - 0.15, high + 0.15];
  }
  const distinct = [...new Set(positive)].sort((a, b) => a - b);
  const ticks =
    options.dataTicks && distinct.length <= MAX_DATA_TICKS && distinct.length > 0 ? distinct : roundTicks(low, high);
  return {
    map: (value) => from + ((Math.log10(Math.max(value, 10 ** low)) - low) / (high - low)) * (to - from),
    ticks,
  };
}

/** 1, 2 and 5 times powers of ten between 10^low and 10^high; only 1s when there are many decades. */
function roundTicks(low: number, high: number): number[] {
  const factors = high - low > 3 ? [1] : high - low > 1.2 ? [1, 2, 5] : [1, 1.5, 2, 3, 5, 7];
  const ticks: number[] = [];
  for (let exponent = Math.floor(low); exponent <= Math.ceil(high); exponent += 1) {
    for (const factor of factors) {
      const tick = factor * 10 ** exponent;
      const at = Math.log10(tick);
      if (at >= low - 1e-9 && at <= high + 1e-9) ticks.push(tick);
    }
  }
  if (ticks.length >= 3) return ticks;
  // Less than a decade or so (100 to 170 MiB): round steps of the linear range.
  const [min, max] = [10 ** low, 10 ** high];
  const step = niceStep((max - min) / 4);
  const linear: number[] = [];
  for (let tick = Math.ceil(min / step) * step; tick <= max + 1e-9; tick += step) linear.push(tick);
  return linear.length >= 2 ? linear : [min, max];
}

/** The 1-2-5 value at or above `rough`. */
function niceStep(rough: number): number {
  const magnitude = 10 ** Math.floor(Math.log10(rough));
  return ([1, 2, 5, 10].find((factor) => factor * magnitude >= rough) ?? 10) * magnitude;
}

/** Linear scale from 0 to a round maximum, with about five ticks. */
function linearScale(values: readonly number[], from: number, to: number): Scale {
  const max = Math.max(...values.filter(Number.isFinite), 1);
  const step = niceStep(max / 5);
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
