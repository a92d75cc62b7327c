/**
 * The token authority of the Entra ID emulator: issues app-only access tokens (RS256 JWTs, v1.0 claims
 * like the tokens Graph and Key Vault receive) and verifies them for the emulated resource servers.
 */
import { randomBytes } from 'node:crypto';
import type { JsonWebKey } from 'node:crypto';
import { SignJWT, createLocalJWKSet, errors, exportJWK, generateKeyPair, jwtVerify } from 'jose';
import type { CryptoKey, JWTPayload } from 'jose';
import type { AccessTokenClaims, TokenRejection, TokenVerifier } from '../stack/types.js';

/** Resource servers accept tokens this far past `exp` or before `nbf` (Entra ID's usual 5 minutes). */
export const CLOCK_SKEW_SECONDS = 300;
const SIGNING_ALGORITHM = 'RS256';

export interface TokenSubject {
  readonly tenantId: string;
  /** Client id of the app or managed identity. */
  readonly appId: string;
  /** Object id of its service principal. */
  readonly objectId: string;
  /** App roles granted for `audience`; an empty list leaves the `roles` claim out, as Entra ID does. */
  readonly roles: readonly string[];
  readonly audience: string;
}

export interface IssuedToken {
  readonly accessToken: string;
  /** Seconds until `exp`, as the token endpoint's `expires_in`. */
  readonly expiresIn: number;
  readonly claims: AccessTokenClaims;
}

export interface TokenAuthority extends TokenVerifier {
  issue(subject: TokenSubject): Promise<IssuedToken>;
  /** Public signing keys, served as the tenant's JWKS. */
  jwks(): { keys: JsonWebKey[] };
  /** Lifetime of tokens issued from now on. */
  lifetimeSeconds: number;
  /** Every access token this authority issued, oldest first, for leak checks. */
  issuedTokens(): string[];
  /**
   * A v2.0 token of a managed identity for a federated credential exchange (`api://AzureADTokenExchange`):
   * `iss` is the tenant's v2.0 issuer, `sub` and `oid` the identity's principal id, `azp` its client id.
   */
  issueExchangeToken(subject: ExchangeTokenSubject): Promise<IssuedExchangeToken>;
  /** Verifies a token this authority signed (signature and time window only): a federated assertion. */
  verifyExchangeToken(token: string): Promise<{ ok: true; claims: JWTPayload } | { ok: false; reason: TokenRejection }>;
}

export interface ExchangeTokenSubject {
  readonly tenantId: string;
  /** `{authority}/{tenant}/v2.0`. */
  readonly issuer: string;
  readonly clientId: string;
  readonly principalId: string;
  readonly audience: string;
}

export interface IssuedExchangeToken {
  readonly accessToken: string;
  readonly expiresIn: number;
  readonly expiresOn: number;
}

export interface TokenAuthorityOptions {
  readonly lifetimeSeconds: number;
  /** Milliseconds since the epoch; defaults to `Date.now`. */
  readonly clock?: () => number;
}

export class TokenAuthorityError extends Error {
  readonly code = 'InvalidTokenLifetime';
  constructor(message: string) {
    super(message);
    this.name = 'TokenAuthorityError';
  }
}

/** The issuer of v1.0 access tokens, which is what Graph and Key Vault receive for app-only calls. */
export function accessTokenIssuer(tenantId: string): string {
  return `https://sts.windows.net/${tenantId}/`;
}

/** Creates an authority with a fresh RSA signing key (never persisted: tokens die with the process). */
export async function createTokenAuthority(options: TokenAuthorityOptions): Promise<TokenAuthority> {
  const clock = options.clock ?? Date.now;
  const { privateKey, publicKey } = await generateKeyPair(SIGNING_ALGORITHM, { extractable: true });
  const kid = randomBytes(20).toString('base64url');
  const publicJwk = { ...(await exportJWK(publicKey)), kid, use: 'sig' };
  const keySet = createLocalJWKSet({ keys: [publicJwk] });
  let lifetimeSeconds = checkedLifetime(options.lifetimeSeconds);
  const issuedTokens: string[] = [];

  return {
    get lifetimeSeconds() {
      return lifetimeSeconds;
    },
    set lifetimeSeconds(value: number) {
      lifetimeSeconds = checkedLifetime(value);
    },
    jwks: () => ({ keys: [{ ...publicJwk }] }),
    async issue(subject) {
      const issued = await issue(subject, privateKey, kid, lifetimeSeconds, clock());
      issuedTokens.push(issued.accessToken);
      return issued;
    },
    issuedTokens: () => [...issuedTokens],
    async issueExchangeToken(subject) {
      const now = Math.floor(clock() / 1000);
      const exp = now + lifetimeSeconds;
      const accessToken = await new SignJWT({
        aud: subject.audience,
        iss: subject.issuer,
        iat: now,
        nbf: now,
        exp,
        azp: subject.clientId,
        azpacr: '2',
        idtyp: 'app',
        oid: subject.principalId,
        sub: subject.principalId,
        tid: subject.tenantId,
        uti: randomBytes(16).toString('base64url'),
        ver: '2.0',
      })
        .setProtectedHeader({ typ: 'JWT', alg: SIGNING_ALGORITHM, kid })
        .sign(privateKey);
      issuedTokens.push(accessToken);
      return { accessToken, expiresIn: lifetimeSeconds, expiresOn: exp };
    },
    async verifyExchangeToken(token) {
      try {
        const { payload } = await jwtVerify(token, keySet, {
          algorithms: [SIGNING_ALGORITHM],
          currentDate: new Date(clock()),
          clockTolerance: CLOCK_SKEW_SECONDS,
        });
        return { ok: true, claims: payload };
      } catch (error) {
        return { ok: false, reason: rejectionOf(error) };
      }
    },
    async verify(token, audiences) {
      try {
        const { payload } = await jwtVerify(token, keySet, {
          algorithms: [SIGNING_ALGORITHM],
          audience: [...audiences],
          currentDate: new Date(clock()),
          clockTolerance: CLOCK_SKEW_SECONDS,
        });
        const claims = toAccessTokenClaims(payload);
        if (!claims) return { ok: false, reason: 'malformed' };
        if (claims.iss !== accessTokenIssuer(claims.tid)) return { ok: false, reason: 'issuer' };
        return { ok: true, claims };
      } catch (error) {
        return { ok: false, reason: rejectionOf(error) };
      }
    },
  };
}

async function issue(
  subject: TokenSubject,
  privateKey: CryptoKey,
  kid: string,
  lifetimeSeconds: number,
  nowMs: number,
): Promise<IssuedToken> {
  const now = Math.floor(nowMs / 1000);
  const claims: AccessTokenClaims = {
    aud: subject.audience,
    iss: accessTokenIssuer(subject.tenantId),
    iat: now,
    nbf: now,
    exp: now + lifetimeSeconds,
    appid: subject.appId,
    idtyp: 'app',
    oid: subject.objectId,
    ...(subject.roles.length > 0 ? { roles: [...subject.roles] } : {}),
    sub: subject.objectId,
    tid: subject.tenantId,
    uti: randomBytes(16).toString('base64url'),
    ver: '1.0',
  };
  const accessToken = await new SignJWT({ ...claims })
    .setProtectedHeader({ typ: 'JWT', alg: SIGNING_ALGORITHM, kid })
    .sign(privateKey);
  return { accessToken, expiresIn: lifetimeSeconds, claims };
}

function checkedLifetime(value: number): number {
  if (!Number.isInteger(value) || value <= 0) {
    throw new TokenAuthorityError(`Token lifetime must be a positive whole number of seconds, got ${value}`);
  }
  return value;
}

function rejectionOf(error: unknown): TokenRejection {
  if (error instanceof errors.JWTExpired) return 'expired';
  if (error instanceof errors.JWTClaimValidationFailed) {
    if (error.claim === 'nbf' || error.claim === 'iat') return 'not_yet_valid';
    if (error.claim === 'aud') return 'audience';
    if (error.claim === 'iss') return 'issuer';
    return 'malformed';
  }
  if (error instanceof errors.JWSSignatureVerificationFailed || error instanceof errors.JWKSNoMatchingKey) {
    return 'signature';
  }
  return 'malformed';
}

/** Narrows a verified payload to the claims this authority issues; anything else is malformed. */
function toAccessTokenClaims(payload: JWTPayload): AccessTokenClaims | undefined {
  const { aud, iss, tid, appid, oid, sub, roles, idtyp, ver, iat, nbf, exp, uti } = payload;
  if (typeof aud !== 'string' || typeof iss !== 'string' || typeof tid !== 'string') return undefined;
  if (typeof appid !== 'string' || typeof oid !== 'string' || typeof sub !== 'string') return undefined;
  if (typeof uti !== 'string' || idtyp !== 'app' || ver !== '1.0') return undefined;
  if (typeof iat !== 'number' || typeof nbf !== 'number' || typeof exp !== 'number') return undefined;
  if (roles !== undefined && !isStringArray(roles)) return undefined;
  return { aud, iss, tid, appid, oid, sub, ...(roles === undefined ? {} : { roles }), idtyp, ver, iat, nbf, exp, uti };
}

function isStringArray(value: unknown): value is string[] {
  return Array.isArray(value) && value.every((item) => typeof item === 'string');
}
