/**
 * The outbound HTTP core: a request passes through a list of policies, each a small middleware in the
 * manner of the Azure SDK's `PipelinePolicy { name, sendRequest(request, next) }`, and finally the
 * transport (node-fetch, in transport.ts). Every Graph read, sendMail and MSAL network call goes
 * through one of these pipelines; each client chooses its policies and their order.
 *
 * Why not `@azure/core-rest-pipeline` itself: its `PipelineRequest` has no place for the per-request
 * state our policies share (the run's deadline, the pause a request already waited for, attempts), so
 * that state would travel in side tables; and its header, body and agent types would leak into every
 * client. The contract is the same, in a few lines.
 */
import type { Agent } from 'node:https';

/** The app itself sends GET and POST; the registration (operator tooling) writes with PATCH and DELETE too. */
export type HttpMethod = 'GET' | 'POST' | 'PATCH' | 'DELETE';

/** One logical request; policies may change it between attempts (headers, agent). */
export interface HttpRequest {
  url: string;
  readonly method: HttpMethod;
  readonly headers: Record<string, string>;
  readonly body?: string;
  /** The caller's signal: ends the request, its waits and its retries with the caller's reason. */
  readonly abortSignal?: AbortSignal;
  /** Epoch ms after which no wait may end (the run's time budget): such a wait is not started. */
  readonly deadline?: number;
  /** Per-attempt timeout in ms; overrides the pipeline's when shorter. */
  readonly timeoutMs?: number;
  /** The current attempt's signal (the caller's and the timeout), set by the timeout policy. */
  attemptSignal?: AbortSignal;
  /** The connection agent of the next attempt (the mailer watches its own). */
  agent?: Agent;
  /** An answer whose body breaks off is still an answer (its status decides); default: a failure. */
  readonly tolerateBodyErrors?: boolean;
  /** Requests that went to the transport so far, retries included. */
  attempts: number;
  /** The end of the last shared throttle pause this request already waited for (throttle-policy.ts). */
  pauseWaitedUntil?: number;
}

export interface HttpResponse {
  readonly request: HttpRequest;
  readonly status: number;
  /** Lower-case names. */
  readonly headers: Readonly<Record<string, string>>;
  readonly bodyAsText: string;
}

export type SendRequest = (request: HttpRequest) => Promise<HttpResponse>;

export interface HttpPolicy {
  /** Unique within a pipeline; names a policy in stack traces and tests. */
  readonly name: string;
  sendRequest(request: HttpRequest, next: SendRequest): Promise<HttpResponse>;
}

/** What carries a request over the wire once every policy has had its say. */
export type HttpTransport = SendRequest;

export type NewHttpRequest = Omit<HttpRequest, 'attempts' | 'headers' | 'method'> & {
  readonly method?: HttpMethod;
  readonly headers?: Record<string, string>;
};

export function createHttpRequest(init: NewHttpRequest): HttpRequest {
  return { ...init, method: init.method ?? 'GET', headers: { ...init.headers }, attempts: 0 };
}

/** Runs `request` through `policies` (first = outermost), then `transport`. */
export function createPipeline(policies: readonly HttpPolicy[], transport: HttpTransport): SendRequest {
  const names = new Set(policies.map((policy) => policy.name));
  if (names.size !== policies.length) {
    throw new RangeError(`Policy names must be unique: ${policies.map((policy) => policy.name).join(', ')}.`);
  }
  return policies.reduceRight<SendRequest>((next, policy) => (request) => policy.sendRequest(request, next), transport);
}
