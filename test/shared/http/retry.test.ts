import { describe, expect, it, vi } from 'vitest';
import {
  abortableSleep,
  backoffDelay,
  describeGiveUp,
  isTransientNetworkError,
  parseRetryAfter,
  retryTransientFailures,
  type AttemptResult,
  type RetryPolicy,
} from '../../../shared/http/retry.js';

const policy: RetryPolicy = { maxAttempts: 4, baseDelayMs: 100, maxDelayMs: 1_000, budgetMs: 10_000 };

describe('parseRetryAfter', () => {
  const now = Date.parse('2026-03-01T10:00:00Z');

  it('reads whole and fractional delay-seconds', () => {
    expect(parseRetryAfter('2', now)).toBe(2_000);
    expect(parseRetryAfter(' 2.128 ', now)).toBe(2_128);
    expect(parseRetryAfter('0', now)).toBe(0);
  });

  it('reads an HTTP-date relative to now, never negative', () => {
    expect(parseRetryAfter('Sun, 01 Mar 2026 10:00:05 GMT', now)).toBe(5_000);
    expect(parseRetryAfter('Sun, 01 Mar 2026 09:59:00 GMT', now)).toBe(0);
  });

  it('ignores absent and unreadable values', () => {
    for (const value of [undefined, null, '', '  ', 'soon', '-1', '1e3', '12 3', '2,5', 'Thu, 99 Foo 2026']) {
      expect(parseRetryAfter(value, now), String(value)).toBeUndefined();
    }
  });
});

describe('backoffDelay', () => {
  it('stays within [0, min(cap, base·2^(n-1))) and grows exponentially', () => {
    expect(backoffDelay(policy, 1, () => 0)).toBe(0);
    expect(backoffDelay(policy, 1, () => 0.999_999)).toBe(99);
    expect(backoffDelay(policy, 3, () => 0.999_999)).toBe(399);
    expect(backoffDelay(policy, 10, () => 0.999_999)).toBe(999);
    for (let retry = 1; retry <= 8; retry += 1) {
      const delay = backoffDelay(policy, retry);
      expect(delay).toBeGreaterThanOrEqual(0);
      expect(delay).toBeLessThan(Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** (retry - 1)));
    }
  });
});

describe('abortableSleep', () => {
  it('rejects with the signal reason when aborted, at once', async () => {
    const controller = new AbortController();
    const started = Date.now();
    const sleeping = abortableSleep(10_000, controller.signal);
    controller.abort(new Error('stop'));
    await expect(sleeping).rejects.toThrow('stop');
    expect(Date.now() - started).toBeLessThan(1_000);
    await expect(abortableSleep(10, AbortSignal.abort(new Error('already')))).rejects.toThrow('already');
  });

  it('resolves after the delay', async () => {
    const started = Date.now();
    await abortableSleep(20, new AbortController().signal);
    expect(Date.now() - started).toBeGreaterThanOrEqual(15);
  });
});

describe('isTransientNetworkError', () => {
  it('recognises resets, hang-ups and premature closes, also as causes', () => {
    const reset = Object.assign(new Error('read ECONNRESET'), { code: 'ECONNRESET' });
    expect(isTransientNetworkError(reset)).toBe(true);
    expect(isTransientNetworkError(new Error('socket hang up'))).toBe(true);
    expect(isTransientNetworkError(new Error('wrapped', { cause: new Error('Premature close') }))).toBe(true);
    expect(isTransientNetworkError(new Error('wrapped', { cause: reset }))).toBe(true);
  });

  it('rejects everything else', () => {
    expect(isTransientNetworkError(new Error('Unexpected token'))).toBe(false);
    expect(isTransientNetworkError(Object.assign(new Error('x'), { code: 'CERT_HAS_EXPIRED' }))).toBe(false);
    expect(isTransientNetworkError('ECONNRESET')).toBe(false);
  });
});

describe('retryTransientFailures', () => {
  const transient = (retryAfterMs?: number): AttemptResult<string> => ({
    kind: 'retry',
    error: new Error('503'),
    retryAfterMs,
  });
  const giveUp = vi.fn(
    (event: { reason: string; attempts: number }) => new Error(`${event.reason} after ${event.attempts}`),
  );

  it('waits Retry-After exactly when given, else a jittered backoff', async () => {
    const waits: number[] = [];
    const outcomes = [transient(700), transient(), { kind: 'done', value: 'ok' } as const];
    await retryTransientFailures(async (n) => outcomes[n - 1] ?? transient(), {
      policy,
      giveUp,
      sleep: async (ms) => void waits.push(ms),
      random: () => 0.5,
    });
    // Second retry: half of base·2.
    expect(waits).toEqual([700, 100]);
  });

  it('stops after maxAttempts with the give-up error', async () => {
    const attempt = vi.fn(async () => transient(1));
    await expect(retryTransientFailures(attempt, { policy, giveUp, sleep: async () => {} })).rejects.toThrow(
      'attempts after 4',
    );
    expect(attempt).toHaveBeenCalledTimes(4);
  });

  it('does not wait when the server asks for more than maxDelayMs', async () => {
    const attempt = vi.fn(async () => transient(5_000));
    await expect(retryTransientFailures(attempt, { policy, giveUp, sleep: async () => {} })).rejects.toThrow(
      'retryAfterTooLong after 1',
    );
    expect(attempt).toHaveBeenCalledTimes(1);
  });

  it('stops when the next wait would exceed the budget', async () => {
    let now = 0;
    const attempt = vi.fn(async () => {
      now += 4_000;
      return transient(900);
    });
    await expect(
      retryTransientFailures(attempt, { policy, giveUp, clock: () => now, sleep: async (ms) => void (now += ms) }),
    ).rejects.toThrow('budget after 3');
  });

  it('propagates permanent errors without retrying', async () => {
    const attempt = vi.fn(async (): Promise<AttemptResult<string>> => {
      throw new Error('403');
    });
    await expect(retryTransientFailures(attempt, { policy, giveUp })).rejects.toThrow('403');
    expect(attempt).toHaveBeenCalledTimes(1);
  });

  it('stops promptly when aborted during a wait', async () => {
    const controller = new AbortController();
    const attempt = vi.fn(async () => transient(900));
    const running = retryTransientFailures(attempt, { policy, giveUp, abortSignal: controller.signal });
    setTimeout(() => controller.abort(new Error('run cancelled')), 20);
    await expect(running).rejects.toThrow('run cancelled');
    expect(attempt).toHaveBeenCalledTimes(1);
  });

  it('describes why it gave up', () => {
    const error = new Error('x');
    expect(describeGiveUp({ attempts: 6, reason: 'attempts', error }, policy)).toBe('gave up after 6 attempts');
    expect(
      describeGiveUp({ attempts: 1, reason: 'retryAfterTooLong', error, retryAfterMs: 120_000 }, policy),
    ).toContain('asked to wait 120.0 s');
    expect(describeGiveUp({ attempts: 3, reason: 'budget', error }, policy)).toContain('retry budget of 10.0 s');
  });
});
