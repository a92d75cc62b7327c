/**
 * `npm run docs`: rewrites the README sections made from the code (the layout); a test fails when
 * they drift.
 */
import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { renderLayout } from './docs/layout.js';
import { replaceSection } from './docs/readme-sections.js';

const appRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const readmePath = path.join(appRoot, 'README.md');

const readme = await readFile(readmePath, 'utf8');
const updated = replaceSection(readme, 'layout', await renderLayout(appRoot));
await writeFile(readmePath, updated);
process.stdout.write(updated === readme ? 'README.md is up to date.\n' : 'README.md: layout section rewritten.\n');
