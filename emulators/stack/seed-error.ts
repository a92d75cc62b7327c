/**
 * What is wrong with a seed file: every problem with its field path, the first one named in the message.
 */
export interface SeedIssue {
  /** Field path, e.g. `tenants[0].applications[1].clientId`; `''` for the file as a whole. */
  readonly field: string;
  readonly message: string;
}

export class SeedError extends Error {
  readonly code = 'InvalidSeed';
  /** Field path of the (first) offending value, e.g. `tenants[0].applications[1].clientId`. */
  readonly field: string;
  /** Every problem found, the first one being the one the message names. */
  readonly issues: readonly SeedIssue[];
  constructor(
    field: string,
    message: string,
    options?: { readonly source?: string; readonly issues?: readonly SeedIssue[]; readonly cause?: unknown },
  ) {
    const issues = options?.issues ?? [{ field, message }];
    const more = issues.length > 1 ? ` (and ${issues.length - 1} more problem${issues.length > 2 ? 's' : ''})` : '';
    const location = [options?.source, field].filter((part) => part !== undefined && part !== '').join(': ');
    super(`${location === '' ? '' : `${location}: `}${message}${more}`, { cause: options?.cause });
    this.name = 'SeedError';
    this.field = field;
    this.issues = issues;
  }
}
