/**
 * Azurite (Storage: blobs, queues, tables) from npm as child processes on OS-chosen loopback ports,
 * with the explicit devstoreaccount1 connection string clients need for those ports.
 *
 * Tables run in a process of their own, as Azure's services are independent: Azurite keeps its metadata
 * in LokiJS collections whose indices are rebuilt after every change, and its queue garbage collection
 * (every 60 s) rebuilds one per deleted message; after thousands of deletions that freezes its process
 * for tens of seconds, which must not freeze the ledger's table as well.
 */
import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { mkdir } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';

/** Azurite's well-known development account (public, the same in every Azurite installation). */
export const DEV_STORE_ACCOUNT_NAME = 'devstoreaccount1';
const DEV_STORE_ACCOUNT_KEY =
  'Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==';

const DEFAULT_START_TIMEOUT_MS = 30_000;
const STOP_TIMEOUT_MS = 5_000;
const OUTPUT_LINES_KEPT = 20;

/**
 * Loaded into Azurite before it starts: if this process dies without stopping it (SIGKILL, crash),
 * Azurite gets re-parented, notices and shuts itself down gracefully.
 */
const ORPHAN_WATCHDOG =
  'data:text/javascript,' +
  encodeURIComponent(
    'const parent = process.ppid; const timer = setInterval(() => { if (process.ppid !== parent) ' +
      "{ clearInterval(timer); process.kill(process.pid, 'SIGTERM'); } }, 500); timer.unref();",
  );

export interface AzuriteOptions {
  /** Keep all data in memory (default true); otherwise data lives in `location`. */
  readonly inMemory?: boolean;
  /** Workspace folder when not in memory; default `<repo>/.local/azurite` (git-ignored). */
  readonly location?: string;
  /** Cancels the start (the child is stopped); after the start, aborting stops Azurite. */
  readonly signal?: AbortSignal;
  /** Default 30 s (a cold start on a busy machine takes a few seconds). */
  readonly startTimeoutMs?: number;
}

export interface AzuriteInstance {
  /** Explicit devstoreaccount1 connection string with the three endpoints. */
  readonly connectionString: string;
  readonly blobEndpoint: string;
  readonly queueEndpoint: string;
  readonly tableEndpoint: string;
  /** Process ids of the Azurite children: blobs and queues, tables (for diagnostics and leak checks). */
  readonly pids: readonly number[];
  /** Stops Azurite and waits until its processes have exited. */
  stop(): Promise<void>;
}

export class AzuriteError extends Error {
  readonly code = 'AzuriteError';
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'AzuriteError';
  }
}

export const DEFAULT_AZURITE_LOCATION = fileURLToPath(new URL('../../.local/azurite', import.meta.url));

export async function startAzurite(options: AzuriteOptions = {}): Promise<AzuriteInstance> {
  options.signal?.throwIfAborted();
  const inMemory = options.inMemory ?? true;
  const location = options.location ?? DEFAULT_AZURITE_LOCATION;
  // Each process is a whole Azurite (only it reports the ports it bound); each serves what it is asked for.
  const args = (folder: string): string[] => [
    ...['--blobHost', '127.0.0.1', '--queueHost', '127.0.0.1', '--tableHost', '127.0.0.1'],
    ...['--blobPort', '0', '--queuePort', '0', '--tablePort', '0'],
    ...['--silent', '--skipApiVersionCheck', '--disableTelemetry'],
    ...(inMemory ? ['--inMemoryPersistence', '--extentMemoryLimit', '256'] : ['--location', folder]),
  ];
  const serve = (folder: string, wanted: readonly (keyof Endpoints)[]) =>
    startService(args(folder), wanted, { inMemory, location: folder, options });
  const services = [serve(location, ['blob', 'queue']), serve(join(location, 'tables'), ['table'])];
  const started = await Promise.allSettled(services);
  const running = started.flatMap((outcome) => (outcome.status === 'fulfilled' ? [outcome.value] : []));
  const stop = async (): Promise<void> => {
    await Promise.all(running.map((service) => service.stop()));
  };
  const failed = started.find((outcome) => outcome.status === 'rejected');
  if (failed !== undefined) {
    await stop();
    throw failed.reason;
  }
  options.signal?.addEventListener('abort', () => void stop(), { once: true });
  const endpoints: Partial<Endpoints> = Object.assign({}, ...running.map((service) => service.endpoints));
  const accountUrl = (service: keyof Endpoints): string => `${endpoints[service] ?? ''}/${DEV_STORE_ACCOUNT_NAME}`;
  const blobEndpoint = accountUrl('blob');
  const queueEndpoint = accountUrl('queue');
  const tableEndpoint = accountUrl('table');
  return {
    connectionString:
      `DefaultEndpointsProtocol=http;AccountName=${DEV_STORE_ACCOUNT_NAME};AccountKey=${DEV_STORE_ACCOUNT_KEY};` +
      `BlobEndpoint=${blobEndpoint};QueueEndpoint=${queueEndpoint};TableEndpoint=${tableEndpoint};`,
    blobEndpoint,
    queueEndpoint,
    tableEndpoint,
    pids: running.map((service) => service.pid),
    stop,
  };
}

interface AzuriteService {
  readonly endpoints: Partial<Endpoints>;
  readonly pid: number;
  stop(): Promise<void>;
}

/** One Azurite as a child process, until it listens for the `wanted` services. */
async function startService(
  serviceArgs: readonly string[],
  wanted: readonly (keyof Endpoints)[],
  context: { readonly inMemory: boolean; readonly location: string; readonly options: AzuriteOptions },
): Promise<AzuriteService> {
  const { inMemory, location, options } = context;
  if (!inMemory) await mkdir(location, { recursive: true });
  // process.execPath: the Node 22 that runs us (Azurite needs >= 22; the machine's node may be older).
  const child = spawn(process.execPath, ['--import', ORPHAN_WATCHDOG, azuriteEntryPoint(), ...serviceArgs], {
    cwd: inMemory ? tmpdir() : location,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const killOnExit = (): void => {
    child.kill('SIGKILL');
  };
  process.once('exit', killOnExit);
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  void exited.then(() => process.off('exit', killOnExit));

  let stopping: Promise<void> | undefined;
  const stop = (): Promise<void> => {
    stopping ??= stopChild(child, exited);
    return stopping;
  };
  try {
    const timeoutMs = options.startTimeoutMs ?? DEFAULT_START_TIMEOUT_MS;
    const found = await waitForEndpoints(child, wanted, timeoutMs, options.signal);
    // Only what this process is for: the other services it also starts stay unused.
    const endpoints = Object.fromEntries(wanted.map((service) => [service, found[service]]));
    return { endpoints, pid: child.pid ?? -1, stop };
  } catch (error) {
    await stop();
    throw error;
  }
}

function azuriteEntryPoint(): string {
  const require = createRequire(import.meta.url);
  const packageJsonPath = require.resolve('azurite/package.json');
  const { bin } = require(packageJsonPath) as { bin: Record<string, string> };
  const entry = bin['azurite'];
  if (entry === undefined) throw new AzuriteError('The installed azurite package has no "azurite" command');
  return join(dirname(packageJsonPath), entry);
}

interface Endpoints {
  readonly blob: string;
  readonly queue: string;
  readonly table: string;
}

/** Azurite prints `Azurite Queue service is successfully listening at http://127.0.0.1:PORT` per service. */
function waitForEndpoints(
  child: ChildProcess,
  wanted: readonly (keyof Endpoints)[],
  timeoutMs: number,
  signal: AbortSignal | undefined,
): Promise<Partial<Endpoints>> {
  return new Promise((resolve, reject) => {
    const found: Partial<Record<keyof Endpoints, string>> = {};
    const output: string[] = [];
    const remember = (line: string): void => {
      output.push(line);
      if (output.length > OUTPUT_LINES_KEPT) output.shift();
    };
    const fail = (message: string, cause?: unknown): void => {
      cleanUp();
      const tail = output.length > 0 ? `\n${output.join('\n')}` : '';
      reject(new AzuriteError(`${message}${tail}`, { cause }));
    };
    const onExit = (code: number | null, exitSignal: NodeJS.Signals | null): void =>
      fail(`Azurite exited during start (${exitSignal ?? `exit code ${code}`})`);
    const onError = (error: Error): void => fail('Cannot start Azurite', error);
    const onAbort = (): void => fail('The start of Azurite was aborted', signal?.reason);
    const timer = setTimeout(() => fail(`Azurite did not start within ${timeoutMs} ms`), timeoutMs);
    const stdout = child.stdout ? createInterface({ input: child.stdout }) : undefined;
    const stderr = child.stderr ? createInterface({ input: child.stderr }) : undefined;

    function cleanUp(): void {
      clearTimeout(timer);
      child.off('exit', onExit);
      child.off('error', onError);
      signal?.removeEventListener('abort', onAbort);
      stdout?.close();
      stderr?.close();
      // Keep draining so that a chatty Azurite never blocks on a full pipe.
      child.stdout?.resume();
      child.stderr?.resume();
    }

    stdout?.on('line', (line) => {
      remember(line);
      const match = /Azurite (Blob|Queue|Table) service is successfully listening at (https?:\/\/\S+)/.exec(line);
      if (!match?.[1] || !match[2]) return;
      found[match[1].toLowerCase() as keyof Endpoints] = match[2].replace(/\/$/, '');
      if (wanted.every((service) => found[service] !== undefined)) {
        cleanUp();
        resolve(found);
      }
    });
    stderr?.on('line', remember);
    child.once('exit', onExit);
    child.once('error', onError);
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

/** SIGTERM lets Azurite close its servers (and flush a workspace); SIGKILL if it does not exit in time. */
async function stopChild(child: ChildProcess, exited: Promise<void>): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  child.kill('SIGTERM');
  let timer: NodeJS.Timeout | undefined;
  const timedOut = new Promise<'timeout'>((resolve) => {
    timer = setTimeout(() => resolve('timeout'), STOP_TIMEOUT_MS);
  });
  const outcome = await Promise.race([exited, timedOut]);
  clearTimeout(timer);
  if (outcome === 'timeout') {
    child.kill('SIGKILL');
    await exited;
  }
}
