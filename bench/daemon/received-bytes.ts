/**
 * Counts the bytes a process receives from one TLS server (the Graph emulator), whichever HTTP stack
 * asks: node-fetch and `https` (the daemon, the naive peer) and the built-in `fetch` (the Graph SDK)
 * all open their connections with `tls.connect`. `bytesRead` of a TLS socket is the decrypted HTTP
 * stream: status lines, headers and bodies.
 */
import { syncBuiltinESMExports } from 'node:module';
import tls from 'node:tls';
import type { TLSSocket } from 'node:tls';

export interface ReceivedBytesCounter {
  /** Bytes received from the server since the counter was installed. */
  total(): number;
}

/** Wraps `tls.connect` for the rest of the process's life; install it once, before any connection. */
export function countBytesReceivedFrom(port: number): ReceivedBytesCounter {
  const open = new Set<TLSSocket>();
  let closedTotal = 0;
  const connect = tls.connect;
  const watch = (socket: TLSSocket): void => {
    socket.once('secureConnect', () => {
      if (socket.remotePort !== port) {
        return;
      }
      open.add(socket);
      socket.once('close', () => {
        open.delete(socket);
        closedTotal += socket.bytesRead;
      });
    });
  };
  tls.connect = function countingConnect(this: unknown, ...args: unknown[]): TLSSocket {
    const socket = Reflect.apply(connect, this, args) as TLSSocket;
    watch(socket);
    return socket;
  } as typeof tls.connect;
  // Modules that imported `connect` by name see the wrapper too.
  syncBuiltinESMExports();
  return {
    total() {
      let total = closedTotal;
      for (const socket of open) {
        total += socket.bytesRead;
      }
      return total;
    },
  };
}
