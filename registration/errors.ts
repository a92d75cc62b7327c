/**
 * How the registration fails: one error class with a stable code, and messages that name the fix (the
 * role an administrator needs, the flag to pass), never a secret, a token or a key.
 */
import { DueNotifierError } from '../shared/base/errors.js';

export type RegistrationErrorCode =
  /** The signed-in account lacks a directory role or vault role: the message names it. */
  | 'RegistrationForbidden'
  /** Graph or Key Vault refused a request for another reason, or answered something unexpected. */
  | 'RegistrationFailed'
  /** The options cannot describe a registration (a missing vault, a tenant that is not a GUID). */
  | 'RegistrationInvalid'
  /** Graph's own service principal does not offer a permission the daemon needs. */
  | 'PermissionUnknown'
  /** Rotation was asked of a registration that has nothing to rotate, or is not there yet. */
  | 'RotationNotPossible';

export class RegistrationError extends DueNotifierError<RegistrationErrorCode> {}

/** Directory roles that allow each kind of write, least privileged first (Entra ID built-in roles). */
export const ROLE_NEEDED = {
  read: 'Application Administrator or Cloud Application Administrator (this account cannot even read the directory)',
  application: 'Application Administrator or Cloud Application Administrator',
  consent: 'Privileged Role Administrator (or Global Administrator): granting application permissions is admin consent',
  site: 'SharePoint Administrator (a grant on a site under Sites.Selected needs Sites.FullControl.All)',
  vault: 'Key Vault Secrets Officer and Key Vault Certificates Officer on the vault',
} as const;

export type RoleNeeded = keyof typeof ROLE_NEEDED;
