/**
 * Which customer addresses the daemon accepts: a pragmatic subset of RFC 5322 that mail systems take
 * without surprises (internationalised domains included).
 */

/** RFC 5321 limits: a forward path of 254 characters, a local part of 64. */
const MAX_EMAIL_LENGTH = 254;
const MAX_EMAIL_LOCAL_PART_LENGTH = 64;
/** Unquoted local part: printable, none of the characters that delimit or quote addresses. */
const EMAIL_LOCAL_PART = /^[^\s\p{Cc}<>()[\]\\,;:"@]+$/u;
/**
 * Characters that do not show, which would make an address read as another one: format characters
 * (zero-width space and joiners, U+200E/F, the bidi embeddings, overrides and isolates U+202A–202E and
 * U+2066–2069, the BOM) and the other default-ignorables (variation selectors, fillers).
 */
const INVISIBLE = /[\p{Cf}\p{Default_Ignorable_Code_Point}]/u;
/** An internationalised label: letters and digits, combining marks after the first (Indic vowel signs), hyphens inside. */
const DOMAIN_LABEL = /^[\p{L}\p{N}](?:[\p{L}\p{M}\p{N}-]*[\p{L}\p{M}\p{N}])?$/u;

/** A pragmatic subset of RFC 5322 addresses: what a mail system will accept without surprises. */
export function isPlausibleEmailAddress(address: string): boolean {
  const at = address.indexOf('@');
  if (address.length > MAX_EMAIL_LENGTH || at < 1 || at > MAX_EMAIL_LOCAL_PART_LENGTH || INVISIBLE.test(address)) {
    return false;
  }
  const localPart = address.slice(0, at);
  const labels = address.slice(at + 1).split('.');
  return EMAIL_LOCAL_PART.test(localPart) && labels.length >= 2 && labels.every((label) => DOMAIN_LABEL.test(label));
}

/** A list's address column as the rules read it: the trimmed address, or why there is none. */
export function readEmailAddress(value: unknown): string | 'missing' | 'invalid' {
  if (value === null || value === undefined || (typeof value === 'string' && value.trim() === '')) {
    return 'missing';
  }
  if (typeof value !== 'string') {
    return 'invalid';
  }
  const address = value.trim();
  return isPlausibleEmailAddress(address) ? address : 'invalid';
}
