/**
 * `npm run register -- [rotate] [options]`: the daemon's app registration, admin consent and credential
 * as code (registration/), signed in as an administrator: Azure CLI or another developer sign-in
 * (DefaultAzureCredential) in Azure, the emulated tenant's admin against the local stack. The plan and
 * the progress go to stderr; the app settings the function app needs go to stdout (`NAME=value` lines,
 * or one JSON object with --json).
 */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import type { TokenCredential } from '@azure/identity';
import { ClientSecretCredential, DefaultAzureCredential } from '@azure/identity';
import { DEFAULT_DATA_DIRECTORY } from '../emulators/stack/stack.js';
import { isLoopbackHost } from '../shared/http/loopback.js';
import { createAdminGraph } from '../registration/admin-graph.js';
import { withRegistrationSettings } from '../registration/app-settings.js';
import { credentialSignInActivity } from '../registration/credential-activity.js';
import { parseDuration } from '../registration/options.js';
import { openRegistration } from '../registration/register.js';
import { rotate } from '../registration/rotate.js';
import { commandLineError, failureLine } from './support/cli-errors.js';
import { readLocalSettings, writeLocalSettings } from './support/local-settings.js';
import { relaunchTrustingCa } from './support/trust-ca.js';

const APP_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
/** Where `npm run stack` writes its operator's sign-in (emulators/stack/cli.ts). */
const OPERATOR_FILE = path.join(DEFAULT_DATA_DIRECTORY, 'operator.json');

const USAGE = `Usage: npm run -s register -- [rotate] [options]
Creates (or brings up to date) the daemon's app registration in Entra ID: the application (found again by
its uniqueName), its service principal, admin consent for the Graph application permissions, and its
credential. A second run changes nothing and says so. Plan and progress on stderr; the app settings the
function app needs on stdout.
  --credential MODE        secret (default), certificate or managed-identity
  --tenant ID              directory (tenant) id, a GUID (default: ENTRA_TENANT_ID)
  --key-vault-url URL      vault of the secret or certificate (default: KEY_VAULT_URL)
  --site ID                the obligations site (default: OBLIGATIONS_SITE_ID)
  --sites-selected         Sites.Selected plus a read grant on --site, instead of Sites.Read.All
  --multi-tenant           signInAudience AzureADMultipleOrgs (default: this tenant only)
  --name NAME              the app's uniqueName, how reruns find it (default: due-notifier)
  --display-name NAME      (default: the name)
  --secret-name NAME       Key Vault secret of the client secret (default: CLIENT_SECRET_NAME or due-notifier-client-secret)
  --certificate-name NAME  Key Vault certificate (default: CLIENT_CERTIFICATE_NAME or due-notifier-client-certificate)
  --secret-days N          client secret lifetime in days, 31-730 (default 180); renewed when 30 days are left
  --managed-identity-client-id ID     the function app's user-assigned identity (default: MANAGED_IDENTITY_CLIENT_ID)
  --managed-identity-principal-id ID  its principal (object) id (default: looked up in Graph)
  --authority-host URL     (default: ENTRA_AUTHORITY_HOST or https://login.microsoftonline.com)
  --graph-url URL          (default: GRAPH_BASE_URL or https://graph.microsoft.com/v1.0)
  --settings FILE          settings to default from (default: local.settings.json, if present); the environment wins
  --write-settings         merge the resulting app settings into that file
  --json                   the app settings as one JSON object on stdout
  --dry-run                print the plan and change nothing
rotate: a new secret or certificate, stored in Key Vault; the old one is removed once the daemon has
signed in with the new one, or after --grace (default 1h; e.g. 0, 30s, 10m).`;

const OPTIONS = {
  credential: { type: 'string' },
  tenant: { type: 'string' },
  'key-vault-url': { type: 'string' },
  site: { type: 'string' },
  'sites-selected': { type: 'boolean', default: false },
  'multi-tenant': { type: 'boolean', default: false },
  name: { type: 'string' },
  'display-name': { type: 'string' },
  'secret-name': { type: 'string' },
  'certificate-name': { type: 'string' },
  'secret-days': { type: 'string' },
  'managed-identity-client-id': { type: 'string' },
  'managed-identity-principal-id': { type: 'string' },
  'authority-host': { type: 'string' },
  'graph-url': { type: 'string' },
  settings: { type: 'string' },
  'write-settings': { type: 'boolean', default: false },
  json: { type: 'boolean', default: false },
  'dry-run': { type: 'boolean', default: false },
  grace: { type: 'string' },
  help: { type: 'boolean', short: 'h', default: false },
} as const;

function parseArguments(
  argv: readonly string[],
): ReturnType<typeof parseArgs<{ options: typeof OPTIONS; allowPositionals: true }>> {
  try {
    return parseArgs({ args: [...argv], options: OPTIONS, strict: true, allowPositionals: true });
  } catch (error) {
    throw commandLineError(`${error instanceof Error ? error.message : String(error)} (see --help)`);
  }
}

async function main(): Promise<void> {
  const { values, positionals } = parseArguments(process.argv.slice(2));
  if (values.help) {
    process.stdout.write(`${USAGE}\n`);
    return;
  }
  const [command = 'apply', ...extra] = positionals;
  if (!['apply', 'rotate'].includes(command) || extra.length > 0) {
    throw commandLineError(`Unknown command '${positionals.join(' ')}': use rotate, or nothing (see --help).`);
  }
  if (command !== 'rotate' && values.grace !== undefined) throw commandLineError('--grace belongs to rotate.');
  const settingsFile = path.resolve(values.settings ?? path.join(APP_ROOT, 'local.settings.json'));
  const fileSettings = await readLocalSettings(settingsFile, { required: values.settings !== undefined });
  if (fileSettings.NODE_EXTRA_CA_CERTS) {
    await relaunchTrustingCa(path.resolve(path.dirname(settingsFile), fileSettings.NODE_EXTRA_CA_CERTS));
  }
  const settings = { ...fileSettings, ...definedOnly(process.env) };
  const tenantId = values.tenant ?? settings.ENTRA_TENANT_ID ?? '';
  const authorityHost =
    values['authority-host'] ?? settings.ENTRA_AUTHORITY_HOST ?? 'https://login.microsoftonline.com';
  const credential = await adminCredential(tenantId, authorityHost);
  const log = (line: string): boolean => process.stderr.write(`${line}\n`);
  const registration = await openRegistration(
    {
      credential: values.credential,
      tenant: values.tenant,
      keyVaultUrl: values['key-vault-url'],
      site: values.site,
      sitesSelected: values['sites-selected'],
      multiTenant: values['multi-tenant'],
      name: values.name,
      displayName: values['display-name'],
      secretName: values['secret-name'],
      certificateName: values['certificate-name'],
      secretDays: values['secret-days'],
      managedIdentityClientId: values['managed-identity-client-id'],
      managedIdentityPrincipalId: values['managed-identity-principal-id'],
      authorityHost: values['authority-host'],
      graphUrl: values['graph-url'],
    },
    settings,
    credential,
    { logger: { info: log, warn: log, error: log } },
  );
  const { spec, graph, vault } = registration;

  if (command === 'rotate') {
    if (!vault) throw commandLineError('rotate needs the secret or certificate mode (see --credential).');
    const graceMs = parseDuration(values.grace ?? '1h', '--grace');
    const signInLog = createAdminGraph({ baseUrl: spec.graphBaseUrl.replace(/\/v1\.0$/, '/beta'), credential });
    const lastUsed = credentialSignInActivity(signInLog, (why) =>
      log(`- the sign-in log is not available (${why}); waiting for the grace period`),
    );
    const result = await rotate(spec, { graph, vault, graceMs, lastUsed, onProgress: (line) => log(`- ${line}`) });
    log(
      `Rotated: new key ${result.newKeyId} in use${result.waitEnded === 'used' ? ' (the daemon signed in with it)' : ' (grace period over)'}; removed ${result.removedKeyIds.length} old key(s).`,
    );
    return;
  }

  const result = await registration.run({ dryRun: values['dry-run'], onStep: (line) => log(`- ${line}`) });
  if (result.plan.length === 0) {
    log(`Nothing to change: application '${spec.uniqueName}' is registered as asked (${result.writes} writes).`);
  } else if (!result.applied) {
    log(`Plan (dry run, nothing changed):\n${result.plan.map((line) => `- ${line}`).join('\n')}`);
  } else {
    log(`Done: ${result.plan.length} step(s), ${result.writes} write request(s) to Graph and Key Vault.`);
  }
  if (!result.settings) return;
  if (values['write-settings'] && !values['dry-run']) {
    const registered = result.settings;
    await writeLocalSettings(settingsFile, (current) => withRegistrationSettings(current, registered));
    log(`App settings written to ${path.relative(process.cwd(), settingsFile) || settingsFile}.`);
  }
  log('App settings for the function app:');
  process.stdout.write(
    values.json
      ? `${JSON.stringify(result.settings)}\n`
      : Object.entries(result.settings)
          .map(([name, value]) => `${name}=${value}\n`)
          .join(''),
  );
}

/**
 * The administrator's sign-in. In Azure: DefaultAzureCredential, so Azure CLI (`az login`), Azure
 * Developer CLI (`azd auth login`), the environment or a workload identity. Against the local stack (a
 * loopback authority): its tenant admin operator app, from AZURE_CLIENT_ID and AZURE_CLIENT_SECRET when
 * set (the names Azure Identity's EnvironmentCredential reads), else from the file `npm run stack` writes.
 */
async function adminCredential(tenantId: string, authorityHost: string): Promise<TokenCredential> {
  if (!isLoopbackHost(new URL(authorityHost).hostname)) {
    return new DefaultAzureCredential({ tenantId });
  }
  let clientId = process.env.AZURE_CLIENT_ID;
  let clientSecret = process.env.AZURE_CLIENT_SECRET;
  if (!clientId || !clientSecret) {
    const admin = await readOperatorFile();
    clientId = admin?.clientId;
    clientSecret = admin?.clientSecret;
  }
  if (!clientId || !clientSecret) {
    throw commandLineError(
      `The local stack's authority ${authorityHost} needs its operator's sign-in: start it with \`npm run stack\` (it writes ${path.relative(process.cwd(), OPERATOR_FILE)}), or set AZURE_CLIENT_ID and AZURE_CLIENT_SECRET.`,
    );
  }
  return new ClientSecretCredential(tenantId, clientId, clientSecret, {
    authorityHost,
    disableInstanceDiscovery: true,
  });
}

async function readOperatorFile(): Promise<{ clientId?: string; clientSecret?: string } | undefined> {
  try {
    const parsed = JSON.parse(await readFile(OPERATOR_FILE, 'utf8')) as {
      admin?: { clientId?: string; clientSecret?: string };
    };
    return parsed.admin;
  } catch {
    return undefined;
  }
}

function definedOnly(environment: NodeJS.ProcessEnv): Record<string, string> {
  return Object.fromEntries(
    Object.entries(environment).filter((entry): entry is [string, string] => entry[1] !== undefined),
  );
}

main().catch((error: unknown) => {
  process.stderr.write(`${failureLine(error)}\n`);
  process.exitCode = 1;
});
