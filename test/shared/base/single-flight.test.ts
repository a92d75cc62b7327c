import { describe, expect, it, vi } from 'vitest';
import { createSingleFlight } from '../../../shared/base/single-flight.js';

function deferred<T>(): { promise: Promise<T>; resolve: (value: T) => void; reject: (error: unknown) => void } {
  let resolve!: (value: T) => void;
  let reject!: (error: unknown) => void;
  const promise = new Promise<T>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
}

describe('createSingleFlight', () => {
  it('shares one operation between concurrent callers and starts a new one afterwards', async () => {
    const flight = createSingleFlight<string>();
    const gate = deferred<string>();
    const start = vi.fn(() => gate.promise);
    const callers = [flight.run(start), flight.run(start), flight.run(start, new AbortController().signal)];
    expect(flight.inFlight).toBe(true);
    gate.resolve('token');
    expect(await Promise.all(callers)).toEqual(['token', 'token', 'token']);
    expect(start).toHaveBeenCalledTimes(1);
    expect(flight.inFlight).toBe(false);

    await flight.run(async () => 'next');
    expect(start).toHaveBeenCalledTimes(1);
  });

  it('shares failures, then lets the next caller start afresh', async () => {
    const flight = createSingleFlight<string>();
    const failing = vi.fn(async () => {
      throw new Error('503');
    });
    await expect(Promise.all([flight.run(failing), flight.run(failing)])).rejects.toThrow('503');
    expect(failing).toHaveBeenCalledTimes(1);
    await expect(flight.run(async () => 'ok')).resolves.toBe('ok');
  });

  it('releases an aborting caller at once but keeps the operation for the others', async () => {
    const flight = createSingleFlight<string>();
    const gate = deferred<string>();
    let operationSignal: AbortSignal | undefined;
    const start = (signal: AbortSignal): Promise<string> => {
      operationSignal = signal;
      return gate.promise;
    };
    const impatient = new AbortController();
    const first = flight.run(start, impatient.signal);
    const second = flight.run(start, new AbortController().signal);
    impatient.abort(new Error('caller gave up'));
    await expect(first).rejects.toThrow('caller gave up');
    expect(operationSignal?.aborted).toBe(false);
    gate.resolve('token');
    await expect(second).resolves.toBe('token');
  });

  it('aborts the operation when every waiting caller has aborted', async () => {
    const flight = createSingleFlight<string>();
    let operationSignal: AbortSignal | undefined;
    const start = (signal: AbortSignal): Promise<string> => {
      operationSignal = signal;
      return new Promise((_, reject) => signal.addEventListener('abort', () => reject(signal.reason)));
    };
    const a = new AbortController();
    const b = new AbortController();
    const first = flight.run(start, a.signal);
    const second = flight.run(start, b.signal);
    await vi.waitFor(() => expect(operationSignal).toBeDefined());
    a.abort(new Error('a'));
    b.abort(new Error('b'));
    await expect(first).rejects.toThrow('a');
    await expect(second).rejects.toThrow('b');
    expect(operationSignal?.aborted).toBe(true);
    await vi.waitFor(() => expect(flight.inFlight).toBe(false));
  });

  it('does not start the operation when its only caller aborts before it began', async () => {
    const flight = createSingleFlight<string>();
    const start = vi.fn(async () => 'x');
    const controller = new AbortController();
    const running = flight.run(start, controller.signal);
    controller.abort(new Error('gone'));
    await expect(running).rejects.toThrow('gone');
    await vi.waitFor(() => expect(flight.inFlight).toBe(false));
    expect(start).not.toHaveBeenCalled();
  });

  it('rejects an already aborted caller without starting anything', async () => {
    const flight = createSingleFlight<string>();
    const start = vi.fn(async () => 'x');
    await expect(flight.run(start, AbortSignal.abort(new Error('too late')))).rejects.toThrow('too late');
    expect(start).not.toHaveBeenCalled();
  });
});
