/** Failures of the local Functions host itself (not of the functions it runs). */
export type DevHostErrorCode =
  | 'EntryPointNotFound'
  | 'FunctionNotFound'
  | 'HostJsonInvalid'
  | 'SettingNotFound'
  | 'BindingNotSupported'
  | 'ProgrammingModelMissing';

export class DevHostError extends Error {
  override readonly name = 'DevHostError';
  readonly code: DevHostErrorCode;

  constructor(code: DevHostErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.code = code;
  }
}
