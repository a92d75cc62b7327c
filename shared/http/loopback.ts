/** Whether a host is this machine: what the local stack and Azurite run on, and nothing in Azure. */
import { isIPv4 } from 'node:net';

/** `localhost`, 127.0.0.0/8 and ::1 (bracketed or not, any case). */
export function isLoopbackHost(hostname: string): boolean {
  const host = hostname.replace(/^\[|\]$/g, '').toLowerCase();
  return host === 'localhost' || host === '::1' || (isIPv4(host) && host.startsWith('127.'));
}
