/**
 * The cleaning of a text field (a reference, a customer's name) before it goes into a reminder: the
 * sweep applies it to the list's values, and delivery applies it again to whatever a queue message
 * carries, so that line breaks, NULs and bidi overrides never reach an e-mail header or body.
 */

const LINE_BREAKS_AND_TABS = /[\t\n\v\f\r]+/g;
/**
 * Control characters, and the invisible characters that reorder or hide text: bidi marks, embeddings,
 * overrides and isolates (a name could display reversed), zero-width space, word joiner, BOM. Joiners
 * (U+200C/D) stay: some scripts and emoji need them.
 */
const HIDDEN_CHARACTERS = /[\p{Cc}\u061C\u200B\u200E\u200F\u202A-\u202E\u2060\u2066-\u2069\uFEFF]/gu;

/**
 * Text for a reminder: kept verbatim (HTML included: escaping is the mail template's job) except that
 * line breaks and tabs become one space, other control characters and hidden characters (bidi controls,
 * zero-width space, BOM) go, and the ends are trimmed. A finite number becomes its decimal text; any
 * other non-text value, the empty text.
 */
export function plainText(value: unknown): string {
  if (typeof value === 'number' && Number.isFinite(value)) {
    return String(value);
  }
  if (typeof value !== 'string') {
    return '';
  }
  return value.replace(LINE_BREAKS_AND_TABS, ' ').replace(HIDDEN_CHARACTERS, '').trim();
}
