/**
 * The daemon's error hierarchy: every failure the daemon reports carries a stable `code` and, where
 * it wraps another error, that error as `cause`. Messages say what failed and how to fix it; they
 * never contain a secret, key, assertion or token.
 */

export type DueNotifierErrorCode =
  | 'ConfigInvalid'
  | 'KeyVaultUnavailable'
  | 'KeyVaultAccessDenied'
  | 'KeyVaultSecretNotFound'
  | 'KeyVaultSecretDisabled'
  | 'KeyVaultSecretInvalid'
  | 'AuthenticationFailed'
  | 'EntraUnavailable'
  | 'GraphRequestFailed'
  | 'GraphAccessDenied'
  | 'GraphThrottled'
  | 'GraphUnavailable'
  | 'GraphResponseInvalid'
  | 'UntrustedGraphUrl'
  | 'RunTimeBudgetExceeded'
  | 'InvalidRequest';

export interface DueNotifierErrorOptions {
  /** The error this one wraps: what the caller's log shows after "caused by". */
  readonly cause?: unknown;
}

/**
 * The one error base of the app and its tooling (devhost, scripts, benchmarks). `Code` is the failure's
 * stable, machine-readable name; subclasses exist only where they add fields (ConfigError's `setting`,
 * MailError's `status`, ...), and take their `name` from their class.
 */
export class DueNotifierError<Code extends string = DueNotifierErrorCode> extends Error {
  readonly code: Code;

  constructor(code: Code, message: string, options: DueNotifierErrorOptions = {}) {
    super(message, options);
    this.code = code;
    // The concrete class's name; the deploy bundle keeps class names (esbuild keepNames).
    this.name = new.target.name;
  }
}

/**
 * `code: message` for our errors and for Node's and the Azure SDK's, which carry a string `code` too
 * (`ECONNRESET`, `SecretNotFound`); `name: message` for any other error.
 */
export function describeError(error: unknown): string {
  if (error instanceof DueNotifierError) {
    return `${error.code}: ${error.message}`;
  }
  if (!(error instanceof Error)) {
    return String(error);
  }
  const { code } = error as Error & { readonly code?: unknown };
  return `${typeof code === 'string' ? code : error.name}: ${error.message}`;
}

/** A setting is missing or malformed; `setting` names it. */
export class ConfigError extends DueNotifierError<'ConfigInvalid'> {
  readonly setting: string;

  constructor(setting: string, message: string) {
    super('ConfigInvalid', message);
    this.setting = setting;
  }
}
