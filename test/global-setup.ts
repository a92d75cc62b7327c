/**
 * Runs once in the main vitest process, before any worker starts: creates (or reuses) the local CA and
 * exports NODE_EXTRA_CA_CERTS, which Node reads only at process start. vitest forks its workers with a
 * copy of this process's environment taken after the global setup, so every worker trusts the CA.
 */
import { ensureLocalCa } from '../emulators/stack/tls.js';

export default async function setup(): Promise<void> {
  const { caCertPath } = await ensureLocalCa();
  process.env.NODE_EXTRA_CA_CERTS = caCertPath;
}
