/** The write requests the local stack's Graph and Key Vault served (by route name), for the registration's tests. */
import type { LocalStack } from '../../emulators/stack/stack.js';

export function writeRequests(stack: LocalStack): number {
  const writes =
    /^(graph\.(create|update|delete|add|remove|assign|upsert)|keyvault\.(set|update|create|import|delete))/;
  return Object.entries(stack.counters.snapshot())
    .filter(([endpoint]) => writes.test(endpoint))
    .reduce((sum, [, count]) => sum + count, 0);
}
