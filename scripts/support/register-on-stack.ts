/**
 * The local stack's tenant administrator, as `npm run register` signs in against the stack: an operator
 * app with the directory and vault roles the registration needs. Used by `npm run demo -- --from-scratch`
 * and the registration's tests.
 */
import { ClientSecretCredential } from '@azure/identity';
import type { LocalStack } from '../../emulators/stack/stack.js';

/** The stack's tenant administrator (an operator app with the directory and vault roles register needs). */
export function operatorSignIn(stack: LocalStack, who: 'admin' | 'nonAdmin' = 'admin'): ClientSecretCredential {
  const signIn = stack.operator?.[who];
  if (!stack.operator || !signIn) throw new Error(`The local stack's seed has no ${who} operator app`);
  return new ClientSecretCredential(stack.operator.tenantId, signIn.clientId, signIn.clientSecret, {
    authorityHost: stack.operator.authorityHost,
    disableInstanceDiscovery: true,
  });
}
