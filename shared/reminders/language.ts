/**
 * The customer's language: a BCP 47 tag from the list (`de`, `fr-CH`), in its canonical form, and only
 * when Intl knows its language: a language name typed into the column (`German`) is well-formed BCP 47
 * but names no language.
 */

/** RFC 5646 §4.4.1: applications should be able to store tags of 35 characters; longer ones are not worth it. */
export const MAX_LANGUAGE_TAG_LENGTH = 35;

let languageNames: Intl.DisplayNames | undefined;

/** `text` as a canonical BCP 47 tag (`de-ch` → `de-CH`), or undefined unless it is one of a known language. */
export function canonicalLanguageTag(text: string): string | undefined {
  if (text.length === 0 || text.length > MAX_LANGUAGE_TAG_LENGTH) {
    return undefined;
  }
  languageNames ??= new Intl.DisplayNames(['en'], { type: 'language', fallback: 'none' });
  try {
    const [tag] = Intl.getCanonicalLocales(text);
    return tag !== undefined && languageNames.of(new Intl.Locale(tag).language) !== undefined ? tag : undefined;
  } catch {
    return undefined; // RangeError: not well-formed, or `und` (no language)
  }
}
