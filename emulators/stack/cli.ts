/**
 * `npm run stack`: starts the local Azure stack until Ctrl-C and prints the settings a local run needs,
 * writing them to `local.settings.json` unless told not to (the ports change at every start), and the
 * operator's sign-in (for `npm run register`) to `.local/operator.json`.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { parseFaultSpec } from './faults.js';
import { DEFAULT_DATA_DIRECTORY, DEMO_SEED_PATH, startLocalStack } from './stack.js';
import type { LocalStack } from './stack.js';

const DEFAULT_SETTINGS_FILE = 'local.settings.json';
/** Git-ignored: the operator apps' client secrets, generated at every start. */
export const OPERATOR_FILE = join(DEFAULT_DATA_DIRECTORY, 'operator.json');

const USAGE = `Usage: npm run stack -- [options]

Starts the local Azure stack on loopback: Entra ID (token endpoint), the managed-identity endpoint,
Key Vault, Microsoft Graph and Azurite, seeded from a JSON file, until Ctrl-C.

Options:
  --data FILE               seed file (default: the demo data set, emulators/data/demo-seed.json)
  --empty-tenant            start without the daemon's app registration, consent or vault credential
                            (what npm run register creates)
  --fault SPEC              inject a fault; repeatable. SPEC is TARGET:...:ACTION[:OPTION...], e.g.
                              graph.listItems:429:retry-after=0.5:count=3   graph:latency=100:jitter=20
                              keyvault:reset:p=0.1   entra.token:503   path=/v1.0/users/.*:truncate
  --no-azurite              do not start Azurite
  --azurite-location DIR    keep Azurite's data in DIR (default: in memory)
  --token-lifetime S        lifetime of issued access tokens in seconds (default: the seed's, else 3600)
  --write-settings [FILE]   write the settings as a Functions local settings file to FILE
                            (by default the stack writes them to ${DEFAULT_SETTINGS_FILE}, git-ignored,
                            which npm run sweep and npm start read; the ports change at every start)
  --no-write-settings       do not write any settings file (only print the settings)
  --help                    show this help
`;

class UsageError extends Error {
  readonly code = 'UsageError';
}

interface CliOptions {
  readonly data: string;
  readonly emptyTenant: boolean;
  readonly faults: readonly string[];
  readonly azurite: boolean;
  readonly azuriteLocation?: string;
  readonly tokenLifetimeSeconds?: number;
  /** Where the settings are written; undefined with --no-write-settings. */
  readonly settingsFile?: string;
  readonly help: boolean;
}

/** `--write-settings` takes an optional value, which parseArgs cannot express: give it its default first. */
function withSettingsDefault(args: readonly string[]): string[] {
  return args.flatMap((arg, index) => {
    if (arg !== '--write-settings') return [arg];
    const next = args[index + 1];
    return next === undefined || next.startsWith('--') ? [`--write-settings=${DEFAULT_SETTINGS_FILE}`] : [arg];
  });
}

const optionSpecs = {
  data: { type: 'string' },
  'empty-tenant': { type: 'boolean' },
  fault: { type: 'string', multiple: true },
  'no-azurite': { type: 'boolean' },
  'azurite-location': { type: 'string' },
  'token-lifetime': { type: 'string' },
  'write-settings': { type: 'string' },
  'no-write-settings': { type: 'boolean' },
  help: { type: 'boolean' },
} as const;

function parseCommandLine(args: readonly string[]): CliOptions {
  let values: ReturnType<typeof parseArgs<{ options: typeof optionSpecs; strict: true }>>['values'];
  try {
    values = parseArgs({ args: withSettingsDefault(args), options: optionSpecs, strict: true }).values;
  } catch (error) {
    throw new UsageError(error instanceof Error ? error.message : String(error));
  }
  const lifetime = values['token-lifetime'];
  if (lifetime !== undefined && !/^[1-9]\d*$/.test(lifetime)) {
    throw new UsageError(`--token-lifetime must be a whole number of seconds, got "${lifetime}"`);
  }
  if (values['no-azurite'] && values['azurite-location'] !== undefined) {
    throw new UsageError('--azurite-location and --no-azurite exclude each other');
  }
  if (values['no-write-settings'] && values['write-settings'] !== undefined) {
    throw new UsageError('--write-settings and --no-write-settings exclude each other');
  }
  const settingsFile = values['no-write-settings'] ? undefined : (values['write-settings'] ?? DEFAULT_SETTINGS_FILE);
  return {
    data: values.data ?? DEMO_SEED_PATH,
    emptyTenant: values['empty-tenant'] ?? false,
    faults: values.fault ?? [],
    azurite: !values['no-azurite'],
    ...(values['azurite-location'] === undefined ? {} : { azuriteLocation: resolve(values['azurite-location']) }),
    ...(lifetime === undefined ? {} : { tokenLifetimeSeconds: Number(lifetime) }),
    ...(settingsFile === undefined ? {} : { settingsFile: resolve(settingsFile) }),
    help: values.help ?? false,
  };
}

function describeStack(stack: LocalStack): string {
  const lines = [
    'Local Azure stack is running (Ctrl-C stops it).',
    `  Entra ID           ${stack.urls.entra}`,
    `  Managed identity   ${stack.urls.identity}`,
    `  Key Vault          ${stack.urls.keyVault}`,
    `  Microsoft Graph    ${stack.urls.graph}/v1.0`,
    ...(stack.azurite
      ? [
          `  Azurite blobs      ${stack.azurite.blobEndpoint}`,
          `  Azurite queues     ${stack.azurite.queueEndpoint}`,
          `  Azurite tables     ${stack.azurite.tableEndpoint}`,
        ]
      : ['  Azurite            not started (--no-azurite)']),
    `  CA certificate     ${stack.caCertPath} (clients trust it through NODE_EXTRA_CA_CERTS)`,
    `  Endpoints          ${stack.endpoints.join(', ')}`,
    ...stack.faults.list().map(({ id, ...rule }) => `  Fault ${id.padEnd(13)}${JSON.stringify(rule)}`),
  ];
  return lines.join('\n');
}

async function main(): Promise<number> {
  const options = parseCommandLine(process.argv.slice(2));
  if (options.help) {
    process.stdout.write(USAGE);
    return 0;
  }
  const faults = options.faults.map(parseFaultSpec);
  const stack = await startLocalStack({
    seed: resolve(options.data),
    emptyTenant: options.emptyTenant,
    faults,
    ...(options.azurite
      ? { azurite: options.azuriteLocation === undefined ? { inMemory: true } : { location: options.azuriteLocation } }
      : { azurite: false }),
    ...(options.tokenLifetimeSeconds === undefined ? {} : { tokenLifetimeSeconds: options.tokenLifetimeSeconds }),
  });

  const stopped = new Promise<number>((resolveExit) => {
    let stopping = false;
    const stop = (): void => {
      if (stopping) return;
      stopping = true;
      process.stdout.write('\nStopping the local Azure stack...\n');
      stack.stop().then(
        () => resolveExit(0),
        (error: unknown) => {
          process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n`);
          resolveExit(1);
        },
      );
    };
    // `on`, not `once`: a second Ctrl-C during the stop must not kill the process halfway.
    process.on('SIGINT', stop);
    process.on('SIGTERM', stop);
  });

  const json = JSON.stringify({ IsEncrypted: false, Values: stack.settings }, null, 2);
  process.stdout.write(`${describeStack(stack)}\n\nSettings (local.settings.json):\n${json}\n`);
  if (options.settingsFile !== undefined) {
    try {
      await writeFile(options.settingsFile, `${json}\n`, { mode: 0o600 });
    } catch (error) {
      await stack.stop();
      throw error;
    }
    process.stdout.write(
      `Settings written to ${options.settingsFile}: npm run sweep and npm start read them while this stack runs ` +
        '(its ports change at every start; --no-write-settings to print them only).\n',
    );
  } else {
    process.stdout.write('Settings not written (--no-write-settings).\n');
  }
  if (stack.operator) {
    await mkdir(dirname(OPERATOR_FILE), { recursive: true });
    await writeFile(OPERATOR_FILE, `${JSON.stringify(stack.operator, null, 2)}\n`, { mode: 0o600 });
    process.stdout.write(
      `Operator sign-in (the tenant's admin, for npm run register) written to ${OPERATOR_FILE}: ` +
        '@azure/identity ClientSecretCredential(tenantId, admin.clientId, admin.clientSecret, ' +
        '{ authorityHost, disableInstanceDiscovery: true }); nonAdmin holds no directory permission.\n',
    );
  }
  if (options.emptyTenant) {
    process.stdout.write('Empty tenant: the daemon is not registered yet (npm run register).\n');
  }
  process.stdout.write('Ready.\n');
  return stopped;
}

main().then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    // One line, naming the problem (a bad seed names the file and the field).
    const message = error instanceof Error ? error.message : String(error);
    process.stderr.write(`npm run stack: ${message.split('\n')[0]}\n`);
    if (error instanceof UsageError) process.stderr.write('Run with --help for the options.\n');
    process.exitCode = 1;
  },
);
