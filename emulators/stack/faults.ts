/**
 * Fault and latency injection shared by every emulator server: rules added from tests or parsed from the
 * command line (`--fault graph.listItems:429:retry-after=0.5:count=3`), decided once per request.
 */
import { createSeededRandom } from './seeded-random.js';
import type { FaultAction, FaultController, FaultRule, ServiceName } from './types.js';

const serviceNames: readonly ServiceName[] = ['entra', 'identity', 'keyvault', 'graph'];

export class FaultRuleError extends Error {
  readonly code = 'InvalidFaultRule';
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'FaultRuleError';
  }
}

/** What the server knows about a request when it asks which faults apply. */
export interface FaultRequest {
  readonly service: ServiceName;
  /** Route name, or `${service}.unmatched`. */
  readonly endpoint: string;
  readonly method: string;
  readonly pathAndQuery: string;
}

export type TerminalFaultAction = Exclude<FaultAction, { readonly type: 'latency' }>;

export interface FaultDecision {
  /** Sum of the matching latency rules (each `ms ± jitterMs`, drawn uniformly, never below 0). */
  readonly latencyMs: number;
  /** The first matching status, reset or truncate rule. */
  readonly terminal?: TerminalFaultAction;
}

export interface DecidingFaultController extends FaultController {
  /** Picks the faults for one request; count-limited rules that apply are used up. */
  decide(request: FaultRequest): FaultDecision;
}

export interface FaultControllerOptions {
  /** Seed of the generator behind `probability` and jitter, so that runs repeat; default 1. */
  readonly seed?: number;
}

interface ActiveRule {
  readonly id: string;
  readonly rule: FaultRule;
  readonly pathPattern?: RegExp;
  remaining?: number;
}

export function createFaultController(options: FaultControllerOptions = {}): DecidingFaultController {
  const random = createSeededRandom(options.seed ?? 1);
  const rules: ActiveRule[] = [];
  let nextId = 1;

  const applies = (active: ActiveRule, request: FaultRequest): boolean => {
    const { rule } = active;
    if (rule.service !== undefined && rule.service !== request.service) return false;
    if (rule.endpoint !== undefined && rule.endpoint !== request.endpoint) return false;
    if (rule.method !== undefined && rule.method.toUpperCase() !== request.method.toUpperCase()) return false;
    if (active.pathPattern && !active.pathPattern.test(request.pathAndQuery)) return false;
    if (rule.probability !== undefined && random() >= rule.probability) return false;
    return true;
  };

  const useUp = (active: ActiveRule): void => {
    if (active.remaining === undefined) return;
    active.remaining -= 1;
    if (active.remaining <= 0) rules.splice(rules.indexOf(active), 1);
  };

  return {
    add(rule) {
      validateFaultRule(rule);
      const id = `fault-${nextId++}`;
      rules.push({
        id,
        rule,
        ...(rule.path === undefined ? {} : { pathPattern: new RegExp(rule.path) }),
        ...(rule.count === undefined ? {} : { remaining: rule.count }),
      });
      return id;
    },
    remove(id) {
      const index = rules.findIndex((active) => active.id === id);
      if (index >= 0) rules.splice(index, 1);
    },
    clear() {
      rules.length = 0;
    },
    list() {
      return rules.map((active) => ({
        ...active.rule,
        id: active.id,
        ...(active.remaining === undefined ? {} : { remaining: active.remaining }),
      }));
    },
    decide(request) {
      let latencyMs = 0;
      let terminal: TerminalFaultAction | undefined;
      // A copy: used-up rules leave `rules` while we walk it.
      for (const active of [...rules]) {
        const { action } = active.rule;
        if (action.type !== 'latency' && terminal) continue;
        if (!applies(active, request)) continue;
        useUp(active);
        if (action.type === 'latency') {
          const jitter = action.jitterMs ?? 0;
          latencyMs += Math.max(0, action.ms + (random() * 2 - 1) * jitter);
        } else {
          terminal = action;
        }
      }
      return terminal ? { latencyMs, terminal } : { latencyMs };
    },
  };
}

export function validateFaultRule(rule: FaultRule): void {
  const { action } = rule;
  if (rule.service !== undefined && !serviceNames.includes(rule.service)) {
    throw new FaultRuleError(`Unknown service "${rule.service}" (expected one of ${serviceNames.join(', ')})`);
  }
  if (rule.count !== undefined && !(Number.isInteger(rule.count) && rule.count > 0)) {
    throw new FaultRuleError(`count must be a positive integer, got ${rule.count}`);
  }
  if (rule.probability !== undefined && !(rule.probability >= 0 && rule.probability <= 1)) {
    throw new FaultRuleError(`probability must be between 0 and 1, got ${rule.probability}`);
  }
  if (rule.path !== undefined) {
    try {
      new RegExp(rule.path);
    } catch (error) {
      throw new FaultRuleError(`path is not a valid regular expression: ${rule.path}`, { cause: error });
    }
  }
  switch (action.type) {
    case 'latency':
      if (!(Number.isFinite(action.ms) && action.ms >= 0)) {
        throw new FaultRuleError(`latency must be a number of milliseconds >= 0, got ${action.ms}`);
      }
      if (action.jitterMs !== undefined && !(Number.isFinite(action.jitterMs) && action.jitterMs >= 0)) {
        throw new FaultRuleError(`jitter must be a number of milliseconds >= 0, got ${action.jitterMs}`);
      }
      break;
    case 'status':
      if (!(Number.isInteger(action.status) && action.status >= 400 && action.status <= 599)) {
        throw new FaultRuleError(`status must be an HTTP error status (400-599), got ${action.status}`);
      }
      if (action.retryAfter !== undefined && !/^\d+(\.\d+)?$/.test(action.retryAfter)) {
        throw new FaultRuleError(`retry-after must be seconds (e.g. 2 or 0.5), got "${action.retryAfter}"`);
      }
      break;
    case 'reset':
    case 'truncate':
    case 'lostAnswer':
      break;
  }
}

const FAULT_SPEC_SYNTAX =
  'TARGET[:TARGET...]:ACTION[:OPTION...] where TARGET is a service (entra, identity, keyvault, graph), ' +
  'a route name (graph.listItems), method=GET or path=REGEX; ACTION is an HTTP status (429), latency=MS, ' +
  'reset, truncate or lost-answer; OPTION is retry-after=SECONDS, jitter=MS, count=N or p=PROBABILITY ' +
  '(a literal colon inside path= is written \\:)';

/**
 * Parses the command line's one-line fault syntax, parts separated by `:`:
 * - targets (all optional, all must match): `graph` (service), `graph.listItems` (route name, implies the
 *   service), `method=GET`, `path=REGEX` (tested against path and query; write a literal `:` as `\:`);
 * - exactly one action: an HTTP status `429`/`503`, `latency=MS`, `reset` (connection reset),
 *   `truncate` (half the body, then the connection is cut) or `lost-answer` (the request is served,
 *   then the connection is cut before the answer);
 * - options: `retry-after=SECONDS` (status only, fractional allowed), `jitter=MS` (latency only),
 *   `count=N` (next N matching requests), `p=0.1` (probability).
 *
 * Examples: `graph.listItems:429:retry-after=0.5:count=3`, `graph:latency=100:jitter=20`,
 * `keyvault:reset:p=0.1`, `entra.token:503`, `path=/v1.0/users/.*:truncate`.
 */
export function parseFaultSpec(spec: string): FaultRule {
  function fail(problem: string): never {
    throw new FaultRuleError(`Invalid fault "${spec}": ${problem}. Syntax: ${FAULT_SPEC_SYNTAX}`);
  }
  const parts = spec.split(/(?<!\\):/).map((part) => part.replaceAll('\\:', ':'));
  let service: ServiceName | undefined;
  let endpoint: string | undefined;
  let method: string | undefined;
  let path: string | undefined;
  let action: FaultAction | undefined;
  let retryAfter: string | undefined;
  let jitterMs: number | undefined;
  let count: number | undefined;
  let probability: number | undefined;

  const setAction = (part: string, next: FaultAction): void => {
    if (action) fail(`"${part}" is a second action (only one of status, latency=, reset, truncate)`);
    action = next;
  };
  const numberOf = (part: string, value: string, what: string): number => {
    const parsed = Number(value);
    if (value.trim() === '' || !Number.isFinite(parsed)) fail(`"${part}": ${what} must be a number`);
    return parsed;
  };

  for (const part of parts) {
    const separator = part.indexOf('=');
    const key = separator < 0 ? part : part.slice(0, separator);
    const value = separator < 0 ? undefined : part.slice(separator + 1);
    if (part === '') fail('empty part');
    else if (value === undefined && isServiceName(part)) service = part;
    else if (value === undefined && /^[a-z]+\.[A-Za-z0-9_.-]+$/.test(part)) {
      const prefix = part.slice(0, part.indexOf('.'));
      if (!isServiceName(prefix)) fail(`"${part}": unknown service "${prefix}" in route name`);
      service = prefix;
      endpoint = part;
    } else if (value === undefined && /^\d{3}$/.test(part)) setAction(part, { type: 'status', status: Number(part) });
    else if (part === 'reset') setAction(part, { type: 'reset' });
    else if (part === 'truncate') setAction(part, { type: 'truncate' });
    else if (part === 'lost-answer') setAction(part, { type: 'lostAnswer' });
    else if (value === undefined) fail(`unknown part "${part}"`);
    else if (key === 'latency') setAction(part, { type: 'latency', ms: numberOf(part, value, 'latency') });
    else if (key === 'method') method = value.toUpperCase();
    else if (key === 'path') path = value;
    else if (key === 'retry-after') retryAfter = value;
    else if (key === 'jitter') jitterMs = numberOf(part, value, 'jitter');
    else if (key === 'count') count = numberOf(part, value, 'count');
    else if (key === 'p') probability = numberOf(part, value, 'p');
    else fail(`unknown option "${key}"`);
  }

  if (!action) return fail('no action (a status such as 429, latency=MS, reset or truncate)');
  if (retryAfter !== undefined) {
    if (action.type !== 'status') fail('retry-after= only goes with a status');
    else action = { ...action, retryAfter };
  }
  if (jitterMs !== undefined) {
    if (action.type !== 'latency') fail('jitter= only goes with latency=');
    else action = { ...action, jitterMs };
  }
  const rule: FaultRule = {
    action,
    ...(service === undefined ? {} : { service }),
    ...(endpoint === undefined ? {} : { endpoint }),
    ...(method === undefined ? {} : { method }),
    ...(path === undefined ? {} : { path }),
    ...(count === undefined ? {} : { count }),
    ...(probability === undefined ? {} : { probability }),
  };
  try {
    validateFaultRule(rule);
  } catch (error) {
    fail(error instanceof Error ? error.message : String(error));
  }
  return rule;
}

function isServiceName(value: string): value is ServiceName {
  return (serviceNames as readonly string[]).includes(value);
}
