/**
 * `npm run register` (secret mode) from an empty tenant on the local stack, signed in as the emulated
 * tenant's administrator: the dry run's plan, the registration, the daemon then getting a token and
 * running its sweep and deliveries with what was registered, and a second run that writes nothing
 * (counted at the emulators). A non-admin gets one line naming the role it lacks.
 */
import { describe, expect, it } from 'vitest';
import { RegistrationError } from '../../registration/errors.js';
import { openRegistration } from '../../registration/register.js';
import { operatorSignIn } from '../../scripts/support/register-on-stack.js';
import { useFunctionHost } from '../support/function-host.js';
import { useLocalStack } from '../support/stack.js';
import { registeredAppSettings, writeRequests } from './registration-support.js';

const stack = useLocalStack({ emptyTenant: true });
const host = useFunctionHost(stack);

describe('register --credential secret on an empty tenant', () => {
  it('plans every step in a dry run and writes nothing', async () => {
    const registration = await openRegistration({ credential: 'secret' }, stack().settings, operatorSignIn(stack()));
    const before = writeRequests(stack());
    const result = await registration.run({ dryRun: true });
    expect(result.applied).toBe(false);
    expect(result.plan).toEqual([
      expect.stringMatching(
        /^create application 'due-notifier' \(uniqueName due-notifier, AzureADMyOrg, no redirect URI, Graph application permissions Sites\.Read\.All, Mail\.Send\)$/,
      ),
      'create its service principal (the enterprise application)',
      expect.stringMatching(
        /^grant admin consent for Microsoft Graph Sites\.Read\.All \(application permission, app role 332a536c-c7ef-4017-ab91-336970924f0d\)$/,
      ),
      expect.stringMatching(
        /^grant admin consent for Microsoft Graph Mail\.Send \(application permission, app role b633e1c5-b582-4048-a93e-9f11b44c7e96\)$/,
      ),
      expect.stringMatching(
        /^add a client secret \(expires in 180 days\) and store it as a new version of secret '.+' in https:\/\/.+ \(the vault has none\)$/,
      ),
    ]);
    expect(result.writes).toBe(0);
    expect(writeRequests(stack())).toBe(before);
  });

  it('registers; the daemon gets a token, sweeps and delivers; a second run writes nothing', async () => {
    const registration = await openRegistration({ credential: 'secret' }, stack().settings, operatorSignIn(stack()));
    const steps: string[] = [];
    const first = await registration.run({ onStep: (line) => steps.push(line) });
    expect(first.applied).toBe(true);
    expect(steps).toHaveLength(5);
    expect(first.writes).toBe(6);
    const settings = first.settings ?? {};
    expect(Object.keys(settings).sort()).toEqual(
      [
        'CLIENT_CREDENTIAL',
        'CLIENT_SECRET_NAME',
        'ENTRA_AUTHORITY_HOST',
        'ENTRA_CLIENT_ID',
        'ENTRA_TENANT_ID',
        'GRAPH_BASE_URL',
        'KEY_VAULT_URL',
        'OBLIGATIONS_SITE_ID',
      ].sort(),
    );
    // The secret went to the vault with its expiry, and nowhere else.
    const stored = await registration.vault?.readSecret(settings.CLIENT_SECRET_NAME ?? '');
    expect(stored?.expiresOn?.getTime()).toBeGreaterThan(Date.now() + 179 * 86_400_000);
    expect(JSON.stringify(first)).not.toMatch(/secretText/);

    host().setSettings(registeredAppSettings(settings));
    host().restart();
    const run = await host().fireTimer();
    expect(run.status).toBe('succeeded');
    const delivery = await host().deliverQueued();
    expect(delivery.outcomes.length).toBeGreaterThan(0);
    expect(delivery.outcomes.every((outcome) => outcome.status === 'succeeded')).toBe(true);
    expect(host().mailedReminderIds().length).toBe(delivery.outcomes.length);

    const before = writeRequests(stack());
    const second = await registration.run();
    expect(second).toMatchObject({ plan: [], applied: false, writes: 0, settings });
    expect(writeRequests(stack())).toBe(before);
  });

  it('without consent a run fails naming the permission and npm run register; a rerun grants it again', async () => {
    const registration = await openRegistration({ credential: 'secret' }, stack().settings, operatorSignIn(stack()));
    const { graph } = registration;
    const [app] = await graph.list("/applications?$filter=uniqueName eq 'due-notifier'");
    const appId = (app as { appId: string }).appId;
    const [sp] = await graph.list(`/servicePrincipals?$filter=appId eq '${appId}'`);
    const assignments = await graph.list(`/servicePrincipals/${(sp as { id: string }).id}/appRoleAssignments`);
    const sitesReadAll = (assignments as { id: string; resourceId: string; appRoleId: string }[]).find(
      (assignment) => assignment.appRoleId === '332a536c-c7ef-4017-ab91-336970924f0d',
    );
    if (!sitesReadAll) throw new Error('The registration has no Sites.Read.All assignment');
    await graph.write(
      'DELETE',
      `/servicePrincipals/${sitesReadAll.resourceId}/appRoleAssignedTo/${sitesReadAll.id}`,
      undefined,
      {
        role: 'consent',
      },
    );

    const settings = (await registration.run({ dryRun: true })).settings ?? {};
    host().setSettings(registeredAppSettings(settings));
    host().restart();
    const denied = await host().fireTimer();
    expect(denied.status).toBe('failed');
    const message = denied.status === 'failed' ? String((denied.error as Error).message) : '';
    expect(message).toContain('the token lacks the application permission Sites.Read.All');
    expect(message).toContain('Fix: run npm run register, which requests it and grants admin consent');

    const repair = await registration.run();
    expect(repair.plan).toEqual([expect.stringMatching(/^grant admin consent for Microsoft Graph Sites\.Read\.All /)]);
    host().restart();
    expect((await host().fireTimer()).status).toBe('succeeded');
  });

  it('tells a non-admin in one line which role it lacks', async () => {
    const credential = operatorSignIn(stack(), 'nonAdmin');
    const registration = await openRegistration(
      { credential: 'secret', name: 'not-allowed' },
      stack().settings,
      credential,
    );
    const failure = await registration.run().catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(RegistrationError);
    expect((failure as RegistrationError).code).toBe('RegistrationForbidden');
    expect((failure as RegistrationError).message).toMatch(
      /^Graph refused GET \/servicePrincipals \(403 Authorization_RequestDenied\): the signed-in account lacks the role\. Sign in as Application Administrator or Cloud Application Administrator \(this account cannot even read the directory\), or ask one to run `npm run register`\.$/,
    );
    expect((failure as RegistrationError).message).not.toContain('\n');
  });
});
