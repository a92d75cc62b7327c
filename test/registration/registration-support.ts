/** What the registration's tests share: the write requests the stack served, and the app settings a registration gives the daemon. */
import { CREDENTIAL_SETTING_NAMES } from '../../registration/app-settings.js';
import type { LocalStack } from '../../emulators/stack/stack.js';

/** Requests that reached a Graph or Key Vault endpoint that writes (by route name). */
export function writeRequests(stack: LocalStack): number {
  const writes =
    /^(graph\.(create|update|delete|add|remove|assign|upsert)|keyvault\.(set|update|create|import|delete))/;
  return Object.entries(stack.counters.snapshot())
    .filter(([endpoint]) => writes.test(endpoint))
    .reduce((sum, [, count]) => sum + count, 0);
}

/** For FunctionHost.setSettings: the registration's settings, and the other credential modes' unset. */
export function registeredAppSettings(
  registered: Readonly<Record<string, string>> = {},
): Record<string, string | undefined> {
  return { ...Object.fromEntries(CREDENTIAL_SETTING_NAMES.map((name) => [name, undefined])), ...registered };
}
