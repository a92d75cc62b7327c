/**
 * "Did the request leave?" for sendMail, which is not idempotent: each attempt gets its own one-request
 * https agent that notes whether its TLS connection came up. Before that, not a byte of the request has
 * left; after it, the request may have reached Graph.
 */
import { Agent } from 'node:https';
import type { RequestOptions } from 'node:https';
import type { Duplex } from 'node:stream';
import type { HttpPolicy, HttpRequest } from '../http/pipeline.js';

class ConnectionWatchingAgent extends Agent {
  connected = false;

  constructor() {
    super({ keepAlive: false, maxSockets: 1 });
  }

  override createConnection(
    options: RequestOptions,
    callback?: (error: Error | null, stream: Duplex) => void,
  ): Duplex | null | undefined {
    const socket = super.createConnection(options, callback);
    socket?.once('secureConnect', () => {
      this.connected = true;
    });
    return socket;
  }
}

/** The innermost policy: a fresh watched connection per attempt, closed once the attempt is over. */
export function connectionWatchPolicy(): HttpPolicy {
  return {
    name: 'connectionWatch',
    async sendRequest(request, next) {
      const agent = new ConnectionWatchingAgent();
      request.agent = agent;
      try {
        return await next(request);
      } finally {
        agent.destroy();
      }
    },
  };
}

/** Whether the request's last attempt got its connection up, so that the request may have arrived. */
export function requestLeft(request: HttpRequest): boolean {
  return request.agent instanceof ConnectionWatchingAgent && request.agent.connected;
}
