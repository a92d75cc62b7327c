/**
 * Contracts shared by the local Azure stack's modules (server, faults, services, stack).
 * The emulators never import production code (functions/, shared/) and production code never imports them.
 */
import type { IncomingHttpHeaders } from 'node:http';

/** The emulated services; each runs as its own loopback server. */
export type ServiceName = 'entra' | 'identity' | 'keyvault' | 'graph';

export interface EmulatorRequest {
  readonly method: string;
  /** Absolute URL as received, e.g. `https://127.0.0.1:53211/tenant/oauth2/v2.0/token`. */
  readonly url: URL;
  readonly headers: IncomingHttpHeaders;
  readonly body: Buffer;
  /** Values of the route's `:name` segments, URI-decoded. */
  readonly params: Readonly<Record<string, string>>;
}

export interface EmulatorResponse {
  readonly status: number;
  readonly headers?: Readonly<Record<string, string>>;
  /** A string or Buffer is sent as is; any other value is sent as JSON (`application/json; charset=utf-8`). */
  readonly body?: unknown;
}

export interface Route {
  /** Stable endpoint name used by request counters and fault rules, e.g. `entra.token`, `graph.listItems`. */
  readonly name: string;
  readonly method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
  /** Path with `:name` segments, e.g. `/:tenant/oauth2/v2.0/token`; a trailing slash on the request is ignored. */
  readonly path: string;
  handle(request: EmulatorRequest): EmulatorResponse | Promise<EmulatorResponse>;
}

/** A service as the server hosts it: its routes plus the service's own answers for what no route handles. */
export interface ServiceDefinition {
  readonly service: ServiceName;
  readonly routes: readonly Route[];
  /** The service's real "not found" answer for an unknown path (Graph: 400 BadRequest / 404; Entra: 404). */
  notFound(request: EmulatorRequest): EmulatorResponse;
  /** The service's real answer for a request that crashed its handler: never a dropped connection. */
  internalError(request: EmulatorRequest, error: unknown): EmulatorResponse;
}

/** Claims of an access token issued by the Entra ID emulator (app-only, v1.0 like Graph's). */
export interface AccessTokenClaims {
  readonly aud: string;
  readonly iss: string;
  readonly tid: string;
  /** Client id of the app (or managed identity) the token was issued to. */
  readonly appid: string;
  /** Object id of the service principal / managed identity. */
  readonly oid: string;
  readonly sub: string;
  readonly roles?: readonly string[];
  readonly idtyp: 'app';
  readonly ver: '1.0';
  readonly iat: number;
  readonly nbf: number;
  readonly exp: number;
  readonly uti: string;
}

export type TokenRejection = 'malformed' | 'signature' | 'expired' | 'not_yet_valid' | 'audience' | 'issuer';

export interface TokenVerifier {
  /** Verifies signature, issuer, `nbf`/`exp` and that `aud` is one of `audiences`. */
  verify(
    token: string,
    audiences: readonly string[],
  ): Promise<{ ok: true; claims: AccessTokenClaims } | { ok: false; reason: TokenRejection }>;
}

export type FaultAction =
  | { readonly type: 'latency'; readonly ms: number; readonly jitterMs?: number }
  | { readonly type: 'status'; readonly status: number; readonly retryAfter?: string }
  | { readonly type: 'reset' }
  | { readonly type: 'truncate' }
  /** The service does the work, then the connection drops before any answer (the client cannot know it was done). */
  | { readonly type: 'lostAnswer' };

/**
 * A fault applied to matching requests before (latency, status, reset) or while (truncate) the route answers.
 * Latency rules add up; of the other rules the first that matches wins.
 */
export interface FaultRule {
  readonly service?: ServiceName;
  /** Route name, e.g. `graph.listItems`. */
  readonly endpoint?: string;
  readonly method?: string;
  /** Regular expression (source) tested against the path and query of the request. */
  readonly path?: string;
  readonly action: FaultAction;
  /** Apply to the next `count` matching requests only, then expire. */
  readonly count?: number;
  /** Apply with this probability (0..1), drawn from a seeded generator so runs repeat. */
  readonly probability?: number;
}

export interface FaultController {
  add(rule: FaultRule): string;
  remove(id: string): void;
  clear(): void;
  list(): ReadonlyArray<FaultRule & { readonly id: string; readonly remaining?: number }>;
}

export interface RequestCounters {
  /** Requests that reached the endpoint (route name), faulted ones included. */
  get(endpoint: string): number;
  snapshot(): Readonly<Record<string, number>>;
  reset(): void;
}
