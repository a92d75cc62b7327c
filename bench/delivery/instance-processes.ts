/**
 * The delivery scenario's instances seen from the benchmark: each a process of its own (instance.ts),
 * started, loaded, told to go all at once, and its report collected over IPC.
 */
import { fork } from 'node:child_process';
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';
import { DELIVERY_INSTANCE_ENV } from './instance.js';
import type { InstanceListenerOptions, InstanceMessage, InstanceReport } from './instance.js';

const INSTANCE_SCRIPT = fileURLToPath(new URL('./instance.ts', import.meta.url));

interface InstanceProcess {
  /** Resolves when the instance has loaded the app; rejects if it exits first. */
  readonly ready: Promise<void>;
  go(): void;
  readonly report: Promise<InstanceReport>;
  kill(): void;
}

/**
 * The instances of one run: every one started and loaded, then all told to go at once (the processes'
 * start is not the mailbox's pace); `wentAt` is that wall-clock instant.
 */
export async function runInstances(
  count: number,
  settings: Record<string, string>,
  listener: InstanceListenerOptions,
): Promise<{ readonly wentAt: number; readonly reports: PromiseSettledResult<InstanceReport>[] }> {
  const instances = Array.from({ length: count }, () => startInstance(settings, listener));
  try {
    await Promise.all(instances.map((instance) => instance.ready));
  } catch (error) {
    for (const instance of instances) instance.kill();
    throw error;
  }
  const wentAt = Date.now();
  for (const instance of instances) instance.go();
  return { wentAt, reports: await Promise.allSettled(instances.map((instance) => instance.report)) };
}

function startInstance(settings: Record<string, string>, listener: InstanceListenerOptions): InstanceProcess {
  const child = fork(INSTANCE_SCRIPT, [], {
    env: { ...process.env, ...settings, [DELIVERY_INSTANCE_ENV]: JSON.stringify(listener) },
    execArgv: ['--import', 'tsx'],
    stdio: ['ignore', 'ignore', 'pipe', 'ipc'],
    serialization: 'json',
  });
  const errorLines: string[] = [];
  child.stderr?.setEncoding('utf8').on('data', (text: string) => {
    errorLines.push(...text.split('\n').filter((line) => line.trim() !== ''));
    errorLines.splice(0, Math.max(0, errorLines.length - 5));
  });
  let report: InstanceReport | undefined;
  let markReady: () => void = () => undefined;
  const loaded = new Promise<void>((resolve) => {
    markReady = resolve;
  });
  child.on('message', (message: InstanceMessage) => {
    if (message.type === 'ready') markReady();
    else report = message;
  });
  const exited = once(child, 'exit') as Promise<[number | null]>;
  const failure = (code: number | null): Error =>
    new Error(`an instance exited with code ${code ?? 'none'} without a report: ${errorLines.join(' | ')}`);
  return {
    ready: Promise.race([loaded, exited.then(([code]) => Promise.reject(failure(code)))]),
    go: () => child.send({ type: 'go' }),
    report: exited.then(([code]) => {
      if (report === undefined) throw failure(code);
      return report;
    }),
    kill: () => child.kill(),
  };
}
