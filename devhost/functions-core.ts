/**
 * A stand-in for the Node.js worker's built-in `@azure/functions-core` module.
 *
 * In Azure the worker serves that module by wrapping `Module.prototype.require`, and `@azure/functions`
 * (a CommonJS bundle) asks for it lazily at its first registration. Serving the same object the same
 * way lets the local host receive every `registerFunction(metadata, callback)` call exactly as the
 * worker does, and the programming model that will build each invocation.
 *
 * `require` is process-wide state, so the fake is installed at most once per process and must be
 * installed before the first `app.*` registration: `@azure/functions` remembers the first answer
 * (and, without a core module, switches to "test mode" and discards registrations).
 */
import { devHostError } from './errors.js';
import Module from 'node:module';
import type {
  Disposable,
  FunctionCallback,
  FunctionMetadata,
  ProgrammingModel,
  RpcLogCategory,
  RpcLogLevel,
} from './core-types.js';

const CORE_MODULE_NAME = '@azure/functions-core';

/** One `registerFunction` call as the worker recorded it. */
export interface CapturedRegistration {
  readonly functionId: string;
  readonly metadata: FunctionMetadata;
  /**
   * What the host actually parses: each binding serialised with its name, as the worker's
   * `registerFunction` builds `RpcFunctionMetadata.rawBindings`.
   */
  readonly rawBindings: readonly string[];
  readonly callback: FunctionCallback;
}

export interface SystemLogRecord {
  readonly level: RpcLogLevel;
  readonly category: RpcLogCategory;
  readonly message: string;
}

export interface FunctionsCoreFake {
  /** Registrations in the order they were made. */
  readonly registrations: readonly CapturedRegistration[];
  /** The programming model `@azure/functions` set, once it registered anything. */
  readonly programmingModel: ProgrammingModel | undefined;
  /** Logs written through the core module outside invocations (`coreApi.log`). */
  readonly systemLogs: readonly SystemLogRecord[];
  /** Ends app start-up: like the worker, later registrations throw. */
  lockIndexing(): void;
  readonly indexingLocked: boolean;
}

let installed: FunctionsCoreFake | undefined;

/** Serves the fake core module to every later `require('@azure/functions-core')`; idempotent. */
export function installFunctionsCore(): FunctionsCoreFake {
  if (installed) {
    return installed;
  }
  const registrations: CapturedRegistration[] = [];
  const systemLogs: SystemLogRecord[] = [];
  let programmingModel: ProgrammingModel | undefined;
  let indexingLocked = false;

  const coreApi = {
    version: 'due-notifier-devhost',
    hostVersion: '4.0.0-devhost',
    registerFunction(metadata: FunctionMetadata, callback: FunctionCallback): Disposable {
      if (indexingLocked) {
        throw devHostError('FunctionsCoreMisuse', 'A function can only be registered during app startup.');
      }
      const functionId = metadata.functionId ?? metadata.name;
      if (registrations.some((registration) => registration.functionId === functionId)) {
        throw devHostError('FunctionsCoreMisuse', `A function with id "${functionId}" has already been registered.`);
      }
      const rawBindings = Object.entries(metadata.bindings).map(([name, binding]) =>
        JSON.stringify({ ...binding, name }),
      );
      registrations.push({ functionId, metadata, rawBindings, callback });
      return {
        dispose() {
          if (indexingLocked) {
            throw devHostError('FunctionsCoreMisuse', 'A function can only be disposed during app startup.');
          }
          const index = registrations.findIndex((registration) => registration.functionId === functionId);
          if (index >= 0) {
            registrations.splice(index, 1);
          }
        },
      };
    },
    setProgrammingModel(model: ProgrammingModel): void {
      programmingModel = model;
    },
    getProgrammingModel(): ProgrammingModel | undefined {
      return programmingModel;
    },
    registerHook(hookName: string): Disposable {
      throw devHostError('FunctionsCoreMisuse', `The local host does not run "${hookName}" hooks.`);
    },
    log(level: RpcLogLevel, category: RpcLogCategory, message: string): void {
      systemLogs.push({ level, category, message });
    },
  };

  const originalRequire = Module.prototype.require;
  Module.prototype.require = new Proxy(originalRequire, {
    apply(target, thisArg: unknown, argumentsList: unknown[]) {
      return argumentsList[0] === CORE_MODULE_NAME ? coreApi : Reflect.apply(target, thisArg, argumentsList);
    },
  });

  installed = {
    registrations,
    get programmingModel() {
      return programmingModel;
    },
    systemLogs,
    lockIndexing() {
      indexingLocked = true;
    },
    get indexingLocked() {
      return indexingLocked;
    },
  };
  return installed;
}
