/**
 * Reads and validates a seed file: the schema first (every shape problem with its field path), then the
 * cross-references; a problem throws `SeedError` naming the file and the field.
 */
import { readFile } from 'node:fs/promises';
import type { SeedFile } from './seed.js';
import { SeedError } from './seed-error.js';
import type { SeedIssue } from './seed-error.js';
import { checkReferences } from './seed-references.js';
import { seedSchema } from './seed-schema.js';

/** Validates a parsed seed file; `source` (a path) prefixes the error message. Throws `SeedError`. */
export function parseSeed(json: unknown, source: string): SeedFile {
  const parsed = seedSchema.safeParse(json);
  if (!parsed.success) {
    throw seedErrorOf(
      parsed.error.issues.map((issue) => ({ field: formatFieldPath(issue.path), message: issue.message })),
      source,
    );
  }
  const issues = checkReferences(parsed.data);
  if (issues.length > 0) throw seedErrorOf(issues, source);
  return parsed.data;
}

function seedErrorOf(issues: readonly SeedIssue[], source: string): SeedError {
  const [first = { field: '', message: 'invalid seed' }] = issues;
  return new SeedError(first.field, first.message, { source, issues });
}

/** Reads and validates a seed file. Throws `SeedError` naming the file and the field. */
export async function loadSeedFile(path: string): Promise<SeedFile> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    const reason = error instanceof Error && 'code' in error ? String(error.code) : 'unreadable';
    throw new SeedError('', `cannot read the seed file (${reason})`, { source: path, cause: error });
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    throw new SeedError('', `not valid JSON (${error instanceof Error ? error.message : String(error)})`, {
      source: path,
      cause: error,
    });
  }
  return parseSeed(json, path);
}

function formatFieldPath(path: readonly PropertyKey[]): string {
  let formatted = '';
  for (const key of path) {
    if (typeof key === 'number') formatted += `[${key}]`;
    else if (typeof key === 'string' && /^[A-Za-z_$][\w$]*$/.test(key)) formatted += formatted === '' ? key : `.${key}`;
    else formatted += `[${JSON.stringify(String(key))}]`;
  }
  return formatted;
}
