/**
 * When a key of the app last signed in, from Graph's application credential activity report
 * (`GET /beta/reports/appCredentialSignInActivities`, AuditLog.Read.All or Reports Reader): what
 * rotation waits for before it removes the old key. The report is in beta and lags behind sign-ins
 * (hours, in Azure), so a tenant where it is refused or absent leaves the wait to the grace period.
 */
import { isRecord } from '../shared/base/is-record.js';
import type { AdminGraph } from './admin-graph.js';
import { RegistrationError } from './errors.js';
import type { KeyLastUsed } from './rotate.js';

/** `reports` is a Graph client on the beta endpoint (`…/beta`). */
export function credentialSignInActivity(reports: AdminGraph, onUnavailable?: (why: string) => void): KeyLastUsed {
  let available = true;
  return async (appId, keyId) => {
    if (!available) return undefined;
    let activities: readonly unknown[];
    try {
      activities = await reports.list(`/reports/appCredentialSignInActivities?$filter=appId eq '${appId}'`);
    } catch (error) {
      if (!(error instanceof RegistrationError)) throw error;
      // Forbidden or not served: the report cannot tell, so the grace period decides.
      available = false;
      onUnavailable?.(error.message);
      return undefined;
    }
    for (const activity of activities) {
      if (!isRecord(activity) || activity.keyId !== keyId || !isRecord(activity.signInActivity)) continue;
      const last = activity.signInActivity.lastSignInDateTime;
      if (typeof last === 'string' && !Number.isNaN(Date.parse(last))) return new Date(last);
    }
    return undefined;
  };
}
