/**
 * Verifies a federated client assertion the way Entra ID does for workload identity federation: the app's
 * federated identity credentials are matched on the assertion's issuer, then its subject, then its audience,
 * each compared exactly (case-sensitive), and each mismatch has its own AADSTS code (70021 no credential at
 * all, 700211 issuer, 700213 subject, 7002138 subject differing only in case, 700212 audience). Only then
 * is the token itself checked: signed by an issuer Entra ID trusts (here: the emulator's own authority,
 * which issues managed identities' `api://AzureADTokenExchange` tokens) and within its time window.
 */
import { decodeJwt, decodeProtectedHeader } from 'jose';
import type { JWTPayload, ProtectedHeaderParameters } from 'jose';
import type { DirectoryApplication } from './directory-records.js';
import { entraErrors } from './errors.js';
import type { EntraErrorSpec } from './errors.js';
import type { TokenAuthority } from './tokens.js';

export interface FederatedAssertionContext {
  readonly application: DirectoryApplication;
  readonly authority: TokenAuthority;
  /** Whether tokens of this issuer are the authority's own (the tenant's v2.0 issuer at this authority host). */
  readonly isOwnIssuer: (issuer: string) => boolean;
  /** Milliseconds since the epoch. */
  readonly now: number;
}

export type FederatedAssertionVerdict =
  { readonly ok: true; readonly credentialId: string } | { readonly ok: false; readonly failure: EntraErrorSpec };

/**
 * Whether a client assertion is federated (a token issued by someone else) rather than signed by the app
 * with a registered certificate, which names the certificate by thumbprint and has the app as issuer.
 */
export function isFederatedAssertion(assertion: string, clientId: string): boolean {
  const payload = decode(assertion);
  let header: ProtectedHeaderParameters;
  try {
    header = decodeProtectedHeader(assertion);
  } catch {
    return false;
  }
  const namesCertificate = header.x5t !== undefined || header['x5t#S256'] !== undefined;
  return (
    !namesCertificate &&
    payload !== undefined &&
    typeof payload.iss === 'string' &&
    payload.iss.toLowerCase() !== clientId.toLowerCase()
  );
}

export async function verifyFederatedAssertion(
  assertion: string,
  context: FederatedAssertionContext,
): Promise<FederatedAssertionVerdict> {
  const payload = decode(assertion);
  if (!payload) return reject(entraErrors.malformedAssertion('JWT token is invalid or malformed.'));
  const issuer = typeof payload.iss === 'string' ? payload.iss : '';
  const subject = typeof payload.sub === 'string' ? payload.sub : '';
  const audiences = typeof payload.aud === 'string' ? [payload.aud] : (payload.aud ?? []);
  const credentials = context.application.federatedIdentityCredentials;

  if (credentials.length === 0) {
    return reject(entraErrors.noFederatedCredentials({ issuer, subject, audience: audiences.join(',') }));
  }
  const sameIssuer = credentials.filter((credential) => credential.issuer === issuer);
  if (sameIssuer.length === 0) return reject(entraErrors.federatedIssuerMismatch(issuer));
  const sameSubject = sameIssuer.filter((credential) => credential.subject === subject);
  if (sameSubject.length === 0) {
    const differsInCase = sameIssuer.some((credential) => credential.subject.toLowerCase() === subject.toLowerCase());
    return reject(
      differsInCase ? entraErrors.federatedSubjectCaseMismatch(subject) : entraErrors.federatedSubjectMismatch(subject),
    );
  }
  const matching = sameSubject.find((credential) =>
    credential.audiences.some((audience) => audiences.includes(audience)),
  );
  if (!matching) return reject(entraErrors.federatedAudienceMismatch(audiences.join(',')));

  if (!context.isOwnIssuer(issuer)) {
    return reject(entraErrors.malformedAssertion(`Unable to retrieve the signing keys of issuer '${issuer}'.`));
  }
  const verified = await context.authority.verifyExchangeToken(assertion);
  if (verified.ok) return { ok: true, credentialId: matching.id };
  if (verified.reason === 'expired' || verified.reason === 'not_yet_valid') {
    const validFrom = typeof payload.nbf === 'number' ? payload.nbf : 0;
    const expiresAt = typeof payload.exp === 'number' ? payload.exp : 0;
    return reject(
      entraErrors.assertionOutsideValidity(
        new Date(context.now),
        new Date(validFrom * 1000),
        new Date(expiresAt * 1000),
      ),
    );
  }
  return reject(entraErrors.malformedAssertion('The signature of the assertion could not be verified.'));
}

function decode(assertion: string): JWTPayload | undefined {
  try {
    return decodeJwt(assertion);
  } catch {
    return undefined;
  }
}

function reject(failure: EntraErrorSpec): FederatedAssertionVerdict {
  return { ok: false, failure };
}
