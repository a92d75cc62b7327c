import { decodeJwt, decodeProtectedHeader } from 'jose';
import { beforeAll, describe, expect, it } from 'vitest';
import { TokenAuthorityError, CLOCK_SKEW_SECONDS, createTokenAuthority } from '../../../emulators/entra/tokens.js';
import type { TokenAuthority } from '../../../emulators/entra/tokens.js';
import { createTestClock } from './identity-fixtures.js';

const TENANT_ID = '7a0c3c8e-4d2b-4a55-9a61-0b8e1f5f2c11';
const subject = {
  tenantId: TENANT_ID,
  appId: '3f2a9d1e-6b7c-4e8f-9a0b-1c2d3e4f5a6b',
  objectId: '0b1c2d3e-4f5a-4b6c-8d7e-9f0a1b2c3d4e',
  roles: ['Sites.Read.All'],
  audience: 'https://graph.microsoft.com',
};

describe('createTokenAuthority', () => {
  const clock = createTestClock(Date.UTC(2026, 0, 15, 12, 0, 0));
  let authority: TokenAuthority;

  beforeAll(async () => {
    authority = await createTokenAuthority({ lifetimeSeconds: 3600, clock: clock.now });
  });

  it('issues an RS256 app token with v1.0 claims that verifies for its audience', async () => {
    const issued = await authority.issue(subject);
    const nowSeconds = clock.now() / 1000;

    expect(issued.expiresIn).toBe(3600);
    expect(decodeJwt(issued.accessToken)).toEqual(issued.claims);
    expect(issued.claims).toMatchObject({
      aud: 'https://graph.microsoft.com',
      iss: `https://sts.windows.net/${TENANT_ID}/`,
      tid: TENANT_ID,
      appid: subject.appId,
      oid: subject.objectId,
      sub: subject.objectId,
      roles: ['Sites.Read.All'],
      idtyp: 'app',
      ver: '1.0',
      iat: nowSeconds,
      nbf: nowSeconds,
      exp: nowSeconds + 3600,
    });
    const header = decodeProtectedHeader(issued.accessToken);
    expect(header).toMatchObject({ alg: 'RS256', typ: 'JWT' });
    expect(authority.jwks().keys.map((key) => key.kid)).toEqual([header.kid]);

    await expect(authority.verify(issued.accessToken, ['https://graph.microsoft.com'])).resolves.toEqual({
      ok: true,
      claims: issued.claims,
    });
  });

  it('publishes only the public half of the signing key', () => {
    const [key] = authority.jwks().keys;
    expect(key).toMatchObject({ kty: 'RSA', use: 'sig', e: 'AQAB' });
    expect(key).not.toHaveProperty('d');
    expect(key).not.toHaveProperty('p');
  });

  it('gives each token a distinct uti and leaves roles out when none are granted', async () => {
    const first = await authority.issue({ ...subject, roles: [] });
    const second = await authority.issue({ ...subject, roles: [] });
    expect(first.claims.uti).not.toBe(second.claims.uti);
    expect(decodeJwt(first.accessToken)).not.toHaveProperty('roles');
  });

  it('rejects a token for another audience', async () => {
    const issued = await authority.issue(subject);
    await expect(authority.verify(issued.accessToken, ['https://vault.azure.net'])).resolves.toEqual({
      ok: false,
      reason: 'audience',
    });
  });

  it('accepts a token within the clock skew after exp and rejects it beyond', async () => {
    const issued = await authority.issue(subject);
    clock.advance((3600 + CLOCK_SKEW_SECONDS - 5) * 1000);
    expect((await authority.verify(issued.accessToken, [subject.audience])).ok).toBe(true);
    clock.advance(10_000);
    await expect(authority.verify(issued.accessToken, [subject.audience])).resolves.toEqual({
      ok: false,
      reason: 'expired',
    });
  });

  it('rejects a token before its nbf (beyond the skew)', async () => {
    const issued = await authority.issue(subject);
    clock.advance(-(CLOCK_SKEW_SECONDS + 60) * 1000);
    const verdict = await authority.verify(issued.accessToken, [subject.audience]);
    clock.advance((CLOCK_SKEW_SECONDS + 60) * 1000);
    expect(verdict).toEqual({ ok: false, reason: 'not_yet_valid' });
  });

  it('rejects tokens signed by another authority and tampered tokens', async () => {
    const stranger = await createTokenAuthority({ lifetimeSeconds: 3600, clock: clock.now });
    const foreign = await stranger.issue(subject);
    await expect(authority.verify(foreign.accessToken, [subject.audience])).resolves.toEqual({
      ok: false,
      reason: 'signature',
    });

    const genuine = await authority.issue({ ...subject, roles: [] });
    const [header, , signature] = genuine.accessToken.split('.');
    const forgedPayload = Buffer.from(JSON.stringify({ ...genuine.claims, roles: ['Sites.FullControl.All'] })).toString(
      'base64url',
    );
    await expect(authority.verify(`${header}.${forgedPayload}.${signature}`, [subject.audience])).resolves.toEqual({
      ok: false,
      reason: 'signature',
    });
  });

  it('calls anything that is not a JWT malformed', async () => {
    await expect(authority.verify('not-a-token', [subject.audience])).resolves.toEqual({
      ok: false,
      reason: 'malformed',
    });
  });

  it('applies a changed lifetime to tokens issued afterwards and refuses a nonsensical one', async () => {
    authority.lifetimeSeconds = 600;
    const issued = await authority.issue(subject);
    authority.lifetimeSeconds = 3600;
    expect(issued.expiresIn).toBe(600);
    expect(issued.claims.exp - issued.claims.iat).toBe(600);
    expect(() => {
      authority.lifetimeSeconds = 0;
    }).toThrow(TokenAuthorityError);
    expect(authority.lifetimeSeconds).toBe(3600);
  });
});
