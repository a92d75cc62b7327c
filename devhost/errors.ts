/** The local host's own failures, in the app's one error shape (shared/base/errors.ts). */
import { DueNotifierError } from '../shared/base/errors.js';
import type { DueNotifierErrorOptions } from '../shared/base/errors.js';

/** Failures of the local Functions host itself (not of the functions it runs). */
export type DevHostErrorCode =
  | 'EntryPointNotFound'
  | 'FunctionNotFound'
  | 'HostJsonInvalid'
  | 'SettingNotFound'
  | 'BindingNotSupported'
  | 'ProgrammingModelMissing'
  /** The app used the worker's `@azure/functions-core` as the real worker refuses (e.g. late registration). */
  | 'FunctionsCoreMisuse';

export function devHostError(
  code: DevHostErrorCode,
  message: string,
  options?: DueNotifierErrorOptions,
): DueNotifierError<DevHostErrorCode> {
  return new DueNotifierError(code, message, options);
}
