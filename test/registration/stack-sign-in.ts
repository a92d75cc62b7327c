/** The registration's tests' view of the local stack: the administrator's sign-in, and the write requests the emulators served. */
import { ClientSecretCredential } from '@azure/identity';
import type { LocalStack } from '../../emulators/stack/stack.js';

/** The emulated tenant's administrator, as `npm run register` signs in against the local stack. */
export function adminSignIn(stack: LocalStack): ClientSecretCredential {
  const { operator } = stack;
  if (!operator) throw new Error('The seed has no operator apps');
  return new ClientSecretCredential(operator.tenantId, operator.admin.clientId, operator.admin.clientSecret, {
    authorityHost: operator.authorityHost,
    disableInstanceDiscovery: true,
  });
}

/** Requests that reached a Graph or Key Vault endpoint that writes (by route name). */
export function writeRequests(stack: LocalStack): number {
  const writes =
    /^(graph\.(create|update|delete|add|remove|assign|upsert)|keyvault\.(set|update|create|import|delete))/;
  return Object.entries(stack.counters.snapshot())
    .filter(([endpoint]) => writes.test(endpoint))
    .reduce((sum, [, count]) => sum + count, 0);
}
