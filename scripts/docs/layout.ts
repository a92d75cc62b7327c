/**
 * The README's layout section, made from the tree: one line per folder (its description below) and
 * one per module (the first sentence of the module's leading doc comment), so that it names every
 * folder and module and cannot drift from them.
 */
import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { DueNotifierError } from '../../shared/base/errors.js';

/** What each folder is for; a folder missing here fails the generation (and the drift test). */
export const FOLDERS: Readonly<Record<string, string>> = {
  'functions/': 'one file per function: its handler and its registration (the build bundles every `functions/*.ts`)',
  'functions/support/': 'what the functions share: output bindings, request parsing, failure answers, the sweep seam',
  'shared/': 'the app behind the functions; imports point down this list only (lint enforces it)',
  'shared/base/': 'the vocabulary of every layer; imports nothing else of `shared/`',
  'shared/reminders/':
    'pure domain logic: which reminder is due, its id and message, money, calendar, the e-mail; no I/O',
  'shared/config/': 'the settings: one schema, validated once per configuration',
  'shared/http/': 'the one outbound HTTP core: retries, throttling, request counting',
  'shared/clients/': 'the Azure clients: Key Vault credentials, MSAL tokens, Graph list reads',
  'shared/sweep/': 'the timer pipeline: read the due window from Graph, decide the reminders',
  'shared/delivery/': 'the queue pipeline: claim in the ledger, send through Graph, record the outcome',
  'shared/delivery/ledger/': 'the idempotency ledger in Table storage, one module per job',
  'shared/delivery/verification/': 'verify before send: each reminder checked against a shared read of the list',
  'shared/history/': 'the run history in Table storage: each run, its deliveries, resubmit, retention',
  'shared/telemetry/':
    'the OpenTelemetry SDK and its exporters: a chunk of its own, loaded only when an exporter is configured',
  'registration/':
    '`npm run register`: the app registration, admin consent and credential as code (operator tooling, not in the function app)',
  'emulators/': 'the local Azure stack; never imports the app, and the app never imports it',
  'emulators/entra/': 'Entra ID: the directory, the token endpoint and the managed-identity endpoint',
  'emulators/keyvault/': 'Key Vault: the secrets API with challenge authentication and RBAC',
  'emulators/graph/': 'Microsoft Graph: SharePoint list items with OData queries, and sendMail',
  'emulators/stack/': 'what runs the services: HTTPS servers, the local CA, faults, the seed, Azurite, `npm run stack`',
  'devhost/':
    'a local stand-in for the Functions host: registrations through `@azure/functions-core`, bindings on Azurite',
  'scripts/': 'the command lines (`npm run demo`, `sweep`, `runs`, `build`, `docs`)',
  'scripts/support/': 'what the command lines share',
  'scripts/docs/': 'the README sections made from the code (`npm run docs`)',
  'scripts/azd/':
    "azd's postprovision hook (`npm run azd:postprovision`): the app registration and the settings it yields",
};

/** Folders listed without their modules: their own READMEs and file names say enough. */
export const SUMMARY_FOLDERS: Readonly<Record<string, string>> = {
  'bench/':
    '`npm run bench`: scenarios, peers, the daemon under measurement, the report; `bench/soak/`: the chaos soak (`npm run soak`)',
  'test/':
    'vitest; mirrors the folders above, plus `integration/`, `fault-matrix/`, `architecture/`, `docs/`, `infra/` and `deploy/` (the Azure side as code) and `support/`',
  'templates/':
    'the reminder e-mail: `reminder.html.mustache`, `reminder.txt.mustache` and `strings/<language>.json` (docs/email-templates.md)',
  'infra/':
    '`azd up`: Bicep for Azure (Flex Consumption, one user-assigned identity, storage, Key Vault, monitoring, roles, alerts; the optional app registration with the Microsoft Graph extension); with `azure.yaml`, `.github/workflows/` and `.vscode/` at the root',
  'docs/': 'longer reading: delivery guarantees and the ledger, the e-mail templates, operations (queries, alerts)',
};

/** The first sentence of the doc comment a module opens with, or undefined when it has none. */
export function moduleSummary(source: string): string | undefined {
  const match = /^\s*\/\*\*([\s\S]*?)\*\//.exec(source);
  if (!match?.[1]) return undefined;
  const text = match[1]
    .split('\n')
    .map((line) => line.replace(/^\s*\*\s?/, '').trim())
    .join(' ')
    .replace(/\s+/g, ' ')
    .trim();
  const sentence = /^(.+?[.!?])(?:\s|$)/.exec(text)?.[1] ?? text;
  return sentence === '' ? undefined : sentence;
}

/** The layout section's markdown for the repository at `root`. */
export async function renderLayout(root: string): Promise<string> {
  const lines: string[] = [];
  for (const [folder, description] of Object.entries(FOLDERS)) {
    const depth = folder.split('/').length - 2;
    lines.push(`${'  '.repeat(depth)}- \`${folder}\` — ${description}`);
    const entries = await readdir(path.join(root, folder), { withFileTypes: true });
    const modules = entries.filter((entry) => entry.isFile() && entry.name.endsWith('.ts')).map((entry) => entry.name);
    for (const name of modules.sort()) {
      const summary = moduleSummary(await readFile(path.join(root, folder, name), 'utf8'));
      if (summary === undefined) {
        throw new DueNotifierError(
          'ModuleUndocumented',
          `${folder}${name} does not open with a doc comment; add one whose first sentence says what the module is for.`,
        );
      }
      lines.push(`${'  '.repeat(depth + 1)}- \`${name}\` — ${summary}`);
    }
    const unlisted = entries.filter((entry) => entry.isDirectory() && !(`${folder}${entry.name}/` in FOLDERS));
    const undescribed = unlisted.filter((entry) => !['data', 'fixtures'].includes(entry.name));
    if (undescribed.length > 0) {
      throw new DueNotifierError(
        'FolderUndescribed',
        `${folder}${undescribed[0]?.name}/ has no description in scripts/docs/layout.ts FOLDERS.`,
      );
    }
  }
  for (const [folder, description] of Object.entries(SUMMARY_FOLDERS)) {
    lines.push(`- \`${folder}\` — ${description}`);
  }
  return lines.join('\n');
}
