/**
 * The layout's rules hold: lint refuses an import against the dependency direction (each rule is
 * shown to fire on a deliberate violation), and no module of the repository is part of an import cycle.
 * Lint also holds the naming rule for module-level constants, shown here the same way.
 */
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseCircular, parseDependencyTree } from 'dpdm';
import { ESLint } from 'eslint';
import { beforeAll, describe, expect, it } from 'vitest';

const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

let eslint: ESLint;

beforeAll(() => {
  eslint = new ESLint({
    cwd: REPO_ROOT,
    // The snippets are linted as files that do not exist; typed linting checks them in the repository's
    // compiler settings (globs with `**` are not allowed here).
    overrideConfig: {
      languageOptions: {
        parserOptions: {
          projectService: {
            allowDefaultProject: [
              'shared/*/example.ts',
              'shared/example.ts',
              'functions/example.ts',
              'emulators/*/example.ts',
            ],
            defaultProject: 'tsconfig.json',
            maximumDefaultProjectFileMatchCount_THIS_WILL_SLOW_DOWN_LINTING: 64,
          },
        },
      },
    },
  });
});

/** The rule ids lint reports for `code` placed at `file` (a path that need not exist). */
async function violations(file: string, code: string): Promise<string[]> {
  const [result] = await eslint.lintText(code, { filePath: path.join(REPO_ROOT, file) });
  return (result?.messages ?? []).map((message) => `${message.ruleId ?? 'parse'}: ${message.message}`);
}

/** The import, plus a use of what it imports, so that only the import rule can object. */
function usedImport(importLine: string): string {
  const name = /import (?:\{ )?(\w+)/.exec(importLine)?.[1] ?? 'unknown';
  return `${importLine}\nexport const used = ${name};\n`;
}

describe('lint enforces the dependency direction', () => {
  it.each([
    ['shared/base/example.ts', "import { loadConfig } from '../config/config.js';", 'bottom layer'],
    ['shared/reminders/example.ts', "import { loadConfig } from '../config/config.js';", 'pure domain logic'],
    ['shared/reminders/example.ts', "import { readFile } from 'node:fs/promises';", 'pure domain logic'],
    ['shared/reminders/example.ts', "import fetch from 'node-fetch';", 'pure domain logic'],
    ['shared/config/example.ts', "import { createGraphClient } from '../clients/graph.js';", 'reminders/ and base/'],
    ['shared/http/example.ts', "import { createGraphClient } from '../clients/graph.js';", 'outbound HTTP core'],
    ['shared/http/example.ts', "import { loadConfig } from '../config/config.js';", 'outbound HTTP core'],
    ['shared/clients/example.ts', "import { runSweep } from '../sweep/sweep.js';", 'used by the pipelines'],
    ['shared/clients/example.ts', "import { getDaemonRuntime } from '../runtime.js';", 'used by the pipelines'],
    ['shared/sweep/example.ts', "import { deliverReminder } from '../delivery/deliver-reminder.js';", 'independent'],
    ['shared/delivery/example.ts', "import { runSweep } from '../sweep/sweep.js';", 'independent'],
    ['shared/history/example.ts', "import { runSweep } from '../sweep/sweep.js';", 'the runtime wires it'],
    ['shared/history/example.ts', "import { getDaemonRuntime } from '../runtime.js';", 'the runtime wires it'],
    ['functions/example.ts', "import { createGraphClient } from '../shared/clients/graph.js';", 'shared/runtime.ts'],
    ['functions/example.ts', "import { startLocalStack } from '../emulators/stack/stack.js';", 'local tooling'],
    ['shared/sweep/example.ts', "import { startLocalStack } from '../../emulators/stack/stack.js';", 'local tooling'],
    [
      'emulators/graph/example.ts',
      "import { runSweep } from '../../shared/sweep/sweep.js';",
      'must not depend on the app',
    ],
  ])('%s: %s is refused (%s)', async (file, code, reason) => {
    const found = await violations(file, usedImport(code));
    expect(found).toHaveLength(1);
    expect(found[0]).toMatch(/^no-restricted-imports: /);
    expect(found[0]).toContain(reason);
  });

  it.each([
    ['shared/reminders/example.ts', "import { isRecord } from '../base/is-record.js';"],
    ['shared/config/example.ts', "import { isValidTimeZone } from '../reminders/calendar.js';"],
    ['shared/clients/example.ts', "import { parseRetryAfter } from '../http/retry.js';"],
    ['shared/sweep/example.ts', "import { createGraphClient } from '../clients/graph.js';"],
    ['functions/example.ts', "import { getDaemonRuntime } from '../shared/runtime.js';"],
  ])('%s: %s is allowed', async (file, code) => {
    expect(await violations(file, usedImport(code))).toEqual([]);
  });
});

describe('lint enforces the names of module-level constants', () => {
  it.each([
    ['shared/reminders/example.ts', 'export const maxDays = 365;\n', 'naming-convention: Variable name `maxDays`'],
    ['emulators/graph/example.ts', "const apiVersion = '2019-08-01';\nexport { apiVersion };\n", '`apiVersion`'],
    ['shared/base/example.ts', 'export const isEnabled = true;\n', '`isEnabled`'],
    [
      'emulators/stack/example.ts',
      'export const tokenPattern = /^[a-z]+$/;\n',
      'regex constants are named in UPPER_CASE',
    ],
    [
      'functions/example.ts',
      "export const idPattern = new RegExp('^\\\\d+$');\n",
      'regex constants are named in UPPER_CASE',
    ],
    ['shared/sweep/example.ts', 'export const RUN_ONCE = () => 1;\n', '`RUN_ONCE`'],
  ])('%s: %s is refused', async (file, code, reason) => {
    const found = await violations(file, code);
    expect(found).toHaveLength(1);
    expect(found[0]).toContain(reason);
  });

  it('allows UPPER_CASE fixed values, camelCase functions and stateful objects, and any name inside functions', async () => {
    const code = [
      'export const MAX_DAYS = 365;',
      'export const TOKEN = /^[a-z]+$/;',
      "export const SKIP_REASONS = Object.freeze(['a', 'b'] as const);",
      'export const formattersByZone = new Map<string, number>();',
      'export const runOnce = (): number => MAX_DAYS;',
      'export function local(): number {',
      '  const maxDays = 7;',
      '  return maxDays;',
      '}',
      '',
    ].join('\n');
    expect(await violations('shared/reminders/example.ts', code)).toEqual([]);
  });
});

describe('imports', () => {
  it('form no cycle anywhere in the repository', async () => {
    const tree = await parseDependencyTree(
      ['functions', 'shared', 'emulators', 'scripts', 'devhost', 'bench', 'test'].map((folder) => `${folder}/**/*.ts`),
      { context: REPO_ROOT, cwd: REPO_ROOT, tsconfig: path.join(REPO_ROOT, 'tsconfig.json'), transform: true },
    );
    expect(Object.keys(tree).length).toBeGreaterThan(150);
    expect(parseCircular(tree)).toEqual([]);
  });
});
