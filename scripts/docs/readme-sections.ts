/**
 * Sections of the README that are generated: the text between `<!-- NAME:begin -->` and
 * `<!-- NAME:end -->` is replaced, the prose around it stays as written.
 */
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { DueNotifierError } from '../../shared/base/errors.js';

export const APP_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
export const README_FILE = path.join(APP_ROOT, 'README.md');
export const SAMPLE_FILE = path.join(APP_ROOT, 'local.settings.sample.json');
/** What fixes a drifted section; named by the drift tests. */
export const DOCS_COMMAND = 'npm run docs';

/** The generated text of section `name` in `readme`. */
export function readSection(readme: string, name: string): string {
  const { start, end } = sectionBounds(readme, name);
  return readme.slice(start, end).trim();
}

/** `readme` with section `name` replaced by `content`. */
export function replaceSection(readme: string, name: string, content: string): string {
  const { start, end } = sectionBounds(readme, name);
  return `${readme.slice(0, start)}\n${content.trim()}\n${readme.slice(end)}`;
}

function sectionBounds(readme: string, name: string): { start: number; end: number } {
  const begin = `<!-- ${name}:begin -->`;
  const endMarker = `<!-- ${name}:end -->`;
  const beginAt = readme.indexOf(begin);
  const end = readme.indexOf(endMarker);
  if (beginAt < 0 || end < beginAt) {
    throw new DueNotifierError('ReadmeSectionMissing', `README.md has no "${begin}" … "${endMarker}" section.`);
  }
  return { start: beginAt + begin.length, end };
}
