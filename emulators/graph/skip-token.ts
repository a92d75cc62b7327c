/**
 * Opaque `$skiptoken` values for list-item paging, shaped like SharePoint's (base64 of
 * `Paged=TRUE&p_ID=...`) plus a MAC that binds the position to the list and the query, so a tampered
 * or transplanted token is refused instead of silently restarting or skipping items.
 */
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';

export interface SkipTokenCodec {
  /** A token for resuming at item index `position` of the query identified by `scope`. */
  encode(scope: string, position: number): string;
  /** The position a token resumes at, or undefined when the token was not issued for this scope. */
  decode(scope: string, token: string): number | undefined;
}

const TOKEN_PATTERN = /^Paged=TRUE&p_ID=(\d{1,10})&p_Check=([A-Za-z0-9_-]{22})$/;

/** `key` signs the tokens; by default a random one, so tokens die with the emulator that issued them. */
export function createSkipTokenCodec(key: Buffer = randomBytes(32)): SkipTokenCodec {
  const check = (scope: string, position: number): Buffer =>
    createHmac('sha256', key).update(`${scope}\n${position}`).digest().subarray(0, 16);

  return {
    encode(scope, position) {
      return Buffer.from(
        `Paged=TRUE&p_ID=${position}&p_Check=${check(scope, position).toString('base64url')}`,
      ).toString('base64url');
    },
    decode(scope, token) {
      const match = TOKEN_PATTERN.exec(Buffer.from(token, 'base64url').toString('latin1'));
      if (match === null) {
        return undefined;
      }
      const position = Number(match[1]);
      const supplied = Buffer.from(match[2] ?? '', 'base64url');
      const expected = check(scope, position);
      return supplied.length === expected.length && timingSafeEqual(supplied, expected) ? position : undefined;
    },
  };
}
