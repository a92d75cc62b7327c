/**
 * `register`: reads what the directory and the vault hold, plans the steps to the registration the spec
 * describes, and (unless it is a dry run) applies them; the result says what was planned, how many
 * requests wrote to Graph and Key Vault, and the app settings the function app needs.
 */
import { isRecord } from '../shared/base/is-record.js';
import type { Logger } from '../shared/base/logger.js';
import type { TokenCredential } from '@azure/identity';
import { createAdminGraph } from './admin-graph.js';
import type { AdminGraph } from './admin-graph.js';
import { createAdminVault } from './admin-vault.js';
import type { AdminVault } from './admin-vault.js';
import { applyPlan } from './apply.js';
import { registrationSettings } from './app-settings.js';
import { readDirectoryState } from './directory-state.js';
import { describeStep, planRegistration } from './plan.js';
import { RegistrationError } from './errors.js';
import { specFromOptions } from './options.js';
import type { RegisterCommandOptions, RegistrationSpecDraft } from './options.js';
import type { RegistrationSpec } from './spec.js';

export interface RegisterOptions {
  readonly graph: AdminGraph;
  readonly vault?: AdminVault;
  readonly dryRun?: boolean;
  /** Told each step as it starts (not in a dry run). */
  readonly onStep?: (description: string) => void;
}

export interface RegisterResult {
  /** One line per step, in order; empty when the registration is already as asked. */
  readonly plan: readonly string[];
  readonly applied: boolean;
  /** Requests that wrote (POST, PATCH, PUT, DELETE), Graph and Key Vault together. */
  readonly writes: number;
  /** The app settings; absent in a dry run that would create the application. */
  readonly settings?: Readonly<Record<string, string>>;
}

export async function register(spec: RegistrationSpec, options: RegisterOptions): Promise<RegisterResult> {
  const { graph, vault } = options;
  const writesBefore = writeCount(graph, vault);
  const state = await readDirectoryState(spec, graph, vault);
  const plan = planRegistration(spec, state);
  const lines = plan.steps.map((step) => describeStep(step, spec));
  if (options.dryRun || plan.steps.length === 0) {
    const appId = state.application?.appId;
    return {
      plan: lines,
      applied: false,
      writes: writeCount(graph, vault) - writesBefore,
      ...(appId ? { settings: registrationSettings(spec, appId) } : {}),
    };
  }
  const registered = await applyPlan(spec, state, plan, {
    graph,
    ...(vault ? { vault } : {}),
    ...(options.onStep ? { onStep: options.onStep } : {}),
  });
  return {
    plan: lines,
    applied: true,
    writes: writeCount(graph, vault) - writesBefore,
    settings: registrationSettings(spec, registered.appId),
  };
}

function writeCount(graph: AdminGraph, vault: AdminVault | undefined): number {
  return graph.writes() + (vault?.writes() ?? 0);
}

/**
 * The spec with the managed identity's principal (object) id, the subject of its federated credential,
 * looked up in Graph when not given: a managed identity is a service principal whose appId is its client id.
 */
export async function completeSpec(draft: RegistrationSpecDraft, graph: AdminGraph): Promise<RegistrationSpec> {
  const { managedIdentity, ...rest } = draft;
  if (!managedIdentity) return rest;
  if (managedIdentity.principalId)
    return { ...rest, managedIdentity: { ...managedIdentity, principalId: managedIdentity.principalId } };
  const [sp] = await graph.list(
    `/servicePrincipals?$filter=appId eq '${managedIdentity.clientId}'&$select=id,appId,servicePrincipalType`,
  );
  if (!isRecord(sp) || typeof sp.id !== 'string') {
    throw new RegistrationError(
      'RegistrationInvalid',
      `No managed identity with client id ${managedIdentity.clientId} in tenant ${draft.tenantId}: check --managed-identity-client-id (the identity must be user-assigned and in the app's tenant), or pass --managed-identity-principal-id.`,
    );
  }
  return { ...rest, managedIdentity: { clientId: managedIdentity.clientId, principalId: sp.id } };
}

export interface Registration {
  readonly spec: RegistrationSpec;
  readonly graph: AdminGraph;
  readonly vault?: AdminVault;
  run(options?: Omit<RegisterOptions, 'graph' | 'vault'>): Promise<RegisterResult>;
}

/**
 * The registration the options and settings describe, with its Graph and Key Vault clients signed in
 * as the administrator whose sign-in is `credential`.
 */
export async function openRegistration(
  options: RegisterCommandOptions,
  settings: Readonly<Record<string, string | undefined>>,
  credential: TokenCredential,
  clientOptions: { readonly logger?: Logger; readonly pollIntervalMs?: number } = {},
): Promise<Registration> {
  const draft = specFromOptions(options, settings);
  const graph = createAdminGraph({
    baseUrl: draft.graphBaseUrl,
    credential,
    ...(clientOptions.logger ? { logger: clientOptions.logger } : {}),
  });
  const spec = await completeSpec(draft, graph);
  const vault = spec.keyVaultUrl
    ? createAdminVault({
        url: spec.keyVaultUrl,
        credential,
        ...(clientOptions.pollIntervalMs ? { pollIntervalMs: clientOptions.pollIntervalMs } : {}),
      })
    : undefined;
  return {
    spec,
    graph,
    ...(vault ? { vault } : {}),
    run: (runOptions = {}) => register(spec, { graph, ...(vault ? { vault } : {}), ...runOptions }),
  };
}
