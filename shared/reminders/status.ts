/**
 * Which statuses are open: an allow-list (`OPEN_STATUSES`), so that a closing word the daemon does not
 * know never gets a reminder, and a list of known closing words (`CLOSED_STATUSES`), so that a closed item
 * and a status nobody listed (a typo an operator must fix) are counted apart.
 */

/** How the lists write an absent or empty status (a list entry cannot be empty text). */
export const EMPTY_STATUS = '(empty)';

/** Characters that do not show: format characters (zero-width, bidi controls, BOM) and default-ignorables. */
const INVISIBLE = /[\p{Cf}\p{Default_Ignorable_Code_Point}]/gu;
const WHITESPACE_RUN = /\s+/g;
const CONTROL_CHARACTERS = /\p{Cc}/gu;

/** The statuses the rules know, each as {@link statusListEntry} returns it (`''` for an empty status). */
export interface StatusLists {
  readonly open: readonly string[];
  readonly closed: readonly string[];
}

export type StatusKind = 'open' | 'closed' | 'unknown';

/**
 * A status as the lists compare it: NFKC (so full-width or ligature spellings match), without invisible
 * characters, whitespace collapsed, trimmed, lower case.
 */
function statusKey(text: string): string {
  // Invisible characters go first (U+FEFF would count as whitespace), control characters after the
  // whitespace runs (a tab between two words is a space).
  return text
    .normalize('NFKC')
    .replace(INVISIBLE, '')
    .replace(WHITESPACE_RUN, ' ')
    .replace(CONTROL_CHARACTERS, '')
    .trim()
    .toLowerCase();
}

/** An entry of a status setting as the lists hold it ({@link EMPTY_STATUS} as `''`); undefined when it is blank. */
export function statusListEntry(text: string): string | undefined {
  const key = statusKey(text);
  return key === '' ? undefined : key === EMPTY_STATUS ? '' : key;
}

/**
 * The kind of a Status value as Graph returns it: text for a choice or text column, an array of texts for
 * a multi-choice column, absent when empty. A multi-choice value is open only if every choice is; else
 * unknown if any choice is (the list needs fixing), else closed.
 */
export function statusKind(value: unknown, lists: StatusLists): StatusKind {
  const choices = value === null || value === undefined ? [] : Array.isArray(value) ? value : [value];
  const kinds = choices.length === 0 ? [kindOf('', lists)] : choices.map((choice) => choiceKind(choice, lists));
  if (kinds.includes('unknown')) return 'unknown';
  return kinds.includes('closed') ? 'closed' : 'open';
}

function choiceKind(choice: unknown, lists: StatusLists): StatusKind {
  return typeof choice === 'string' ? kindOf(statusKey(choice), lists) : 'unknown';
}

function kindOf(key: string, lists: StatusLists): StatusKind {
  if (lists.open.includes(key)) return 'open';
  return lists.closed.includes(key) ? 'closed' : 'unknown';
}
