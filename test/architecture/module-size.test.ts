/**
 * Modules of the app stay small enough to have one job: no file in `shared/` or `functions/` grows past
 * 300 lines unnoticed (the README's layout gives each one a line).
 */
import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const MAX_LINES = 300;

describe('module size', () => {
  it(`no module of shared/ or functions/ is longer than ${MAX_LINES} lines`, async () => {
    const sizes: Record<string, number> = {};
    for (const folder of ['shared', 'functions']) {
      const entries = await readdir(path.join(REPO_ROOT, folder), { recursive: true });
      for (const entry of entries.filter((name) => name.endsWith('.ts'))) {
        const text = await readFile(path.join(REPO_ROOT, folder, entry), 'utf8');
        sizes[`${folder}/${entry}`] = text.split('\n').length - 1;
      }
    }
    expect(Object.keys(sizes).length).toBeGreaterThan(40);
    const tooLong = Object.entries(sizes).filter(([, lines]) => lines > MAX_LINES);
    expect(tooLong, 'split these modules by job').toEqual([]);
  });
});
