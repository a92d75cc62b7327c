/**
 * Markdown tables and the units the benchmark prints: readable in a terminal and pasteable into the
 * README as they are.
 */
export type Alignment = 'left' | 'right';

export interface Column {
  readonly title: string;
  readonly align?: Alignment;
}

/** A GitHub-flavoured Markdown table with padded cells; `|` inside a cell is escaped. */
export function formatTable(columns: readonly Column[], rows: readonly (readonly string[])[]): string {
  const escape = (cell: string): string => cell.replaceAll('|', '\\|');
  const cells = rows.map((row) => columns.map((_, index) => escape(row[index] ?? '')));
  const widths = columns.map((column, index) =>
    Math.max(3, escape(column.title).length, ...cells.map((row) => (row[index] ?? '').length)),
  );
  const pad = (text: string, index: number): string => {
    const width = widths[index] ?? text.length;
    return columns[index]?.align === 'right' ? text.padStart(width) : text.padEnd(width);
  };
  const line = (row: readonly string[]): string => `| ${row.map(pad).join(' | ')} |`;
  const rule = `|${widths.map((width, index) => (columns[index]?.align === 'right' ? `${'-'.repeat(width + 1)}:` : '-'.repeat(width + 2))).join('|')}|`;
  return [line(columns.map((column) => escape(column.title))), rule, ...cells.map(line)].join('\n');
}

/** `85 ms`, `1.25 s`, `9 min 12 s`. */
export function formatDuration(ms: number): string {
  if (!Number.isFinite(ms)) {
    return '–';
  }
  if (ms < 1_000) {
    return `${Math.round(ms)} ms`;
  }
  if (ms < 60_000) {
    return `${(ms / 1_000).toFixed(ms < 10_000 ? 2 : 1)} s`;
  }
  const seconds = Math.round(ms / 1_000);
  return `${Math.floor(seconds / 60)} min ${seconds % 60} s`;
}

/** Decimal units, as network traffic is usually counted: `950 B`, `12.3 kB`, `1.50 GB`. */
export function formatBytes(bytes: number): string {
  if (!Number.isFinite(bytes)) {
    return '–';
  }
  const units = ['B', 'kB', 'MB', 'GB', 'TB'];
  let value = bytes;
  let unit = 0;
  while (value >= 1_000 && unit < units.length - 1) {
    value /= 1_000;
    unit += 1;
  }
  return unit === 0
    ? `${Math.round(value)} B`
    : `${value.toFixed(value < 10 ? 2 : value < 100 ? 1 : 0)} ${units[unit]}`;
}

/** Resident memory in MiB, as `ps` and the Azure portal show it: `87 MiB`. */
export function formatMebibytes(bytes: number): string {
  return Number.isFinite(bytes) ? `${Math.round(bytes / 1_048_576)} MiB` : '–';
}

/** `3.4×`, `0.52×`, `–` when unknown. */
export function formatRatio(value: number | undefined): string {
  if (value === undefined || !Number.isFinite(value)) {
    return '–';
  }
  // Two decimals below 10: a target of 1.2× must not look met at 1.24×.
  return `${value.toFixed(value >= 10 ? 0 : 2)}×`;
}

/** `1,000,000`. */
export function formatCount(value: number): string {
  return Number.isFinite(value) ? Math.round(value).toLocaleString('en-US') : '–';
}
