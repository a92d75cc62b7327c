/**
 * HTTP routes as the Functions host matches them: a function's `route` (default: its name) under
 * `/api/`, where a `{name}` segment is a route parameter (`{name?}` an optional last one) that the
 * function reads as `request.params.name`. A request goes to the function whose route and methods
 * match, literal segments winning over parameters; no match is the host's 404.
 */
import type {
  FunctionApp,
  HostFunction,
  HttpInvocationOutcome,
  HttpInvocationRequest,
  InvocationOptions,
} from './host-types.js';
import { devHostError } from './errors.js';

const API_PREFIX = '/api/';
const PARAMETER = /^\{([A-Za-z_][A-Za-z0-9_]*)(\?)?\}$/;

type Segment =
  | { readonly kind: 'literal'; readonly text: string }
  | { readonly kind: 'parameter'; readonly name: string; readonly optional: boolean };

/** The segments of a route template; a segment with braces the local host cannot read is refused. */
function segmentsOf(route: string): Segment[] {
  return route
    .split('/')
    .filter((segment) => segment !== '')
    .map((segment) => {
      const parameter = PARAMETER.exec(segment);
      if (parameter?.[1] !== undefined)
        return { kind: 'parameter', name: parameter[1], optional: parameter[2] === '?' };
      if (/[{}]/.test(segment)) {
        throw devHostError(
          'BindingNotSupported',
          `The local host reads route parameters as {name} or {name?}, not '${segment}' (route '${route}').`,
        );
      }
      return { kind: 'literal', text: segment };
    });
}

/** The function's route with `params` filled in (URL-encoded); a required parameter without a value is refused. */
export function expandRoute(fn: HostFunction, params: Readonly<Record<string, string>>): string {
  const route = routeOf(fn);
  const path = segmentsOf(route).flatMap((segment) => {
    if (segment.kind === 'literal') return [segment.text];
    const value = params[segment.name];
    if (value !== undefined) return [encodeURIComponent(value)];
    if (segment.optional) return [];
    throw devHostError(
      'BindingNotSupported',
      `Route '${route}' of '${fn.name}' needs the parameter '${segment.name}'.`,
    );
  });
  return `${API_PREFIX}${path.join('/')}`;
}

/** The route parameters of `path` (e.g. `/api/reminders/runs/42`) if it matches the function's route. */
export function matchRoute(fn: HostFunction, path: string): Record<string, string> | undefined {
  if (!path.startsWith(API_PREFIX)) return undefined;
  const parts = path
    .slice(API_PREFIX.length)
    .split('/')
    .filter((part) => part !== '');
  const segments = segmentsOf(routeOf(fn));
  const params: Record<string, string> = {};
  for (const [index, segment] of segments.entries()) {
    const part = parts[index];
    if (part === undefined) {
      if (segment.kind === 'parameter' && segment.optional) continue;
      return undefined;
    }
    const value = safeDecode(part);
    if (value === undefined) return undefined;
    if (segment.kind === 'literal') {
      if (value.toLowerCase() !== segment.text.toLowerCase()) return undefined;
    } else {
      params[segment.name] = value;
    }
  }
  return parts.length > segments.length ? undefined : params;
}

/**
 * Sends a request to `path` (`/api/...`, query string allowed) as the host routes it: to the function
 * whose route and methods match (literal segments first), with its route parameters; else a 404.
 */
export async function invokeHttpPath(
  functionApp: FunctionApp,
  path: string,
  request: HttpInvocationRequest,
  options?: InvocationOptions,
): Promise<HttpInvocationOutcome> {
  const url = new URL(path, 'http://localhost');
  const candidates = functionApp.functions
    .filter((fn) => fn.trigger.type === 'httpTrigger')
    .map((fn) => ({ fn, params: matchRoute(fn, url.pathname) }))
    .filter((match): match is { fn: HostFunction; params: Record<string, string> } => match.params !== undefined)
    .filter(({ fn }) => acceptsMethod(fn, request.method))
    .sort((a, b) => Object.keys(a.params).length - Object.keys(b.params).length);
  const match = candidates[0];
  if (match === undefined) {
    return { status: 'notRouted', functionName: '', response: { status: 404, headers: {}, body: '' } };
  }
  const query = { ...Object.fromEntries(url.searchParams), ...request.query };
  return functionApp.invokeHttp(match.fn.name, { ...request, query, params: match.params }, options);
}

function routeOf(fn: HostFunction): string {
  return String(fn.trigger.route ?? fn.name);
}

/** Whether the function declared `method` (a function that declares none takes every method). */
export function acceptsMethod(fn: HostFunction, method: string): boolean {
  const methods = Array.isArray(fn.trigger.methods) ? fn.trigger.methods.map((name) => String(name).toUpperCase()) : [];
  return methods.length === 0 || methods.includes(method.toUpperCase());
}

function safeDecode(part: string): string | undefined {
  try {
    return decodeURIComponent(part);
  } catch {
    return undefined;
  }
}
