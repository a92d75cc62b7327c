/** How the command lines fail: a one-line `error <code>: <message>`, never a stack trace. */
import { describeError, DueNotifierError } from '../../shared/base/errors.js';

/** A command line the command cannot run: wrong arguments, an unreadable settings file. */
export function commandLineError(
  message: string,
  options?: { readonly cause?: unknown },
): DueNotifierError<'InvalidArguments'> {
  return new DueNotifierError('InvalidArguments', message, options);
}

/** How the commands report a failure: one line, `error <code>: <message>`, then a non-zero exit. */
export function failureLine(error: unknown): string {
  return `error ${describeError(error).replace(/\s+/g, ' ').trim()}`;
}
