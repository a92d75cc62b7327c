/**
 * A plain-HTTP proxy in front of one Azurite service (Queue or Table) that the soak can break: an
 * outage (every request answered 503 `ServerBusy`, as Storage answers when it cannot serve) for a
 * while, and, for the Table service, a worker that dies between the send and the record: the ledger
 * write that records a reminder as sent never arrives (refused until `heal`).
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';

export interface StorageProxy {
  /** Origin of the proxy, e.g. `http://127.0.0.1:51234`. */
  readonly origin: string;
  /** Every request is answered 503 for `durationMs` of real time from now. */
  outage(durationMs: number): void;
  /**
   * The next write that records a reminder as sent, and every later one for the same reminder until
   * `heal`, is refused: the worker "died" before the record. Returns nothing; `crashed()` names them.
   */
  crashBeforeNextSentRecord(): void;
  /** Reminder ids whose sent record was refused, by a crash or by an outage: e-mailed, not recorded. */
  crashed(): readonly string[];
  /** Ends outages and refusals. */
  heal(): void;
  /** Requests answered with a fault. */
  faulted(): number;
  close(): Promise<void>;
}

export async function startStorageProxy(target: string, service: 'queue' | 'table'): Promise<StorageProxy> {
  const upstream = new URL(target);
  const agent = new http.Agent({ keepAlive: true });
  let outageUntil = 0;
  let armed = false;
  const refused = new Set<string>();
  const crashed: string[] = [];
  let faulted = 0;

  const server = http.createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      const body = Buffer.concat(chunks);
      const outage = performance.now() < outageUntil;
      if (outage || refusesRecord(request, body)) {
        if (outage) noteLostSentRecord(request, body);
        faulted += 1;
        serverBusy(response, service);
        return;
      }
      const forwarded = http.request(
        {
          agent,
          hostname: upstream.hostname,
          port: upstream.port,
          method: request.method,
          path: request.url,
          headers: { ...request.headers, host: upstream.host },
        },
        (answer) => {
          response.writeHead(answer.statusCode ?? 502, answer.headers);
          answer.pipe(response);
        },
      );
      forwarded.on('error', () => {
        response.destroy();
      });
      forwarded.end(body);
    });
  });

  /** The reminder whose `sent` state this request records, if it is such a write. */
  function sentRecordOf(request: http.IncomingMessage, body: Buffer): string | undefined {
    if (service !== 'table' || (request.method !== 'PATCH' && request.method !== 'MERGE' && request.method !== 'PUT')) {
      return undefined;
    }
    const reminderId = rowKeyOf(request.url ?? '');
    return reminderId !== undefined && /"state"\s*:\s*"sent"/.test(body.toString('utf8')) ? reminderId : undefined;
  }

  /** An outage that refuses a sent record leaves the reminder as a crash would: sent, not recorded. */
  function noteLostSentRecord(request: http.IncomingMessage, body: Buffer): void {
    const reminderId = sentRecordOf(request, body);
    if (reminderId !== undefined && !crashed.includes(reminderId)) crashed.push(reminderId);
  }

  function refusesRecord(request: http.IncomingMessage, body: Buffer): boolean {
    const reminderId = sentRecordOf(request, body);
    if (reminderId === undefined) return false;
    if (refused.has(reminderId)) return true;
    if (!armed) return false;
    armed = false;
    refused.add(reminderId);
    if (!crashed.includes(reminderId)) crashed.push(reminderId);
    return true;
  }

  server.listen(0, '127.0.0.1');
  await new Promise<void>((resolve, reject) => {
    server.once('listening', resolve);
    server.once('error', reject);
  });
  const { port } = server.address() as AddressInfo;
  return {
    origin: `http://127.0.0.1:${port}`,
    outage(durationMs) {
      outageUntil = performance.now() + durationMs;
    },
    crashBeforeNextSentRecord() {
      armed = true;
    },
    crashed: () => [...crashed],
    heal() {
      outageUntil = 0;
      armed = false;
      refused.clear();
    },
    faulted: () => faulted,
    async close() {
      agent.destroy();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/** The RowKey of an entity URL `…/table(PartitionKey='…',RowKey='…')`, decoded: the ledger's reminder id. */
function rowKeyOf(url: string): string | undefined {
  const match = /RowKey='([^']*)'/.exec(decodeURIComponent(url));
  return match?.[1]?.replaceAll("''", "'");
}

function serverBusy(response: http.ServerResponse, service: 'queue' | 'table'): void {
  const message = 'The server is busy.';
  if (service === 'table') {
    response.writeHead(503, { 'content-type': 'application/json', 'x-ms-error-code': 'ServerBusy' });
    response.end(JSON.stringify({ 'odata.error': { code: 'ServerBusy', message: { lang: 'en-US', value: message } } }));
  } else {
    response.writeHead(503, { 'content-type': 'application/xml', 'x-ms-error-code': 'ServerBusy' });
    response.end(
      `<?xml version="1.0" encoding="utf-8"?><Error><Code>ServerBusy</Code><Message>${message}</Message></Error>`,
    );
  }
}
