/**
 * The app's own credentials, as the registration and rotation change them: a new app password stored at
 * once in Key Vault (with its expiry and key id), and the app's certificates (keyCredentials) read with
 * their public keys and written back as a whole.
 */
import { isRecord } from '../shared/base/is-record.js';
import type { AdminGraph } from './admin-graph.js';
import type { AdminVault, StoredCertificate } from './admin-vault.js';
import type { KeyCredential } from './directory-state.js';
import { RegistrationError } from './errors.js';
import { credentialDisplayName } from './spec.js';
import type { RegistrationSpec } from './spec.js';

const DAY_MS = 86_400_000;

/**
 * A new app password, stored at once as a new version of the vault secret (with its expiry and key id);
 * returns its key id. The password's text lives only in this function's memory.
 */
export async function addClientSecret(
  spec: RegistrationSpec,
  graph: AdminGraph,
  vault: AdminVault,
  applicationId: string,
): Promise<string> {
  const endDateTime = new Date(Date.now() + spec.secretLifetimeDays * DAY_MS);
  const added = await graph.write(
    'POST',
    `/applications/${applicationId}/addPassword`,
    { passwordCredential: { displayName: credentialDisplayName(spec), endDateTime: endDateTime.toISOString() } },
    { role: 'application' },
  );
  if (!isRecord(added) || typeof added.secretText !== 'string' || typeof added.keyId !== 'string') {
    throw new RegistrationError('RegistrationFailed', 'Graph added a password but did not return its text and key id.');
  }
  const { keyId } = added;
  try {
    await vault.storeSecret(spec.secretName, added.secretText, { expiresOn: endDateTime, passwordKeyId: keyId });
  } catch (error) {
    // A password stored nowhere is of use to no one: take it back.
    await graph.write('POST', `/applications/${applicationId}/removePassword`, { keyId }, { role: 'application' });
    throw error;
  }
  return keyId;
}

/** The app's certificates with their public keys (Graph returns them only to a read of this one app). */
export async function readKeyCredentials(graph: AdminGraph, applicationId: string): Promise<KeyCredential[]> {
  const app = await graph.get(`/applications/${applicationId}?$select=keyCredentials`);
  const credentials = isRecord(app) && Array.isArray(app.keyCredentials) ? app.keyCredentials.filter(isRecord) : [];
  return credentials.map((credential) => ({
    keyId: String(credential.keyId),
    type: String(credential.type),
    usage: String(credential.usage),
    ...(typeof credential.key === 'string' ? { key: credential.key } : {}),
    ...(typeof credential.displayName === 'string' ? { displayName: credential.displayName } : {}),
  }));
}

/** Replaces the app's keyCredentials (Graph's `addKey` needs a proof signed by a current key; an update does not). */
export async function writeKeyCredentials(
  graph: AdminGraph,
  applicationId: string,
  credentials: readonly KeyCredential[],
): Promise<void> {
  await graph.write(
    'PATCH',
    `/applications/${applicationId}`,
    {
      keyCredentials: credentials.map(({ keyId, type, usage, key, displayName }) => ({
        keyId,
        type,
        usage,
        key,
        ...(displayName === undefined ? {} : { displayName }),
      })),
    },
    { role: 'application' },
  );
}

export function newKeyCredential(spec: RegistrationSpec, certificate: StoredCertificate): KeyCredential {
  return {
    keyId: crypto.randomUUID(),
    type: 'AsymmetricX509Cert',
    usage: 'Verify',
    key: Buffer.from(certificate.cer).toString('base64'),
    displayName: `${credentialDisplayName(spec)} version ${certificate.version}`,
  };
}
