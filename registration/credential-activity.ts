/**
 * When a key of the app last signed in, from Entra ID's sign-in log as Graph beta serves it
 * (`GET /beta/auditLogs/signIns`, app-only sign-ins, AuditLog.Read.All): what rotation waits for before
 * it removes the old key. The log lags behind sign-ins by minutes in Azure; a tenant where it is
 * refused (no AuditLog.Read.All, or no Entra ID P1 licence) leaves the wait to the grace period.
 */
import { isRecord } from '../shared/base/is-record.js';
import type { AdminGraph } from './admin-graph.js';
import { RegistrationError } from './errors.js';
import type { KeyLastUsed } from './rotate.js';

/** `signInLog` is a Graph client on the beta endpoint (`…/beta`). */
export function credentialSignInActivity(signInLog: AdminGraph, onUnavailable?: (why: string) => void): KeyLastUsed {
  let available = true;
  return async (appId, keyId) => {
    if (!available) return undefined;
    // The key is matched here, not in $filter: the log filters reliably on appId and the event type only.
    const filter = `appId eq '${appId}' and signInEventTypes/any(t: t eq 'servicePrincipal')`;
    let signIns: readonly unknown[];
    try {
      signIns = await signInLog.list(`/auditLogs/signIns?$filter=${encodeURIComponent(filter)}&$top=100`);
    } catch (error) {
      if (!(error instanceof RegistrationError)) throw error;
      // Forbidden or not served: the log cannot tell, so the grace period decides.
      available = false;
      onUnavailable?.(error.message);
      return undefined;
    }
    for (const signIn of signIns) {
      // Newest first: the first sign-in with the key is its last use.
      if (!isRecord(signIn) || signIn.servicePrincipalCredentialKeyId !== keyId) continue;
      if (isRecord(signIn.status) && signIn.status.errorCode !== 0) continue;
      const at = signIn.createdDateTime;
      if (typeof at === 'string' && !Number.isNaN(Date.parse(at))) return new Date(at);
    }
    return undefined;
  };
}
