/** How the commands report a failure: one line, `error <code>: <message>`, then a non-zero exit. */
export class CommandLineError extends Error {
  override readonly name = 'CommandLineError';
  readonly code = 'InvalidArguments';
}

export function failureLine(error: unknown): string {
  if (error instanceof Error) {
    const code = (error as { code?: unknown }).code;
    const message = error.message.replace(/\s+/g, ' ').trim();
    return `error ${typeof code === 'string' ? code : error.name}: ${message}`;
  }
  return `error: ${String(error)}`;
}
