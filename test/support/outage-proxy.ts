/**
 * A TCP proxy in front of one service of the local stack (Azurite's table endpoint, say) that can be
 * taken down and brought back: while down, every connection is cut at once (the client sees a reset),
 * as during a storage outage. Everything else of the stack keeps answering.
 *
 *   const proxy = await startOutageProxy(new URL(tableEndpoint));
 *   proxy.down(); ... proxy.up(); await proxy.close();
 *
 * For a function host, `useTableOutage(stack, host)` puts one in front of the app's Table storage.
 */
import { connect, createServer } from 'node:net';
import type { AddressInfo, Socket } from 'node:net';
import { afterEach } from 'vitest';
import type { LocalStack } from '../../emulators/stack/stack.js';
import type { FunctionHost } from './function-host.js';

export interface OutageProxy {
  /** `http://127.0.0.1:{port}` plus the target's path: where clients connect instead of the target. */
  readonly url: string;
  down(): void;
  up(): void;
  /** Connections cut while down. */
  readonly refused: () => number;
  close(): Promise<void>;
}

export async function startOutageProxy(target: URL): Promise<OutageProxy> {
  let isDown = false;
  let refused = 0;
  const open = new Set<Socket>();
  const server = createServer((client) => {
    if (isDown) {
      refused += 1;
      client.destroy();
      return;
    }
    const upstream = connect(Number(target.port), target.hostname);
    for (const socket of [client, upstream]) {
      open.add(socket);
      socket.on('close', () => open.delete(socket));
      socket.on('error', () => {
        client.destroy();
        upstream.destroy();
      });
    }
    client.pipe(upstream).pipe(client);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}${target.pathname.replace(/\/+$/, '')}`,
    down() {
      isDown = true;
      for (const socket of open) socket.destroy();
    },
    up() {
      isDown = false;
    },
    refused: () => refused,
    close() {
      for (const socket of open) socket.destroy();
      return new Promise((resolve) => server.close(() => resolve()));
    },
  };
}

/**
 * A proxy in front of the stack's Azurite table endpoint, the app's AzureWebJobsStorage pointed at it for
 * the rest of the test (queues stay direct); closed after each test of the calling file.
 */
export function useTableOutage(stack: () => LocalStack, host: () => FunctionHost): () => Promise<OutageProxy> {
  let proxy: OutageProxy | undefined;
  afterEach(async () => {
    await proxy?.close();
    proxy = undefined;
  });
  return async () => {
    const { azurite } = stack();
    if (azurite === undefined) throw new Error('The stack runs without Azurite');
    const started = await startOutageProxy(new URL(azurite.tableEndpoint));
    proxy = started;
    const connection = stack().settings.AzureWebJobsStorage ?? '';
    host().setSettings({
      AzureWebJobsStorage: connection.replace(`TableEndpoint=${azurite.tableEndpoint}`, `TableEndpoint=${started.url}`),
    });
    return started;
  };
}
