/**
 * What azd's postprovision hook does, with its side effects passed in: registers the app (`npm run
 * register`, secretless unless CLIENT_CREDENTIAL says otherwise) as whoever runs azd, then writes the
 * settings it printed into the azd environment (so that the next `azd provision` keeps them: see
 * infra/main.parameters.json) and into the function app (so that the first `azd up` works at once).
 */
import type { FunctionAppTarget } from './function-app-settings.js';
import { HookError, parseRegisterSettings, readHookEnvironment, registerArguments } from './register-step.js';

export interface HookSteps {
  /** A settings file with no settings, for register's `--settings`. */
  readonly emptySettingsFile: string;
  /** Runs `npm run -s register -- <args>` as whoever runs azd and resolves with its stdout. */
  runRegister(args: readonly string[]): Promise<string>;
  /** `azd env set NAME VALUE`. */
  setAzdValue(name: string, value: string): Promise<void>;
  /** Adds the settings to the function app; resolves with the names that changed. */
  mergeAppSettings(target: FunctionAppTarget, settings: Readonly<Record<string, string>>): Promise<string[]>;
  log(line: string): void;
}

export async function runPostprovision(
  env: Readonly<Record<string, string | undefined>>,
  steps: HookSteps,
): Promise<void> {
  const hook = readHookEnvironment(env);
  const clientId = env.ENTRA_CLIENT_ID?.trim() || undefined;
  // The pipeline's service principal has no Microsoft Graph rights: there the registration made once
  // by an administrator is kept (its ENTRA_CLIENT_ID is a repository variable).
  if (env.REGISTER_ON_PROVISION?.trim().toLowerCase() === 'false') {
    if (!clientId) {
      throw new HookError(
        'AzdEnvironmentIncomplete',
        'REGISTER_ON_PROVISION is false but ENTRA_CLIENT_ID is empty: run azd up once as an administrator (it registers the app), then azd pipeline config, which copies ENTRA_CLIENT_ID into the repository variables',
      );
    }
    steps.log(`The app registration is left as it is (REGISTER_ON_PROVISION=false): ENTRA_CLIENT_ID ${clientId}.`);
    return;
  }
  if (hook.registration === 'bicep') {
    steps.log(
      `The app registration is infra/app/registration.bicep's (REGISTRATION=bicep): ENTRA_CLIENT_ID ${clientId ?? '(not yet known)'} is already in the app settings.`,
    );
    return;
  }
  steps.log(`Registering the app (npm run register, credential: ${hook.credential}) ...`);
  const settings = parseRegisterSettings(await steps.runRegister(registerArguments(hook, steps.emptySettingsFile)));
  for (const [name, value] of Object.entries(settings)) await steps.setAzdValue(name, value);
  const target = {
    subscriptionId: hook.subscriptionId,
    resourceGroup: hook.resourceGroup,
    appName: hook.functionAppName,
  };
  const changed = await steps.mergeAppSettings(target, settings);
  steps.log(
    `azd environment: ${Object.keys(settings).join(', ')}. ${hook.functionAppName}: ${
      changed.length === 0 ? 'its settings were already these' : `set ${changed.join(', ')}`
    }.`,
  );
}
