/**
 * `npm run register` on the local stack: the emulated tenant's administrator's sign-in, and the daemon's
 * settings after the registration (the stack's, with the registration's on top and the other credential
 * modes' settings taken out: the daemon refuses two credentials). Used by `npm run demo -- --from-scratch`
 * and the registration's tests.
 */
import { ClientSecretCredential } from '@azure/identity';
import type { LocalStack } from '../../emulators/stack/stack.js';

const CREDENTIAL_SETTINGS = [
  'CLIENT_SECRET_NAME',
  'CLIENT_CERTIFICATE_NAME',
  'CLIENT_CREDENTIAL',
  'MANAGED_IDENTITY_CLIENT_ID',
];

/** The stack's tenant administrator (an operator app with the directory and vault roles register needs). */
export function operatorSignIn(stack: LocalStack, who: 'admin' | 'nonAdmin' = 'admin'): ClientSecretCredential {
  const signIn = stack.operator?.[who];
  if (!stack.operator || !signIn) throw new Error(`The local stack's seed has no ${who} operator app`);
  return new ClientSecretCredential(stack.operator.tenantId, signIn.clientId, signIn.clientSecret, {
    authorityHost: stack.operator.authorityHost,
    disableInstanceDiscovery: true,
  });
}

export function daemonSettings(
  stackSettings: Readonly<Record<string, string>>,
  registered: Readonly<Record<string, string>>,
): Record<string, string> {
  const base = Object.fromEntries(
    Object.entries(stackSettings).filter(([name]) => !CREDENTIAL_SETTINGS.includes(name)),
  );
  return { ...base, ...registered };
}
