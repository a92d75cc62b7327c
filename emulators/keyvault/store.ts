/**
 * The Key Vault emulator's secret store: named secrets (names are case-insensitive, as in Key Vault),
 * each a list of immutable values with mutable attributes, the newest version being the current one.
 */
import { randomBytes } from 'node:crypto';

export interface SecretAttributesInput {
  readonly contentType?: string;
  /** The key of the certificate this secret backs (`{vault}/keys/{name}`): such a secret is `managed`. */
  readonly keyId?: string;
  readonly enabled?: boolean;
  readonly expiresOn?: Date;
  readonly notBefore?: Date;
  readonly tags?: Readonly<Record<string, string>>;
}

/** A snapshot of one version; dates are whole seconds, as Key Vault stores them. */
export interface StoredSecretVersion {
  /** The name as first created (Key Vault keeps its case). */
  readonly name: string;
  /** 32 lower-case hex digits. */
  readonly version: string;
  readonly value: string;
  readonly contentType?: string;
  readonly keyId?: string;
  readonly enabled: boolean;
  readonly expiresOn?: Date;
  readonly notBefore?: Date;
  readonly createdOn: Date;
  readonly updatedOn: Date;
  readonly tags?: Readonly<Record<string, string>>;
}

export interface SecretStore {
  /** Adds a version, which becomes the current one. */
  set(name: string, value: string, attributes?: SecretAttributesInput): StoredSecretVersion;
  /** The current version, or the named one. */
  get(name: string, version?: string): StoredSecretVersion | undefined;
  /** Changes the attributes of a version (the current one when `version` is absent); undefined fields stay. */
  update(name: string, version: string | undefined, attributes: SecretAttributesInput): StoredSecretVersion | undefined;
  /** Versions in Key Vault's listing order (by version id, not by age). */
  versions(name: string): StoredSecretVersion[] | undefined;
  /** Current versions of all secrets, by name. */
  latestOfAll(): StoredSecretVersion[];
}

interface MutableVersion {
  version: string;
  value: string;
  contentType?: string;
  keyId?: string;
  enabled: boolean;
  expiresOn?: Date;
  notBefore?: Date;
  createdOn: Date;
  updatedOn: Date;
  tags?: Record<string, string>;
}

interface StoredSecret {
  readonly name: string;
  /** Oldest first: the last one is current. */
  readonly versions: MutableVersion[];
}

export function createSecretStore(clock: () => number): SecretStore {
  const secrets = new Map<string, StoredSecret>();
  const now = (): Date => new Date(Math.floor(clock() / 1000) * 1000);

  function findVersion(
    name: string,
    version: string | undefined,
  ): { secret: StoredSecret; entry: MutableVersion } | undefined {
    const secret = secrets.get(name.toLowerCase());
    if (!secret) return undefined;
    const entry =
      version === undefined
        ? secret.versions[secret.versions.length - 1]
        : secret.versions.find((candidate) => candidate.version === version.toLowerCase());
    return entry ? { secret, entry } : undefined;
  }

  return {
    set(name, value, attributes = {}) {
      const key = name.toLowerCase();
      const secret = secrets.get(key) ?? { name, versions: [] };
      secrets.set(key, secret);
      const created = now();
      const entry: MutableVersion = {
        version: randomBytes(16).toString('hex'),
        value,
        enabled: true,
        createdOn: created,
        updatedOn: created,
      };
      applyAttributes(entry, attributes);
      secret.versions.push(entry);
      return snapshot(secret, entry);
    },
    get(name, version) {
      const found = findVersion(name, version);
      return found && snapshot(found.secret, found.entry);
    },
    update(name, version, attributes) {
      const found = findVersion(name, version);
      if (!found) return undefined;
      applyAttributes(found.entry, attributes);
      found.entry.updatedOn = now();
      return snapshot(found.secret, found.entry);
    },
    versions(name) {
      const secret = secrets.get(name.toLowerCase());
      if (!secret) return undefined;
      return [...secret.versions]
        .sort((left, right) => left.version.localeCompare(right.version))
        .map((entry) => snapshot(secret, entry));
    },
    latestOfAll() {
      return [...secrets.values()]
        .sort((left, right) => left.name.toLowerCase().localeCompare(right.name.toLowerCase()))
        .flatMap((secret) => {
          const latest = secret.versions[secret.versions.length - 1];
          return latest ? [snapshot(secret, latest)] : [];
        });
    },
  };
}

function applyAttributes(entry: MutableVersion, attributes: SecretAttributesInput): void {
  if (attributes.contentType !== undefined) entry.contentType = attributes.contentType;
  if (attributes.keyId !== undefined) entry.keyId = `${attributes.keyId}/${entry.version}`;
  if (attributes.enabled !== undefined) entry.enabled = attributes.enabled;
  if (attributes.expiresOn !== undefined) entry.expiresOn = wholeSeconds(attributes.expiresOn);
  if (attributes.notBefore !== undefined) entry.notBefore = wholeSeconds(attributes.notBefore);
  if (attributes.tags !== undefined) entry.tags = { ...attributes.tags };
}

function snapshot(secret: StoredSecret, entry: MutableVersion): StoredSecretVersion {
  return {
    name: secret.name,
    version: entry.version,
    value: entry.value,
    ...(entry.contentType === undefined ? {} : { contentType: entry.contentType }),
    ...(entry.keyId === undefined ? {} : { keyId: entry.keyId }),
    enabled: entry.enabled,
    ...(entry.expiresOn === undefined ? {} : { expiresOn: new Date(entry.expiresOn) }),
    ...(entry.notBefore === undefined ? {} : { notBefore: new Date(entry.notBefore) }),
    createdOn: new Date(entry.createdOn),
    updatedOn: new Date(entry.updatedOn),
    ...(entry.tags === undefined ? {} : { tags: { ...entry.tags } }),
  };
}

function wholeSeconds(date: Date): Date {
  return new Date(Math.floor(date.getTime() / 1000) * 1000);
}
