/**
 * The local host's view of a loaded function app: its functions with their bindings, the invocations it
 * runs (timer, HTTP, queue) with their options, and their outcomes: logs, written outputs, the HTTP response.
 */
import type { AppSettings } from './app-settings.js';
import type { RpcLogCategory, RpcLogLevel, RpcRetryOptions } from './core-types.js';
import type { CapturedRegistration } from './functions-core.js';
import type { HostJson } from './host-json.js';

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
