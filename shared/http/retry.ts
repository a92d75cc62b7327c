/**
 * Retry mechanics of the outbound HTTP core (retry-policy.ts): `Retry-After` parsing, exponential
 * backoff with full jitter, an abortable sleep, transient network error detection and a retry loop
 * bounded by attempts, a per-wait cap, a time budget and the caller's deadline.
 */

/** How hard a client retries a transient failure. */
export interface RetryPolicy {
  /** Attempts in total, the first one included. */
  readonly maxAttempts: number;
  /** Backoff base: the n-th retry waits a random time below `baseDelayMs * 2^(n-1)` (full jitter). */
  readonly baseDelayMs: number;
  /**
   * Longest single wait. A server that asks (`Retry-After`) for a longer wait than this is not retried:
   * waiting less than asked would only earn another refusal.
   */
  readonly maxDelayMs: number;
  /** Time from the first attempt after which no further wait is started. */
  readonly budgetMs: number;
}

/** Sleeps `ms`, or rejects with the signal's reason as soon as it is aborted. */
export type Sleep = (ms: number, abortSignal?: AbortSignal) => Promise<void>;

export const abortableSleep: Sleep = (ms, abortSignal) =>
  new Promise<void>((resolve, reject) => {
    if (abortSignal?.aborted) {
      reject(abortSignal.reason);
      return;
    }
    const onAbort = (): void => {
      clearTimeout(timer);
      reject(abortSignal?.reason);
    };
    const timer = setTimeout(() => {
      abortSignal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    abortSignal?.addEventListener('abort', onAbort, { once: true });
  });

const DELAY_SECONDS = /^\d+(?:\.\d+)?$/;

/**
 * Milliseconds to wait according to a `Retry-After` value: delay-seconds (Graph sends fractional ones,
 * e.g. `2.128`) or an HTTP-date. `undefined` for an absent or unreadable value.
 */
export function parseRetryAfter(value: string | null | undefined, now: number = Date.now()): number | undefined {
  const text = value?.trim();
  if (!text) {
    return undefined;
  }
  if (DELAY_SECONDS.test(text)) {
    return Math.ceil(Number(text) * 1000);
  }
  // An HTTP-date always names a day or month; this keeps `Date.parse`'s leniency away from junk like "12 3".
  if (!/[a-z]{3}/i.test(text)) {
    return undefined;
  }
  const at = Date.parse(text);
  return Number.isNaN(at) ? undefined : Math.max(0, at - now);
}

/** Full-jitter exponential backoff for the `retry`-th retry (1-based): uniform in [0, min(cap, base·2^(retry-1))). */
export function backoffDelay(policy: RetryPolicy, retry: number, random: () => number = Math.random): number {
  const ceiling = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** Math.max(0, retry - 1));
  return Math.floor(random() * ceiling);
}

const TRANSIENT_NETWORK_CODES = new Set([
  'ECONNRESET',
  'ECONNREFUSED',
  'ECONNABORTED',
  'EPIPE',
  'ETIMEDOUT',
  'EAI_AGAIN',
  'ENETUNREACH',
  'EHOSTUNREACH',
  'ERR_STREAM_PREMATURE_CLOSE',
  'UND_ERR_SOCKET',
]);

/**
 * Whether an error (or one of its causes) is a connection failure worth retrying: reset, refused,
 * socket hang up, a body cut off mid-way.
 */
export function isTransientNetworkError(error: unknown): boolean {
  for (let current: unknown = error, depth = 0; current instanceof Error && depth < 5; depth += 1) {
    const code = (current as Error & { code?: unknown }).code;
    if (typeof code === 'string' && TRANSIENT_NETWORK_CODES.has(code)) {
      return true;
    }
    if (/socket hang up|premature close/i.test(current.message)) {
      return true;
    }
    current = current.cause;
  }
  return false;
}

/** A network error's code (`ECONNRESET`, `ENOTFOUND`, ...) or name, for messages. */
export function networkErrorCode(error: unknown): string {
  const code = error instanceof Error ? (error as Error & { code?: unknown }).code : undefined;
  if (typeof code === 'string') {
    return code;
  }
  return error instanceof Error ? error.name : 'unknown error';
}

/** A failure worth another attempt, after `retryAfterMs` when the server said so. */
export interface TransientFailure {
  readonly kind: 'retry';
  readonly error: Error;
  readonly retryAfterMs?: number;
}

/** Outcome of one attempt: a value, or a transient failure that may be retried. */
export type AttemptResult<T> = { readonly kind: 'done'; readonly value: T } | TransientFailure;

export type GiveUpReason = 'attempts' | 'budget' | 'deadline' | 'retryAfterTooLong';

export interface GiveUpEvent {
  readonly attempts: number;
  readonly reason: GiveUpReason;
  /** The last transient failure. */
  readonly error: Error;
  readonly retryAfterMs?: number;
}

export interface RetryLoopOptions {
  readonly policy: RetryPolicy;
  /** Builds the error thrown when the loop stops retrying. */
  readonly giveUp: (event: GiveUpEvent) => Error;
  readonly onRetry?: (event: { readonly attempt: number; readonly delayMs: number; readonly error: Error }) => void;
  readonly abortSignal?: AbortSignal;
  /** Epoch ms (the run's time budget): no wait is started that would end after it. */
  readonly deadline?: number;
  readonly sleep?: Sleep;
  readonly clock?: () => number;
  readonly random?: () => number;
}

/**
 * Runs `attempt` until it is done, retrying transient failures: after the server's `Retry-After` when
 * given, else after a full-jitter backoff. Errors thrown by `attempt` are permanent and propagate as is.
 */
export async function retryTransientFailures<T>(
  attempt: (attemptNumber: number) => Promise<AttemptResult<T>>,
  options: RetryLoopOptions,
): Promise<T> {
  const { policy, abortSignal, sleep = abortableSleep, clock = Date.now, random = Math.random } = options;
  const startedAt = clock();
  for (let attemptNumber = 1; ; attemptNumber += 1) {
    abortSignal?.throwIfAborted();
    const result = await attempt(attemptNumber);
    if (result.kind === 'done') {
      return result.value;
    }
    const { error, retryAfterMs } = result;
    const stop = (reason: GiveUpReason): Error =>
      options.giveUp({ attempts: attemptNumber, reason, error, retryAfterMs });
    if (attemptNumber >= policy.maxAttempts) {
      throw stop('attempts');
    }
    if (retryAfterMs !== undefined && retryAfterMs > policy.maxDelayMs) {
      throw stop('retryAfterTooLong');
    }
    const delayMs = retryAfterMs ?? backoffDelay(policy, attemptNumber, random);
    const now = clock();
    if (now - startedAt + delayMs > policy.budgetMs) {
      throw stop('budget');
    }
    if (options.deadline !== undefined && now + delayMs > options.deadline) {
      throw stop('deadline');
    }
    options.onRetry?.({ attempt: attemptNumber, delayMs, error });
    await sleep(delayMs, abortSignal);
  }
}

/** Human-readable wait, e.g. `2.1 s`. */
export function formatDelay(ms: number): string {
  return `${(ms / 1000).toFixed(1)} s`;
}

/** Why retrying stopped, for error messages, e.g. `gave up after 6 attempts`. */
export function describeGiveUp(event: GiveUpEvent, policy: RetryPolicy): string {
  switch (event.reason) {
    case 'attempts':
      return `gave up after ${attempts(event.attempts)}`;
    case 'budget':
      return `gave up after ${attempts(event.attempts)}, as waiting again would exceed the retry budget of ${formatDelay(policy.budgetMs)}`;
    case 'deadline':
      return `gave up after ${attempts(event.attempts)}, as waiting again would pass the run's deadline`;
    case 'retryAfterTooLong':
      return `the server asked to wait ${formatDelay(event.retryAfterMs ?? 0)}, longer than the ${formatDelay(policy.maxDelayMs)} allowed per wait`;
  }
}

function attempts(count: number): string {
  return count === 1 ? '1 attempt' : `${count} attempts`;
}
