import { describe, expect, it } from 'vitest';
import {
  formatBytes,
  formatCount,
  formatDuration,
  formatMebibytes,
  formatRatio,
  formatTable,
} from '../../bench/table.js';

describe('formatTable', () => {
  it('writes a Markdown table with padded cells, right-aligned where asked', () => {
    const table = formatTable(
      [{ title: 'peer' }, { title: 'time', align: 'right' }],
      [
        ['due-notifier', '85 ms'],
        ['naive', '9 min 12 s'],
      ],
    );
    expect(table.split('\n')).toEqual([
      '| peer         |       time |',
      '|--------------|-----------:|',
      '| due-notifier |      85 ms |',
      '| naive        | 9 min 12 s |',
    ]);
  });

  it('escapes pipes and fills missing cells', () => {
    const table = formatTable([{ title: 'a' }, { title: 'b' }], [['x|y']]);
    expect(table.split('\n')[2]).toBe('| x\\|y |     |');
  });
});

describe('units', () => {
  it('formats durations from milliseconds to minutes', () => {
    expect(formatDuration(84.6)).toBe('85 ms');
    expect(formatDuration(1_250)).toBe('1.25 s');
    expect(formatDuration(12_340)).toBe('12.3 s');
    expect(formatDuration(552_000)).toBe('9 min 12 s');
    expect(formatDuration(Number.NaN)).toBe('–');
  });

  it('formats bytes in decimal units and memory in MiB', () => {
    expect(formatBytes(950)).toBe('950 B');
    expect(formatBytes(31_695_974)).toBe('31.7 MB');
    expect(formatBytes(1_470_000_000)).toBe('1.47 GB');
    expect(formatMebibytes(104_857_600)).toBe('100 MiB');
  });

  it('formats ratios and counts', () => {
    expect(formatRatio(1.234)).toBe('1.23×');
    expect(formatRatio(1.249)).toBe('1.25×');
    expect(formatRatio(0.456)).toBe('0.46×');
    expect(formatRatio(54.4)).toBe('54×');
    expect(formatRatio(undefined)).toBe('–');
    expect(formatCount(1_000_000)).toBe('1,000,000');
  });
});
