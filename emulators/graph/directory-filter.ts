/**
 * The `$filter` forms the directory endpoints accept here, as Graph evaluates them on directory objects:
 * `property eq 'value'` (string properties, compared case-insensitively) and
 * `collection/any(x:x eq 'value')` on string collections, joined by `and`. Anything else is refused with
 * 400 `Request_UnsupportedQuery`.
 */
import { GraphRequestError } from './responses.js';

type Json = Record<string, unknown>;

const COMPARISON = /^(\w+)\s+eq\s+'((?:[^']|'')*)'$/;
const ANY = /^(\w+)\/any\((\w+):\s*\2\s+eq\s+'((?:[^']|'')*)'\)$/;

export function directoryFilter(
  filter: string | null,
  resource: string,
  filterable: { readonly properties: readonly string[]; readonly collections: readonly string[] },
): (object: Json) => boolean {
  if (filter === null || filter.trim() === '') return () => true;
  const clauses = filter
    .trim()
    .split(/\s+and\s+/i)
    .map((clause) => clause.trim());
  const tests = clauses.map((clause) => {
    const comparison = COMPARISON.exec(clause);
    if (comparison?.[1] !== undefined && filterable.properties.includes(comparison[1])) {
      const property = comparison[1];
      const wanted = (comparison[2] ?? '').replaceAll("''", "'").toLowerCase();
      return (object: Json): boolean => {
        const value = object[property];
        return typeof value === 'string' && value.toLowerCase() === wanted;
      };
    }
    const any = ANY.exec(clause);
    if (any?.[1] !== undefined && filterable.collections.includes(any[1])) {
      const property = any[1];
      const wanted = (any[3] ?? '').replaceAll("''", "'").toLowerCase();
      return (object: Json): boolean => {
        const values = object[property];
        return (
          Array.isArray(values) && values.some((value) => typeof value === 'string' && value.toLowerCase() === wanted)
        );
      };
    }
    const property = /^(\w+)/.exec(clause)?.[1] ?? clause;
    throw new GraphRequestError(
      400,
      'Request_UnsupportedQuery',
      `Unsupported or invalid query filter clause specified for property '${property}' of resource '${resource}'.`,
    );
  });
  return (object) => tests.every((test) => test(object));
}
