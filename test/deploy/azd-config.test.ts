/**
 * azure.yaml, its hooks, the GitHub workflows and the VS Code tasks parse, and every command they run
 * is a script of package.json (or a file of the repository); azd finds what it needs where it looks.
 */
import { access, readFile, readdir } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { REPO_ROOT } from '../scripts/run-command.js';

interface PackageJson {
  readonly scripts: Readonly<Record<string, string>>;
  readonly engines: { readonly node: string };
  readonly devEngines: { readonly runtime: { readonly name: string; readonly version: string } };
}

async function text(file: string): Promise<string> {
  return readFile(path.join(REPO_ROOT, file), 'utf8');
}

async function yamlFile(file: string): Promise<Record<string, unknown>> {
  const value: unknown = parse(await text(file), { strict: true, uniqueKeys: true });
  expect(value, file).toBeTypeOf('object');
  return value as Record<string, unknown>;
}

/** `npm run [-s] NAME` in a command line: the script names it calls. */
function npmScripts(command: string): string[] {
  return [...command.matchAll(/\bnpm run (?:-s )?([\w:-]+)/g)].map((match) => match[1] ?? '');
}

async function packageJson(): Promise<PackageJson> {
  return JSON.parse(await text('package.json')) as PackageJson;
}

describe('azd configuration', () => {
  it('azure.yaml: one function service built here (no remote build), deployed from the repository root', async () => {
    const azure = await yamlFile('azure.yaml');
    expect(azure.name).toBe('due-notifier');
    expect(azure.services).toEqual({
      api: { project: '.', language: 'ts', host: 'function', remoteBuild: false },
    });
    // azd's package step runs the build script; it must make what package.json main names.
    const pkg = await packageJson();
    expect(pkg.scripts.build).toContain('scripts/build.ts');
    expect(JSON.parse(await text('package.json'))).toMatchObject({ main: 'dist/main.cjs' });
  });

  it('the postprovision hook runs an npm script that exists, the same on every shell', async () => {
    const azure = await yamlFile('azure.yaml');
    const hooks = azure.hooks as Record<string, Record<string, { shell: string; run: string }>>;
    const postprovision = hooks.postprovision;
    expect(Object.keys(postprovision ?? {}).sort()).toEqual(['posix', 'windows']);
    const scripts = (await packageJson()).scripts;
    for (const [platform, hook] of Object.entries(postprovision ?? {})) {
      expect(npmScripts(hook.run), platform).toEqual(['azd:postprovision']);
      expect(['sh', 'pwsh']).toContain(hook.shell);
    }
    const script = scripts['azd:postprovision'] ?? '';
    const file = /tsx (\S+)/.exec(script)?.[1] ?? '';
    await expect(access(path.join(REPO_ROOT, file))).resolves.toBeUndefined();
  });

  it('azd pipeline config: the variables azure.yaml lists are the ones the deploy workflow reads', async () => {
    const azure = await yamlFile('azure.yaml');
    const variables = (azure.pipeline as { variables: string[] }).variables;
    const workflow = await yamlFile('.github/workflows/azure-dev.yml');
    const deploy = (workflow.jobs as Record<string, { env?: Record<string, string> }>).deploy;
    const env = deploy?.env ?? {};
    for (const name of [
      ...variables,
      'AZURE_CLIENT_ID',
      'AZURE_TENANT_ID',
      'AZURE_SUBSCRIPTION_ID',
      'AZURE_ENV_NAME',
    ]) {
      expect(env[name], name).toBe(`\${{ vars.${name} }}`);
    }
    // Every parameter azd maps from the environment that the pipeline must provide is a variable.
    const parameters = await text('infra/main.parameters.json');
    for (const [, name] of parameters.matchAll(/\$\{([A-Z_]+)\}/g)) {
      if (!['AZURE_ENV_NAME', 'AZURE_LOCATION', 'AZURE_PRINCIPAL_ID'].includes(name ?? '')) {
        expect(variables, name).toContain(name);
      }
    }
  });

  it('the deploy workflow signs in with OpenID Connect (no secret) after the tests, as azd pipeline config sets it up', async () => {
    const workflow = await yamlFile('.github/workflows/azure-dev.yml');
    expect(workflow.permissions).toEqual({ 'id-token': 'write', contents: 'read' });
    const jobs = workflow.jobs as Record<
      string,
      { needs?: string; uses?: string; environment?: string; steps?: { run?: string }[] }
    >;
    expect(jobs.test?.uses).toBe('./.github/workflows/ci.yml');
    expect(jobs.deploy?.needs).toBe('test');
    // azd pipeline config's federated credential is for the branch, not a GitHub environment.
    expect(jobs.deploy?.environment).toBeUndefined();
    const runs = (jobs.deploy?.steps ?? []).map((step) => step.run ?? '').join('\n');
    expect(runs).toContain('--federated-credential-provider "github"');
    // The postprovision hook needs the packages installed before azd provision runs it.
    expect(runs).toMatch(/npm ci[\s\S]*azd provision --no-prompt[\s\S]*azd deploy --no-prompt/);
    expect(await text('.github/workflows/azure-dev.yml')).not.toMatch(/secrets\./);
  });

  it('every workflow parses; the test workflow runs the CI script and can be called', async () => {
    const files = await readdir(path.join(REPO_ROOT, '.github/workflows'));
    expect(files.sort()).toEqual(['azure-dev.yml', 'ci.yml']);
    for (const file of files) await yamlFile(`.github/workflows/${file}`);
    const ci = await yamlFile('.github/workflows/ci.yml');
    expect(ci.on).toHaveProperty('workflow_call');
    const steps =
      (ci.jobs as Record<string, { steps: { run?: string; with?: Record<string, string> }[] }>).test?.steps ?? [];
    expect(steps.map((step) => step.run).filter(Boolean)).toEqual(['bash .ci/run']);
    expect(steps.find((step) => step.with?.['node-version-file'])?.with?.['node-version-file']).toBe('.nvmrc');
    await expect(access(path.join(REPO_ROOT, '.ci/run'))).resolves.toBeUndefined();
  });
});

describe('VS Code and the Node version', () => {
  it('F5 attaches to the Functions host, which starts after the build', async () => {
    const launch = JSON.parse(await text('.vscode/launch.json')) as {
      configurations: { request: string; port: number; preLaunchTask: string }[];
    };
    const tasks = JSON.parse(await text('.vscode/tasks.json')) as {
      tasks: { label: string; command: string; dependsOn?: string; type: string }[];
    };
    const attach = launch.configurations[0];
    expect(attach).toMatchObject({ request: 'attach', port: 9229 });
    const host = tasks.tasks.find((task) => task.label === attach?.preLaunchTask);
    expect(host).toMatchObject({ type: 'func', command: 'host start' });
    const build = tasks.tasks.find((task) => task.label === host?.dependsOn);
    expect(build?.command).toBe('npm run build');
    const scripts = (await packageJson()).scripts;
    for (const task of tasks.tasks)
      for (const name of npmScripts(task.command)) expect(scripts, name).toHaveProperty([name]);
    const extensions = JSON.parse(await text('.vscode/extensions.json')) as { recommendations: string[] };
    expect(extensions.recommendations).toContain('ms-azuretools.vscode-azurefunctions');
    // The Functions extension deploys what the build made (its pre-deploy task is the build task).
    const settings = JSON.parse(await text('.vscode/settings.json')) as Record<string, unknown>;
    expect(settings['azureFunctions.preDeployTask']).toBe(build?.label);
    expect(settings['azureFunctions.projectLanguageModel']).toBe(4);
  });

  it('.nvmrc, devEngines, engines and the function app agree on Node 22', async () => {
    const pkg = await packageJson();
    expect((await text('.nvmrc')).trim()).toBe('22');
    expect(pkg.devEngines.runtime).toMatchObject({ name: 'node', version: pkg.engines.node });
    expect(pkg.engines.node).toMatch(/^>=22\./);
    expect(await text('infra/app/function-app.bicep')).toMatch(/name: 'node'\n\s+version: '22'/);
  });
});
