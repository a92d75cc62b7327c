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
import type { AppSettings } from './app-settings.js';
import type {
  CoreInvocationContext,
  ProgrammingModel,
  RpcHttpData,
  RpcInvocationRequest,
  RpcInvocationResponse,
  RpcLogCategory,
  RpcLogLevel,
  RpcParameterBinding,
  RpcRetryOptions,
  RpcTypedData,
} from './core-types.js';
import { loadEntryPoint } from './entry-point.js';
import { devHostError } from './errors.js';
import { installFunctionsCore } from './functions-core.js';
import type { CapturedRegistration } from './functions-core.js';
import { readHostJson } from './host-json.js';
import type { HostJson } from './host-json.js';
import { acceptsMethod, expandRoute } from './http-routes.js';
import { enqueueMessages, queueServiceClientFor } from './queue-storage.js';

/** A binding as the host parses it from `rawBindings`. */
export interface HostBinding {
  readonly name: string;
  readonly type: string;
  readonly direction: 'in' | 'out' | 'inout';
  readonly [option: string]: unknown;
}

export interface HostFunction {
  readonly name: string;
  readonly functionId: string;
  readonly trigger: HostBinding;
  readonly bindings: readonly HostBinding[];
  readonly retryOptions?: RpcRetryOptions;
  readonly registration: CapturedRegistration;
}

export interface InvocationLogRecord {
  readonly invocationId: string;
  readonly functionName: string;
  readonly level: RpcLogLevel;
  readonly category: RpcLogCategory;
  readonly message: string;
}

export interface WrittenOutput {
  readonly binding: string;
  readonly type: 'queue';
  readonly queueName: string;
  readonly messageCount: number;
}

interface OutcomeBase {
  readonly invocationId: string;
  readonly functionName: string;
  readonly logs: readonly InvocationLogRecord[];
}

/** Succeeded: outputs were written. Failed: the handler (or writing an output) threw; nothing more is written. */
export type InvocationOutcome =
  | (OutcomeBase & { readonly status: 'succeeded'; readonly outputs: readonly WrittenOutput[] })
  | (OutcomeBase & { readonly status: 'failed'; readonly error: unknown });

export interface HttpResponseData {
  readonly status: number;
  readonly headers: Readonly<Record<string, string>>;
  readonly body: string;
}

/**
 * Like the host: a failed HTTP invocation answers 500 with an empty body, and a request whose method
 * the function did not declare is not routed to it at all (404).
 */
export type HttpInvocationOutcome =
  | (InvocationOutcome & { readonly response: HttpResponseData })
  | { readonly status: 'notRouted'; readonly functionName: string; readonly response: HttpResponseData };

export interface InvocationOptions {
  readonly invocationId?: string;
  /** App settings for `%NAME%` references and connections; default: the app's settings. */
  readonly settings?: AppSettings;
}

export interface TimerInvocationOptions extends InvocationOptions {
  readonly isPastDue?: boolean;
  /** The monitor's status from before this run (null: never ran); default: this app's previous run of the function. */
  readonly scheduleStatus?: { readonly last: Date | null; readonly next: Date; readonly lastUpdated: Date | null };
}

export interface QueueInvocationOptions extends InvocationOptions {
  /** The queue message id; default a new UUID. */
  readonly messageId?: string;
  /** How many times the message has been dequeued, this time included; default 1. */
  readonly dequeueCount?: number;
  /** When the message was enqueued; default now. */
  readonly insertionTime?: Date;
  readonly popReceipt?: string;
}

export interface HttpInvocationRequest {
  readonly method: string;
  readonly headers?: Readonly<Record<string, string>>;
  readonly query?: Readonly<Record<string, string>>;
  /** Route parameters (`{id}` in the route); devhost/http-routes.ts finds them from a path. */
  readonly params?: Readonly<Record<string, string>>;
  readonly body?: string;
}

export interface FunctionApp {
  readonly functions: readonly HostFunction[];
  readonly hostJson: HostJson;
  getFunction(name: string): HostFunction;
  invokeTimer(name: string, options?: TimerInvocationOptions): Promise<InvocationOutcome>;
  invokeHttp(name: string, request: HttpInvocationRequest, options?: InvocationOptions): Promise<HttpInvocationOutcome>;
  /** Runs a queue-triggered function on one message text, with the trigger metadata the host passes. */
  invokeQueue(name: string, messageText: string, options?: QueueInvocationOptions): Promise<InvocationOutcome>;
}

export interface LoadFunctionAppOptions {
  /** Files or globs relative to `appRoot`, like package.json `main` (e.g. `dist/functions/*.js`). */
  readonly entryPoints: readonly string[];
  /** Folder with host.json; default: the current directory. */
  readonly appRoot?: string;
  /** App settings; default: the process environment (where the host puts them), read at each invocation. */
  readonly settings?: AppSettings;
  /** Receives each log line of an invocation as it is written. */
  readonly onLog?: (record: InvocationLogRecord) => void;
}

/** Host-style start-up local origin, for the URLs HTTP functions see. */
const LOCAL_HOST_ORIGIN = 'http://localhost:7071';
/** Storage queues keep a message 7 days by default. */
const QUEUE_MESSAGE_TIME_TO_LIVE_MS = 7 * 24 * 60 * 60 * 1000;
/** The queue listener keeps a message it is processing invisible for 10 minutes (renewed while it runs). */
const QUEUE_VISIBILITY_TIMEOUT_MS = 10 * 60 * 1000;
/** The host's "never run" instant in timer schedule status. */
const NEVER = '0001-01-01T00:00:00';

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
      // The host's TimerInfo, PascalCase as it serialises it; the programming model camel-cases it.
      const timerInfo = {
        Schedule: { AdjustForDST: true },
        ScheduleStatus:
          trigger.useMonitor === false
            ? null
            : {
                Last: isoOrNever(status.last),
                Next: isoOrNever(status.next),
                LastUpdated: isoOrNever(status.lastUpdated),
              },
        IsPastDue: invocationOptions.isPastDue ?? false,
      };
      const { outcome } = await invoke(
        fn,
        [{ name: fn.trigger.name, data: { json: JSON.stringify(timerInfo) } }],
        invocationOptions,
      );
      return outcome;
    },
    async invokeHttp(name, httpRequest, invocationOptions = {}) {
      const fn = getFunction(name);
      if (fn.trigger.type !== 'httpTrigger') {
        throw devHostError('BindingNotSupported', `Function '${name}' is not HTTP-triggered.`);
      }
      const url = new URL(expandRoute(fn, httpRequest.params ?? {}), LOCAL_HOST_ORIGIN);
      for (const [key, value] of Object.entries(httpRequest.query ?? {})) {
        url.searchParams.set(key, value);
      }
      if (!acceptsMethod(fn, httpRequest.method)) {
        return { status: 'notRouted', functionName: name, response: { status: 404, headers: {}, body: '' } };
      }
      const http: RpcHttpData = {
        method: httpRequest.method.toUpperCase(),
        url: url.href,
        headers: lowerCaseKeys(httpRequest.headers ?? {}),
        query: { ...httpRequest.query },
        params: { ...httpRequest.params },
        body: httpRequest.body === undefined ? null : { string: httpRequest.body },
      };
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
      const insertionTime = invocationOptions.insertionTime ?? new Date();
      const instant = (date: Date): RpcTypedData => ({ json: JSON.stringify(date.toISOString()) });
      // The Storage extension's binding data, PascalCase; the programming model camel-cases it.
      const triggerMetadata: Record<string, RpcTypedData> = {
        QueueTrigger: { string: messageText },
        Id: { string: invocationOptions.messageId ?? randomUUID() },
        DequeueCount: { int: invocationOptions.dequeueCount ?? 1 },
        InsertionTime: instant(insertionTime),
        ExpirationTime: instant(new Date(insertionTime.getTime() + QUEUE_MESSAGE_TIME_TO_LIVE_MS)),
        NextVisibleTime: instant(new Date(Date.now() + QUEUE_VISIBILITY_TIMEOUT_MS)),
        PopReceipt: { string: invocationOptions.popReceipt ?? randomUUID() },
      };
      const { outcome } = await invoke(
        fn,
        [{ name: fn.trigger.name, data: { string: messageText } }],
        invocationOptions,
        triggerMetadata,
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

/** Writes each output binding's value the way the host's bindings do; only queue outputs are supported. */
async function writeOutputs(
  fn: HostFunction,
  outputData: readonly RpcParameterBinding[],
  settings: AppSettings,
  hostJson: HostJson,
): Promise<WrittenOutput[]> {
  const written: WrittenOutput[] = [];
  for (const output of outputData) {
    const binding = fn.bindings.find((candidate) => candidate.name === output.name);
    if (!binding) {
      throw devHostError(
        'BindingNotSupported',
        `Function '${fn.name}' returned data for an unknown binding '${String(output.name)}'.`,
      );
    }
    if (binding.type !== 'queue') {
      throw devHostError('BindingNotSupported', `The local host cannot write '${binding.type}' output bindings.`);
    }
    const resolved = resolveBindingOptions(binding, settings);
    const queueName = String(resolved.queueName);
    const connection = String(resolved.connection ?? 'AzureWebJobsStorage');
    const messages = queueMessagesFrom(output.data);
    const queue = queueServiceClientFor(connection, settings).getQueueClient(queueName);
    await enqueueMessages(queue, messages, { encoding: hostJson.queueMessageEncoding });
    written.push({ binding: binding.name, type: 'queue', queueName, messageCount: messages.length });
  }
  return written;
}

/** An array is one message per element; anything else is one message. Objects are sent as JSON text. */
function queueMessagesFrom(data: RpcTypedData | null | undefined): string[] {
  if (!data) {
    return [];
  }
  const value: unknown = data.json !== undefined && data.json !== null ? JSON.parse(data.json) : typedDataValue(data);
  const items = Array.isArray(value) ? value : [value];
  return items.map((item: unknown) => (typeof item === 'string' ? item : JSON.stringify(item)));
}

function typedDataValue(data: RpcTypedData): unknown {
  if (typeof data.string === 'string') {
    return data.string;
  }
  if (data.bytes) {
    return Buffer.from(data.bytes).toString('utf8');
  }
  if (data.collectionString?.string) {
    return data.collectionString.string;
  }
  return data.int ?? data.double ?? null;
}

function toHttpResponse(returnValue: RpcTypedData | null | undefined): HttpResponseData {
  const http = returnValue?.http;
  if (!http) {
    // The handler returned no response: answered as an empty 204.
    return { status: 204, headers: {}, body: '' };
  }
  const body = http.body?.bytes ? Buffer.from(http.body.bytes).toString('utf8') : (http.body?.string ?? '');
  return { status: Number(http.statusCode ?? 200), headers: lowerCaseKeys(http.headers ?? {}), body };
}

function lowerCaseKeys(headers: Readonly<Record<string, string>>): Record<string, string> {
  return Object.fromEntries(Object.entries(headers).map(([key, value]) => [key.toLowerCase(), value]));
}

function isoOrNever(instant: Date | null): string {
  return instant ? instant.toISOString() : NEVER;
}
