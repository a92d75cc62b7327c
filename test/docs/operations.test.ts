/**
 * docs/operations.md queries the telemetry by name: every span, metric, dimension and log phrase it
 * names must be one the code emits, so that a renamed metric fails here rather than in an operator's alert.
 */
import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { REPO_ROOT } from '../scripts/run-command.js';

async function sourceText(): Promise<string> {
  const texts: string[] = [];
  for (const folder of ['shared', 'functions']) {
    const files = await readdir(path.join(REPO_ROOT, folder), { recursive: true });
    for (const file of files.filter((name) => name.endsWith('.ts'))) {
      texts.push(await readFile(path.join(REPO_ROOT, folder, file), 'utf8'));
    }
  }
  return texts.join('\n');
}

describe('docs/operations.md', () => {
  it('names only telemetry the code emits', async () => {
    const doc = await readFile(path.join(REPO_ROOT, 'docs/operations.md'), 'utf8');
    const source = await sourceText();
    const dimensions = [...new Set(doc.match(/due_notifier\.[a-z_.]+[a-z_]/g) ?? [])];
    const spans = [
      'reminders.sweep',
      'graph.list_items.page',
      'entra.token',
      'keyvault.secret.read',
      'reminder.deliver',
    ];
    const phrases = ['Rotate it:', 'faas.invocation_id', 'http.response.status_code', 'server.address'];
    expect(dimensions.length).toBeGreaterThan(10);
    for (const name of [...spans, ...phrases]) expect(doc, name).toContain(name);
    const missing = [...dimensions, ...spans, ...phrases].filter((name) => !source.includes(name));
    expect(missing).toEqual([]);
  });
});
