/**
 * Key Vault certificates as the certificate credential mode needs them: `POST /certificates/{name}/create`
 * with a policy whose issuer is `Self` (202 and a pending operation, completed by the time it is first
 * read), `GET /certificates/{name}/pending`, `GET /certificates/{name}[/{version}]` (the public part,
 * `cer`, and `x5t`), and the certificate's private key and chain as the secret of the same name and
 * version (`/secrets/{name}`, PEM, `kid` and `managed: true`), the way Key Vault backs a certificate with
 * a secret. The emulator makes PEM certificates only: a policy asking for PKCS#12 is refused, naming the fix.
 */
import { createHash, randomBytes } from 'node:crypto';
import { createSelfSignedCertificate } from '../stack/self-signed-certificate.js';
import type { EmulatorRequest } from '../stack/types.js';
import type { SecretStore } from './store.js';

export const PEM_CONTENT_TYPE = 'application/x-pem-file';
const PKCS12_CONTENT_TYPE = 'application/x-pkcs12';
const KEY_SIZES: ReadonlySet<number> = new Set([2048, 3072, 4096]);
const DEFAULT_VALIDITY_MONTHS = 12;
const MAX_VALIDITY_MONTHS = 1200;
const PENDING_DETAILS =
  'Pending certificate created. Certificate request is in progress. This may take some time based on the issuer provider. Please check again later.';

type Json = Record<string, unknown>;

export type CertificateAnswer =
  | { readonly ok: true; readonly status: number; readonly body: Json; readonly headers?: Record<string, string> }
  | { readonly ok: false; readonly status: number; readonly code: string; readonly message: string };

interface CertificatePolicy {
  readonly subject: string;
  readonly validityMonths: number;
  readonly keySize: number;
  readonly exportable: boolean;
  readonly contentType: string;
}

interface CertificateVersion {
  readonly version: string;
  readonly der: Buffer;
  readonly policy: CertificatePolicy;
  readonly notBefore: Date;
  readonly expiresOn: Date;
  readonly createdOn: Date;
  readonly tags?: Readonly<Record<string, string>>;
}

interface StoredCertificate {
  readonly name: string;
  readonly versions: CertificateVersion[];
  operation?: { readonly requestId: string; readonly csr: string };
}

export interface CertificateStore {
  create(request: EmulatorRequest, body: Buffer): Promise<CertificateAnswer>;
  pending(request: EmulatorRequest): CertificateAnswer;
  get(request: EmulatorRequest): CertificateAnswer;
}

export function createCertificateStore(secrets: SecretStore, clock: () => number): CertificateStore {
  const certificates = new Map<string, StoredCertificate>();

  function operationJson(request: EmulatorRequest, certificate: StoredCertificate): Json {
    return {
      id: `${request.url.origin}/certificates/${certificate.name}/pending`,
      issuer: { name: 'Self' },
      csr: certificate.operation?.csr ?? '',
      cancellation_requested: false,
      status: 'completed',
      target: `${request.url.origin}/certificates/${certificate.name}`,
      request_id: certificate.operation?.requestId ?? '',
    };
  }

  return {
    async create(request, body) {
      const name = request.params.name ?? '';
      const parsed = parsePolicy(body);
      if (!parsed.ok) return parsed;
      const { policy, tags } = parsed;
      const now = clock();
      const notBefore = new Date(Math.floor(now / 1000) * 1000 - 5 * 60_000);
      const expiresOn = new Date(notBefore);
      expiresOn.setUTCMonth(expiresOn.getUTCMonth() + policy.validityMonths);
      const created = await createSelfSignedCertificate({
        subject: policy.subject,
        notBefore,
        notAfter: expiresOn,
        keySize: policy.keySize,
      });
      const secret = secrets.set(name, created.privateKeyPem + created.certificatePem, {
        contentType: policy.contentType,
        notBefore,
        expiresOn,
        ...(tags ? { tags } : {}),
        keyId: `${request.url.origin}/keys/${name}`,
      });
      const key = name.toLowerCase();
      const certificate = certificates.get(key) ?? { name, versions: [] };
      certificates.set(key, certificate);
      certificate.versions.push({
        version: secret.version,
        der: created.der,
        policy,
        notBefore,
        expiresOn,
        createdOn: new Date(now),
        ...(tags ? { tags } : {}),
      });
      // The CSR Key Vault would send to a CA; for a self-signed certificate only its presence matters.
      certificate.operation = { requestId: randomBytes(16).toString('hex'), csr: created.der.toString('base64') };
      return {
        ok: true,
        status: 202,
        headers: { location: `${request.url.origin}/certificates/${name}/pending?${request.url.searchParams}` },
        body: {
          ...operationJson(request, certificate),
          status: 'inProgress',
          status_details: PENDING_DETAILS,
          target: undefined,
        },
      };
    },
    pending(request) {
      const certificate = certificates.get((request.params.name ?? '').toLowerCase());
      if (!certificate?.operation) {
        return notFound('PendingCertificateNotFound', `Pending certificate not found: ${request.params.name ?? ''}`);
      }
      return { ok: true, status: 200, body: operationJson(request, certificate) };
    },
    get(request) {
      const { name = '', version } = request.params;
      const certificate = certificates.get(name.toLowerCase());
      const entry =
        version === undefined
          ? certificate?.versions.at(-1)
          : certificate?.versions.find((candidate) => candidate.version === version.toLowerCase());
      if (!certificate || !entry) {
        return notFound(
          'CertificateNotFound',
          `A certificate with (name/id) ${version === undefined ? name : `${name}/${version}`} was not found in this key vault. If you recently deleted this certificate you may be able to recover it using the correct recovery command. For help resolving this issue, please see https://go.microsoft.com/fwlink/?linkid=2125182`,
        );
      }
      const origin = request.url.origin;
      const seconds = (date: Date): number => Math.floor(date.getTime() / 1000);
      return {
        ok: true,
        status: 200,
        body: {
          id: `${origin}/certificates/${certificate.name}/${entry.version}`,
          kid: `${origin}/keys/${certificate.name}/${entry.version}`,
          sid: `${origin}/secrets/${certificate.name}/${entry.version}`,
          x5t: createHash('sha1').update(entry.der).digest('base64url'),
          cer: entry.der.toString('base64'),
          attributes: {
            enabled: true,
            nbf: seconds(entry.notBefore),
            exp: seconds(entry.expiresOn),
            created: seconds(entry.createdOn),
            updated: seconds(entry.createdOn),
            recoveryLevel: 'Recoverable+Purgeable',
            recoverableDays: 90,
          },
          policy: policyJson(origin, certificate.name, entry.policy),
          ...(entry.tags ? { tags: entry.tags } : {}),
        },
      };
    },
  };
}

function policyJson(origin: string, name: string, policy: CertificatePolicy): Json {
  return {
    id: `${origin}/certificates/${name}/policy`,
    key_props: { exportable: policy.exportable, kty: 'RSA', key_size: policy.keySize, reuse_key: false },
    secret_props: { contentType: policy.contentType },
    x509_props: {
      subject: policy.subject,
      ekus: ['1.3.6.1.5.5.7.3.1', '1.3.6.1.5.5.7.3.2'],
      key_usage: ['digitalSignature', 'keyEncipherment'],
      validity_months: policy.validityMonths,
      basic_constraints: { ca: false },
    },
    lifetime_actions: [{ trigger: { lifetime_percentage: 80 }, action: { action_type: 'EmailContacts' } }],
    issuer: { name: 'Self' },
    attributes: { enabled: true },
  };
}

type ParsedPolicy =
  | { readonly ok: true; readonly policy: CertificatePolicy; readonly tags?: Record<string, string> }
  | Extract<CertificateAnswer, { ok: false }>;

/** The create body: `{ policy: { key_props, secret_props, x509_props, issuer }, attributes?, tags? }`. */
function parsePolicy(body: Buffer): ParsedPolicy {
  let json: unknown;
  try {
    json = JSON.parse(body.toString('utf8'));
  } catch {
    return badParameter('The request body is not valid JSON.');
  }
  if (!isObject(json) || !isObject(json.policy)) return badParameter("Property 'policy' is required.");
  const { key_props: keyProps = {}, secret_props: secretProps = {}, x509_props: x509Props, issuer } = json.policy;
  if (!isObject(issuer) || typeof issuer.name !== 'string')
    return badParameter("Property 'policy.issuer.name' is required.");
  if (issuer.name.toLowerCase() !== 'self') {
    return badParameter(
      `The issuer '${issuer.name}' is not configured in this vault; the emulator issues 'Self' only.`,
    );
  }
  if (!isObject(x509Props) || typeof x509Props.subject !== 'string' || !/^CN=\S/i.test(x509Props.subject)) {
    return badParameter("Property 'policy.x509_props.subject' must be a distinguished name such as CN=due-notifier.");
  }
  if (!isObject(keyProps) || !isObject(secretProps)) return badParameter("Property 'policy' has invalid value.");
  const keyType = keyProps.kty ?? 'RSA';
  if (keyType !== 'RSA')
    return badParameter(`Key type '${String(keyType)}' is not supported by the emulator (RSA only).`);
  const keySize = keyProps.key_size ?? 2048;
  if (typeof keySize !== 'number' || !KEY_SIZES.has(keySize))
    return badParameter(`Invalid key size ${String(keySize)}.`);
  const contentType = secretProps.contentType ?? PKCS12_CONTENT_TYPE;
  if (contentType === PKCS12_CONTENT_TYPE) {
    return badParameter(
      `The emulator makes PEM certificates only: set policy.secret_props.contentType to '${PEM_CONTENT_TYPE}' (Key Vault's default is '${PKCS12_CONTENT_TYPE}', which due-notifier does not read).`,
    );
  }
  if (contentType !== PEM_CONTENT_TYPE) return badParameter(`Invalid content type '${String(contentType)}'.`);
  const validityMonths = x509Props.validity_months ?? DEFAULT_VALIDITY_MONTHS;
  if (
    typeof validityMonths !== 'number' ||
    !Number.isInteger(validityMonths) ||
    validityMonths < 1 ||
    validityMonths > MAX_VALIDITY_MONTHS
  ) {
    return badParameter(`Invalid validity_months ${String(validityMonths)}.`);
  }
  const tags =
    isObject(json.tags) && Object.values(json.tags).every((value) => typeof value === 'string')
      ? (json.tags as Record<string, string>)
      : undefined;
  return {
    ok: true,
    policy: {
      subject: x509Props.subject,
      validityMonths,
      keySize,
      exportable: keyProps.exportable !== false,
      contentType,
    },
    ...(tags ? { tags } : {}),
  };
}

function badParameter(message: string): Extract<CertificateAnswer, { ok: false }> {
  return { ok: false, status: 400, code: 'BadParameter', message };
}

function notFound(code: string, message: string): Extract<CertificateAnswer, { ok: false }> {
  return { ok: false, status: 404, code, message };
}

function isObject(value: unknown): value is Json {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
