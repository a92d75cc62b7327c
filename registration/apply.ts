/**
 * Runs a plan (plan.ts) against Graph and Key Vault, step by step, in the plan's order: each step uses
 * the ids the earlier ones created. A client secret goes from Graph's `addPassword` answer straight into
 * Key Vault (with `expires`) and nowhere else; if the vault refuses it, the password is removed again.
 * Directory writes right after a creation are retried while Entra ID replicates the new object.
 */
import { isRecord } from '../shared/base/is-record.js';
import { abortableSleep } from '../shared/http/retry.js';
import type { AdminGraph } from './admin-graph.js';
import type { AdminVault } from './admin-vault.js';
import { addClientSecret, newKeyCredential, readKeyCredentials, writeKeyCredentials } from './app-credentials.js';
import type { DirectoryState } from './directory-state.js';
import { RegistrationError } from './errors.js';
import { applicationBody, describeStep } from './plan.js';
import type { Plan, Step } from './plan.js';
import { federatedCredentialIssuer, federatedCredentialName, TOKEN_EXCHANGE_AUDIENCE } from './spec.js';
import type { RegistrationSpec } from './spec.js';

export interface Registered {
  /** The application's object id. */
  readonly applicationId: string;
  /** The application (client) id: ENTRA_CLIENT_ID. */
  readonly appId: string;
  readonly servicePrincipalId: string;
}

export interface ApplyOptions {
  readonly graph: AdminGraph;
  readonly vault?: AdminVault;
  /** Told each step as it starts. */
  readonly onStep?: (description: string) => void;
  /** Waits between retries while a new object replicates; default 2 s, 4 s, … */
  readonly replicationDelayMs?: number;
}

const REPLICATION_ATTEMPTS = 6;
/** Graph's answers while a just-created object has not reached every replica. */
const NOT_YET_REPLICATED =
  /\((400|404) (Request_ResourceNotFound|Request_BadRequest|ResourceNotFound|itemNotFound|NotFound)\)/;

export async function applyPlan(
  spec: RegistrationSpec,
  state: DirectoryState,
  plan: Plan,
  options: ApplyOptions,
): Promise<Registered> {
  const { graph } = options;
  let applicationId = state.application?.id;
  let appId = state.application?.appId;
  let servicePrincipalId = state.servicePrincipalId;
  let certificate = state.certificate;
  let created = false;

  const replicated = async <T>(write: () => Promise<T>): Promise<T> => {
    for (let attempt = 1; ; attempt += 1) {
      try {
        return await write();
      } catch (error) {
        const retry =
          created &&
          attempt < REPLICATION_ATTEMPTS &&
          error instanceof RegistrationError &&
          NOT_YET_REPLICATED.test(error.message);
        if (!retry) throw error;
        await abortableSleep((options.replicationDelayMs ?? 2000) * 2 ** (attempt - 1));
      }
    }
  };
  const ids = (): { applicationId: string; appId: string } => {
    if (!applicationId || !appId)
      throw new RegistrationError('RegistrationFailed', 'The application does not exist yet.');
    return { applicationId, appId };
  };
  const vault = (): AdminVault => {
    if (!options.vault)
      throw new RegistrationError(
        'RegistrationInvalid',
        `The ${spec.credential} mode needs a vault: pass --key-vault-url.`,
      );
    return options.vault;
  };

  for (const step of plan.steps) {
    options.onStep?.(describeStep(step, spec));
    switch (step.kind) {
      case 'createApplication': {
        const app = await graph.write(
          'PATCH',
          `/applications(uniqueName='${encodeURIComponent(spec.uniqueName)}')`,
          applicationBody(spec, Object.values(plan.appRoleIds)),
          { role: 'application', headers: { Prefer: 'create-if-missing' } },
        );
        if (!isRecord(app) || typeof app.id !== 'string' || typeof app.appId !== 'string') {
          throw new RegistrationError(
            'RegistrationFailed',
            'Graph created the application but did not return its ids.',
          );
        }
        applicationId = app.id;
        appId = app.appId;
        created = true;
        break;
      }
      case 'updateApplication':
        await graph.write(
          'PATCH',
          `/applications/${ids().applicationId}`,
          applicationBody(spec, Object.values(plan.appRoleIds), state.application?.requiredResourceAccess),
          { role: 'application' },
        );
        break;
      case 'createServicePrincipal': {
        const sp = await replicated(() =>
          graph.write('POST', '/servicePrincipals', { appId: ids().appId }, { role: 'application' }),
        );
        if (!isRecord(sp) || typeof sp.id !== 'string') {
          throw new RegistrationError(
            'RegistrationFailed',
            'Graph created the service principal but did not return its id.',
          );
        }
        servicePrincipalId = sp.id;
        created = true;
        break;
      }
      case 'grantAppRole': {
        const principalId = servicePrincipalId;
        await replicated(() =>
          graph.write(
            'POST',
            `/servicePrincipals/${state.graph.id}/appRoleAssignedTo`,
            { principalId, resourceId: state.graph.id, appRoleId: step.appRoleId },
            { role: 'consent' },
          ),
        );
        break;
      }
      case 'grantSite':
        await replicated(() =>
          graph.write(
            'POST',
            `/sites/${step.siteId}/permissions`,
            {
              roles: ['read'],
              grantedToIdentities: [{ application: { id: ids().appId, displayName: spec.displayName } }],
            },
            { role: 'site' },
          ),
        );
        break;
      case 'addClientSecret':
        await addClientSecret(spec, graph, vault(), ids().applicationId);
        break;
      case 'createCertificate':
        certificate = await vault().createCertificate(spec.certificateName, `CN=${spec.uniqueName}`);
        break;
      case 'registerCertificate': {
        if (!certificate)
          throw new RegistrationError(
            'RegistrationFailed',
            `Certificate '${spec.certificateName}' is not in the vault.`,
          );
        const current = await readKeyCredentials(graph, ids().applicationId);
        await writeKeyCredentials(graph, ids().applicationId, [...current, newKeyCredential(spec, certificate)]);
        break;
      }
      case 'createFederatedCredential':
        await replicated(() =>
          graph.write(
            'POST',
            `/applications/${ids().applicationId}/federatedIdentityCredentials`,
            {
              name: federatedCredentialName(spec),
              description: `The function app's managed identity ${spec.managedIdentity?.clientId}`,
              ...federatedCredentialTarget(spec),
            },
            { role: 'application' },
          ),
        );
        break;
      case 'updateFederatedCredential':
        await graph.write(
          'PATCH',
          `/applications/${ids().applicationId}/federatedIdentityCredentials/${step.id}`,
          federatedCredentialTarget(spec),
          { role: 'application' },
        );
        break;
      default:
        throw unreachable(step);
    }
  }
  if (!servicePrincipalId)
    throw new RegistrationError('RegistrationFailed', 'The application has no service principal.');
  return { ...ids(), servicePrincipalId };
}

function federatedCredentialTarget(spec: RegistrationSpec): Record<string, unknown> {
  if (!spec.managedIdentity) {
    throw new RegistrationError(
      'RegistrationInvalid',
      'The managed-identity mode needs the identity: pass --managed-identity-client-id.',
    );
  }
  return {
    issuer: federatedCredentialIssuer(spec),
    subject: spec.managedIdentity.principalId,
    audiences: [TOKEN_EXCHANGE_AUDIENCE],
  };
}

function unreachable(step: never): Error {
  return new RegistrationError('RegistrationFailed', `Unknown step ${JSON.stringify(step as Step)}.`);
}
