/**
 * The daemon's settings after `npm run register` on the local stack: the stack's, with the
 * registration's on top and the other credential modes' settings taken out (the daemon refuses two
 * credentials). Used by `npm run demo -- --from-scratch` and the registration's tests.
 */
const CREDENTIAL_SETTINGS = [
  'CLIENT_SECRET_NAME',
  'CLIENT_CERTIFICATE_NAME',
  'CLIENT_CREDENTIAL',
  'MANAGED_IDENTITY_CLIENT_ID',
];

export function daemonSettings(
  stackSettings: Readonly<Record<string, string>>,
  registered: Readonly<Record<string, string>>,
): Record<string, string> {
  const base = Object.fromEntries(
    Object.entries(stackSettings).filter(([name]) => !CREDENTIAL_SETTINGS.includes(name)),
  );
  return { ...base, ...registered };
}
