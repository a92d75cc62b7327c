/**
 * The logging seam: the Functions `InvocationContext` satisfies it, so handlers pass their context and
 * the CLI passes a stderr logger. Messages must never contain secrets, tokens or e-mail addresses.
 */
export interface Logger {
  info(message: string): void;
  warn(message: string): void;
  error(message: string): void;
}
