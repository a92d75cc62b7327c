/**
 * `npm run register --credential certificate` from an empty tenant: the certificate is created in Key
 * Vault (self-signed, PEM) and its public part registered on the app; the daemon signs in with it (a
 * client assertion), sweeps and delivers; a second run writes nothing. With `--sites-selected` the app
 * gets Sites.Selected and a read grant on the obligations site only, which is enough for the sweep.
 */
import { describe, expect, it } from 'vitest';
import { openRegistration } from '../../registration/register.js';
import { operatorSignIn } from '../../scripts/support/register-on-stack.js';
import { useFunctionHost } from '../support/function-host.js';
import { useLocalStack } from '../support/stack.js';
import { registeredAppSettings, writeRequests } from './registration-support.js';

const stack = useLocalStack({ emptyTenant: true });
const host = useFunctionHost(stack);

describe('register --credential certificate on an empty tenant', () => {
  it('creates the certificate in the vault, registers its public part; the daemon runs with it; a rerun writes nothing', async () => {
    const registration = await openRegistration(
      { credential: 'certificate' },
      stack().settings,
      operatorSignIn(stack()),
      {
        pollIntervalMs: 50,
      },
    );
    const first = await registration.run();
    expect(first.plan.slice(-2)).toEqual([
      expect.stringMatching(
        /^create certificate 'due-notifier-client-certificate' in https:\/\/\S+ \(self-signed, 12 months, PEM; the vault has none\)$/,
      ),
      "add the public part of certificate 'due-notifier-client-certificate' to the app's keyCredentials",
    ]);
    expect(first.settings).toMatchObject({ CLIENT_CERTIFICATE_NAME: 'due-notifier-client-certificate' });
    expect(first.settings).not.toHaveProperty('CLIENT_SECRET_NAME');
    expect(stack().counters.get('graph.addPassword')).toBe(0);

    host().setSettings(registeredAppSettings(first.settings));
    host().restart();
    const assertionsBefore = stack().entra.presentedClientAssertions().length;
    expect((await host().fireTimer()).status).toBe('succeeded');
    expect(stack().entra.presentedClientAssertions().length).toBeGreaterThan(assertionsBefore);
    const delivery = await host().deliverQueued();
    expect(delivery.outcomes.length).toBeGreaterThan(0);
    expect(delivery.outcomes.every((outcome) => outcome.status === 'succeeded')).toBe(true);

    const before = writeRequests(stack());
    expect(await registration.run()).toMatchObject({ plan: [], writes: 0 });
    expect(writeRequests(stack())).toBe(before);
  });

  it('with --sites-selected: Sites.Selected and a read grant on the one site, and the sweep reads it', async () => {
    const registration = await openRegistration(
      {
        credential: 'certificate',
        name: 'due-notifier-selected',
        certificateName: 'selected-certificate',
        sitesSelected: true,
      },
      stack().settings,
      operatorSignIn(stack()),
      { pollIntervalMs: 50 },
    );
    const first = await registration.run();
    expect(first.plan).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^grant admin consent for Microsoft Graph Sites\.Selected /),
        `grant the app read access to site ${stack().settings.OBLIGATIONS_SITE_ID} (Sites.Selected)`,
      ]),
    );
    expect(first.plan.join('\n')).not.toContain('Sites.Read.All');
    host().setSettings(registeredAppSettings(first.settings));
    host().restart();
    expect((await host().fireTimer()).status).toBe('succeeded');
    expect(await registration.run()).toMatchObject({ plan: [], writes: 0 });
  });
});
