/**
 * `register rotate`: a new client secret (or certificate) next to the current one, stored in Key Vault as
 * a new version, then — once the daemon has signed in with it, or the grace period is over — the old
 * ones removed from the app. The daemon keeps getting tokens throughout: until the removal both are
 * valid, and a daemon still holding the old one when it is removed gets AADSTS7000215 (700027 for a
 * certificate), reads the vault again and retries with the new version (shared/clients/auth.ts).
 */
import { abortableSleep } from '../shared/http/retry.js';
import type { AdminGraph } from './admin-graph.js';
import type { AdminVault } from './admin-vault.js';
import { addClientSecret, newKeyCredential, readKeyCredentials, writeKeyCredentials } from './app-credentials.js';
import { readDirectoryState } from './directory-state.js';
import { RegistrationError } from './errors.js';
import { credentialDisplayName } from './spec.js';
import type { RegistrationSpec } from './spec.js';

/** When a key of the app last signed in, if the directory can tell (undefined: never, or unknown). */
export type KeyLastUsed = (appId: string, keyId: string) => Promise<Date | undefined>;

export interface RotateOptions {
  readonly graph: AdminGraph;
  readonly vault: AdminVault;
  /** Longest wait for the daemon to use the new key before the old ones go. */
  readonly graceMs: number;
  /** Where the wait learns that the new key was used; without it the whole grace period is waited. */
  readonly lastUsed?: KeyLastUsed;
  readonly pollIntervalMs?: number;
  readonly onProgress?: (message: string) => void;
  readonly abortSignal?: AbortSignal;
}

export interface RotateResult {
  readonly newKeyId: string;
  readonly removedKeyIds: readonly string[];
  /** How the wait ended: the daemon signed in with the new key, or the grace period passed. */
  readonly waitEnded: 'used' | 'grace';
}

export async function rotate(spec: RegistrationSpec, options: RotateOptions): Promise<RotateResult> {
  const { graph, vault } = options;
  if (spec.credential === 'managed-identity') {
    throw new RegistrationError(
      'RotationNotPossible',
      "The managed-identity mode has no secret or certificate to rotate: the identity's tokens are short-lived and renewed by Azure.",
    );
  }
  const state = await readDirectoryState(spec, graph, vault);
  const app = state.application;
  if (!app) {
    throw new RegistrationError(
      'RotationNotPossible',
      `No application with uniqueName '${spec.uniqueName}': run \`npm run register\` first.`,
    );
  }
  const ours = credentialDisplayName(spec);
  const progress = options.onProgress ?? ((): void => undefined);
  let newKeyId: string;
  let oldKeyIds: string[];
  if (spec.credential === 'secret') {
    oldKeyIds = app.passwordCredentials
      .filter((credential) => credential.displayName === ours || credential.keyId === state.secret?.passwordKeyId)
      .map((credential) => credential.keyId);
    progress(`add a client secret and store it as a new version of secret '${spec.secretName}' in ${vault.url}`);
    newKeyId = await addClientSecret(spec, graph, vault, app.id);
  } else {
    const current = await readKeyCredentials(graph, app.id);
    oldKeyIds = current
      .filter((credential) => credential.displayName?.startsWith(ours))
      .map((credential) => credential.keyId);
    progress(
      `create a new version of certificate '${spec.certificateName}' in ${vault.url} and add it to the app's keyCredentials`,
    );
    const certificate = await vault.createCertificate(spec.certificateName, `CN=${spec.uniqueName}`);
    const added = newKeyCredential(spec, certificate);
    await writeKeyCredentials(graph, app.id, [...current, added]);
    newKeyId = added.keyId;
  }

  progress(
    `wait until the daemon signs in with the new key ${newKeyId} (at most ${Math.round(options.graceMs / 1000)} s)`,
  );
  const waitEnded = await waitForUse(app.appId, newKeyId, options);

  if (oldKeyIds.length > 0) progress(`remove the old key(s) ${oldKeyIds.join(', ')}`);
  if (spec.credential === 'secret') {
    for (const keyId of oldKeyIds) {
      await graph.write('POST', `/applications/${app.id}/removePassword`, { keyId }, { role: 'application' });
    }
  } else if (oldKeyIds.length > 0) {
    const current = await readKeyCredentials(graph, app.id);
    await writeKeyCredentials(
      graph,
      app.id,
      current.filter((credential) => !oldKeyIds.includes(credential.keyId)),
    );
  }
  return { newKeyId, removedKeyIds: oldKeyIds, waitEnded };
}

async function waitForUse(appId: string, keyId: string, options: RotateOptions): Promise<'used' | 'grace'> {
  const deadline = Date.now() + options.graceMs;
  const interval = options.pollIntervalMs ?? 5000;
  for (;;) {
    if (options.lastUsed && (await options.lastUsed(appId, keyId)) !== undefined) return 'used';
    const left = deadline - Date.now();
    if (left <= 0) return 'grace';
    await abortableSleep(Math.min(interval, left), options.abortSignal);
  }
}
