/**
 * What a setting's rule is: a valibot schema from the setting's trimmed text to its value, plus the words
 * a message uses for it. Messages are composed in problems.ts, so every rule reads the same way.
 */
import * as v from 'valibot';

export interface Rule<T> {
  /** What a valid value looks like, completing "SETTING must be …" and "SETTING is required: set it to …". */
  readonly expected: string;
  /** Checks and converts the trimmed text. An issue's message is its reason; {@link NO_REASON} when `expected` says it all. */
  readonly schema: v.GenericSchema<string, T>;
  /** How a found value may be quoted in a message; undefined: not at all (it may be a secret). Default {@link quote}. */
  readonly show?: (text: string) => string | undefined;
}

/** The message of an issue that has nothing to add to the rule's `expected`. */
export const NO_REASON = '';

const MAX_SHOWN_LENGTH = 80;

/** The found value as a message quotes it: JSON-quoted, long values cut. */
export function quote(text: string): string {
  return JSON.stringify(text.length > MAX_SHOWN_LENGTH ? `${text.slice(0, MAX_SHOWN_LENGTH)}…` : text);
}

/** A check whose failures each have their own reason: `problemOf` returns it, or undefined when the text fits. */
export function reasoned(problemOf: (text: string) => string | undefined): v.RawCheckAction<string> {
  return v.rawCheck(({ dataset, addIssue }) => {
    const problem = dataset.typed ? problemOf(dataset.value) : undefined;
    if (problem !== undefined) addIssue({ message: problem });
  });
}

/** A rule whose only check is `pattern` (or a predicate): `expected` says what fits. */
export function matching(expected: string, fits: RegExp | ((text: string) => boolean)): Rule<string> {
  const test = typeof fits === 'function' ? fits : (text: string) => fits.test(text);
  return { expected, schema: v.pipe(v.string(), v.check(test, NO_REASON)) };
}
