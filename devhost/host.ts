/**
 * A local stand-in for the Azure Functions host + Node.js worker, for machines without Core Tools.
 *
 * It loads the app as the worker does (serving `@azure/functions-core`, importing every entry point,
 * then locking registration), and runs an invocation as the worker does: the programming model's
 * `getInvocationModel(coreContext)` -> `getArguments()` -> `invokeFunction()` -> `getResponse()`, with
 * RPC-shaped trigger data. Like the host, it writes output bindings only after the handler succeeded.
 * Not emulated: schedules (timers fire when asked), retry policies, hooks, function keys (Core Tools
 * does not check them either).
 */
import { randomUUID } from 'node:crypto';
import { glob } from 'node:fs/promises';
import path from 'node:path';
import { resolveBindingOptions } from './app-settings.js';
import type {
  CoreInvocationContext,
  ProgrammingModel,
  RpcInvocationRequest,
  RpcInvocationResponse,
  RpcParameterBinding,
  RpcTypedData,
} from './core-types.js';
import { loadEntryPoint } from './entry-point.js';
import { devHostError } from './errors.js';
import { installFunctionsCore } from './functions-core.js';
import type { CapturedRegistration } from './functions-core.js';
import { readHostJson } from './host-json.js';
import type {
  FunctionApp,
  HostBinding,
  HostFunction,
  InvocationLogRecord,
  InvocationOptions,
  InvocationOutcome,
  LoadFunctionAppOptions,
} from './host-types.js';
import { acceptsMethod } from './http-routes.js';
import { writeOutputs } from './output-bindings.js';
import { httpData, queueTriggerMetadata, requestUrl, timerInfoData, toHttpResponse } from './trigger-data.js';

/**
 * Loads the function app once per process: the worker's registration is process-wide, and an entry
 * point already imported does not register again.
 */
export async function loadFunctionApp(options: LoadFunctionAppOptions): Promise<FunctionApp> {
  const appRoot = path.resolve(options.appRoot ?? process.cwd());
  const core = installFunctionsCore();
  if (core.indexingLocked) {
    throw devHostError('ProgrammingModelMissing', 'The function app was already loaded in this process.');
  }
  const hostJson = await readHostJson(appRoot);
  for (const file of await resolveEntryPoints(appRoot, options.entryPoints)) {
    await loadEntryPoint(file);
  }
  core.lockIndexing();
  const programmingModel = requireProgrammingModel(core.programmingModel);
  const functions = core.registrations.map(toHostFunction);
  const lastTimerRuns = new Map<string, Date>();

  function getFunction(name: string): HostFunction {
    const found = functions.find((candidate) => candidate.name === name);
    if (!found) {
      throw devHostError('FunctionNotFound', `No function named '${name}' is registered.`);
    }
    return found;
  }

  async function invoke(
    fn: HostFunction,
    inputData: RpcParameterBinding[],
    invocationOptions: InvocationOptions,
    triggerMetadata: Record<string, RpcTypedData> = {},
  ): Promise<{ outcome: InvocationOutcome; response?: RpcInvocationResponse }> {
    const invocationId = invocationOptions.invocationId ?? randomUUID();
    const settings = invocationOptions.settings ?? options.settings ?? process.env;
    const logs: InvocationLogRecord[] = [];
    const base = { invocationId, functionName: fn.name, logs };
    const request: RpcInvocationRequest = { invocationId, functionId: fn.functionId, inputData, triggerMetadata };
    const coreContext: CoreInvocationContext = {
      invocationId,
      request,
      metadata: {
        name: fn.name,
        functionId: fn.functionId,
        bindings: { ...fn.registration.metadata.bindings },
        rawBindings: [...fn.registration.rawBindings],
        retryOptions: fn.retryOptions ?? null,
      },
      log(level, category, message) {
        const record = { invocationId, functionName: fn.name, level, category, message };
        logs.push(record);
        options.onLog?.(record);
      },
    };
    try {
      const model = await programmingModel.getInvocationModel(coreContext);
      const { context, inputs } = await model.getArguments();
      coreContext.state = 'invocation';
      let result: unknown;
      try {
        result = await model.invokeFunction(context, inputs, fn.registration.callback);
      } finally {
        coreContext.state = undefined;
      }
      const response = await model.getResponse(context, result);
      const outputs = await writeOutputs(fn, response.outputData ?? [], settings, hostJson);
      return { outcome: { ...base, status: 'succeeded', outputs }, response };
    } catch (error) {
      return { outcome: { ...base, status: 'failed', error } };
    }
  }

  return {
    functions,
    hostJson,
    getFunction,
    async invokeTimer(name, invocationOptions = {}) {
      const fn = getFunction(name);
      if (fn.trigger.type !== 'timerTrigger') {
        throw devHostError('BindingNotSupported', `Function '${name}' is not timer-triggered.`);
      }
      const settings = invocationOptions.settings ?? options.settings ?? process.env;
      const trigger = resolveBindingOptions(fn.trigger, settings);
      const now = new Date();
      const previousRun = lastTimerRuns.get(name) ?? null;
      const status = invocationOptions.scheduleStatus ?? { last: previousRun, next: now, lastUpdated: previousRun };
      lastTimerRuns.set(name, now);
      const timerInfo = timerInfoData(status, trigger.useMonitor !== false, invocationOptions.isPastDue ?? false);
      const { outcome } = await invoke(fn, [{ name: fn.trigger.name, data: timerInfo }], invocationOptions);
      return outcome;
    },
    async invokeHttp(name, httpRequest, invocationOptions = {}) {
      const fn = getFunction(name);
      if (fn.trigger.type !== 'httpTrigger') {
        throw devHostError('BindingNotSupported', `Function '${name}' is not HTTP-triggered.`);
      }
      const url = requestUrl(fn, httpRequest);
      if (!acceptsMethod(fn, httpRequest.method)) {
        return { status: 'notRouted', functionName: name, response: { status: 404, headers: {}, body: '' } };
      }
      const http = httpData(httpRequest, url);
      const { outcome, response } = await invoke(fn, [{ name: fn.trigger.name, data: { http } }], invocationOptions);
      if (outcome.status === 'failed' || !response) {
        return { ...outcome, response: { status: 500, headers: {}, body: '' } };
      }
      return { ...outcome, response: toHttpResponse(response.returnValue) };
    },
    async invokeQueue(name, messageText, invocationOptions = {}) {
      const fn = getFunction(name);
      if (fn.trigger.type !== 'queueTrigger') {
        throw devHostError('BindingNotSupported', `Function '${name}' is not queue-triggered.`);
      }
      const { outcome } = await invoke(
        fn,
        [{ name: fn.trigger.name, data: { string: messageText } }],
        invocationOptions,
        queueTriggerMetadata(messageText, invocationOptions),
      );
      return outcome;
    },
  };
}

function requireProgrammingModel(model: ProgrammingModel | undefined): ProgrammingModel {
  if (!model) {
    throw devHostError('ProgrammingModelMissing', 'The entry points registered no function through @azure/functions.');
  }
  return model;
}

async function resolveEntryPoints(appRoot: string, patterns: readonly string[]): Promise<string[]> {
  const files = new Set<string>();
  for (const pattern of patterns) {
    let matched = false;
    for await (const file of glob(pattern, { cwd: appRoot })) {
      files.add(path.resolve(appRoot, file));
      matched = true;
    }
    if (!matched) {
      throw devHostError('EntryPointNotFound', `No file matches the entry point '${pattern}' under ${appRoot}.`);
    }
  }
  return [...files].sort();
}

function toHostFunction(registration: CapturedRegistration): HostFunction {
  const bindings = registration.rawBindings.map((raw) => JSON.parse(raw) as HostBinding);
  const trigger = bindings.find((binding) => binding.direction === 'in' && /trigger$/i.test(binding.type));
  if (!trigger) {
    throw devHostError('BindingNotSupported', `Function '${registration.metadata.name}' has no trigger binding.`);
  }
  return {
    name: registration.metadata.name,
    functionId: registration.functionId,
    trigger,
    bindings,
    ...(registration.metadata.retryOptions ? { retryOptions: registration.metadata.retryOptions } : {}),
    registration,
  };
}
