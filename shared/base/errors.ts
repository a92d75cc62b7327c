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

export class DueNotifierError extends Error {
  override readonly name: string = 'DueNotifierError';
  readonly code: DueNotifierErrorCode;

  constructor(code: DueNotifierErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.code = code;
  }
}

/** A setting is missing or malformed; `setting` names it. */
export class ConfigError extends DueNotifierError {
  override readonly name = 'ConfigError';
  readonly setting: string;

  constructor(setting: string, message: string) {
    super('ConfigInvalid', message);
    this.setting = setting;
  }
}
