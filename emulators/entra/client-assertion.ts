/**
 * Verifies a certificate client assertion (`private_key_jwt`) the way Entra ID does: the header names the
 * registered certificate by thumbprint, the signature (RS256 or PS256) verifies with its key, `iss` and
 * `sub` are the client id, `aud` is the token endpoint the request went to, and the time window holds.
 */
import { compactVerify, decodeJwt, decodeProtectedHeader } from 'jose';
import type { JWTPayload, ProtectedHeaderParameters } from 'jose';
import type { DirectoryApplication, DirectoryCertificate } from './directory-records.js';
import { entraErrors } from './errors.js';
import type { EntraErrorSpec } from './errors.js';

export const CLIENT_ASSERTION_TYPE = 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer';
/** Entra ID tolerates this much clock difference on `nbf`/`exp`. */
const ASSERTION_SKEW_SECONDS = 300;

export interface ClientAssertionContext {
  readonly application: DirectoryApplication;
  /** The `client_id` parameter of the request. */
  readonly clientId: string;
  /** The token endpoint URL the request was sent to: the only accepted `aud`. */
  readonly tokenEndpoint: string;
  /** Milliseconds since the epoch. */
  readonly now: number;
}

export type ClientAssertionVerdict =
  | { readonly ok: true; readonly certificate: DirectoryCertificate }
  | { readonly ok: false; readonly failure: EntraErrorSpec };

/**
 * The same assertion may be presented many times while it is valid (MSAL reuses it until it expires),
 * so `jti` is not checked for replay.
 */
export async function verifyClientAssertion(
  assertion: string,
  context: ClientAssertionContext,
): Promise<ClientAssertionVerdict> {
  const decoded = decode(assertion);
  if (!decoded) return reject(entraErrors.malformedAssertion('JWT token is invalid or malformed.'));
  const { header, payload } = decoded;

  const sha256 = thumbprintBytes(header['x5t#S256']);
  const sha1 = thumbprintBytes(header.x5t);
  if (!sha256 && !sha1) {
    return reject(entraErrors.malformedAssertion('No certificate thumbprint specified in token header.'));
  }
  const shownThumbprint = (sha256 ?? sha1 ?? Buffer.alloc(0)).toString('hex').toUpperCase();
  const certificate = context.application.findCertificate({ sha256, sha1 });
  if (!certificate) return reject(entraErrors.assertionKeyNotFound(shownThumbprint, context.application.clientId));

  try {
    await compactVerify(assertion, certificate.publicKey, { algorithms: ['RS256', 'PS256'] });
  } catch {
    return reject(entraErrors.assertionSignatureInvalid(shownThumbprint, certificate));
  }
  if (context.now < certificate.notBefore.getTime() || context.now >= certificate.expiresOn.getTime()) {
    return reject(entraErrors.assertionKeyExpired(shownThumbprint, certificate));
  }

  const clientId = context.clientId.toLowerCase();
  if (payload.iss?.toLowerCase() !== clientId || payload.sub?.toLowerCase() !== clientId) {
    return reject(entraErrors.assertionClientMismatch());
  }
  const audiences = typeof payload.aud === 'string' ? [payload.aud] : (payload.aud ?? []);
  if (!audiences.some((audience) => audience.toLowerCase() === context.tokenEndpoint.toLowerCase())) {
    return reject(entraErrors.assertionAudienceMismatch());
  }
  if (typeof payload.exp !== 'number') {
    return reject(entraErrors.malformedAssertion('The assertion has no expiry time (exp).'));
  }
  const nowSeconds = context.now / 1000;
  const validFrom = typeof payload.nbf === 'number' ? payload.nbf : 0;
  if (nowSeconds > payload.exp + ASSERTION_SKEW_SECONDS || nowSeconds < validFrom - ASSERTION_SKEW_SECONDS) {
    return reject(
      entraErrors.assertionOutsideValidity(
        new Date(context.now),
        new Date(validFrom * 1000),
        new Date(payload.exp * 1000),
      ),
    );
  }
  return { ok: true, certificate };
}

function decode(assertion: string): { header: ProtectedHeaderParameters; payload: JWTPayload } | undefined {
  try {
    return { header: decodeProtectedHeader(assertion), payload: decodeJwt(assertion) };
  } catch {
    return undefined;
  }
}

/** The raw digest of a base64url thumbprint header, or undefined when absent or not a plausible digest. */
function thumbprintBytes(value: unknown): Buffer | undefined {
  if (typeof value !== 'string' || value.length === 0) return undefined;
  const bytes = Buffer.from(value, 'base64url');
  return bytes.length === 20 || bytes.length === 32 ? bytes : undefined;
}

function reject(failure: EntraErrorSpec): ClientAssertionVerdict {
  return { ok: false, failure };
}
