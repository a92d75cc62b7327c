/**
 * The trigger data the host hands the worker, in the host's own shapes (PascalCase where it serialises them
 * so; the programming model camel-cases them): a timer's TimerInfo, an HTTP request with the URL its route
 * makes, a Storage queue message's binding data; and the HTTP response the host makes of the worker's answer.
 */
import { randomUUID } from 'node:crypto';
import type { RpcHttpData, RpcTypedData } from './core-types.js';
import type {
  HostFunction,
  HttpInvocationRequest,
  HttpResponseData,
  QueueInvocationOptions,
  TimerInvocationOptions,
} from './host-types.js';
import { expandRoute } from './http-routes.js';

/** Host-style start-up local origin, for the URLs HTTP functions see. */
const LOCAL_HOST_ORIGIN = 'http://localhost:7071';
/** Storage queues keep a message 7 days by default. */
const QUEUE_MESSAGE_TIME_TO_LIVE_MS = 7 * 24 * 60 * 60 * 1000;
/** The queue listener keeps a message it is processing invisible for 10 minutes (renewed while it runs). */
const QUEUE_VISIBILITY_TIMEOUT_MS = 10 * 60 * 1000;
/** The host's "never run" instant in timer schedule status. */
const NEVER = '0001-01-01T00:00:00';

/** The timer monitor's status from before a run (null: never ran). */
export type ScheduleStatus = NonNullable<TimerInvocationOptions['scheduleStatus']>;

/** The host's TimerInfo; `monitored` is the binding's `useMonitor` (a status only with the monitor on). */
export function timerInfoData(status: ScheduleStatus, monitored: boolean, isPastDue: boolean): RpcTypedData {
  const timerInfo = {
    Schedule: { AdjustForDST: true },
    ScheduleStatus: monitored
      ? {
          Last: isoOrNever(status.last),
          Next: isoOrNever(status.next),
          LastUpdated: isoOrNever(status.lastUpdated),
        }
      : null,
    IsPastDue: isPastDue,
  };
  return { json: JSON.stringify(timerInfo) };
}

/** The URL an HTTP function sees: its route with the request's parameters, under the local origin, and the query. */
export function requestUrl(fn: HostFunction, request: HttpInvocationRequest): URL {
  const url = new URL(expandRoute(fn, request.params ?? {}), LOCAL_HOST_ORIGIN);
  for (const [key, value] of Object.entries(request.query ?? {})) {
    url.searchParams.set(key, value);
  }
  return url;
}

/** The request as the host passes it to the worker (headers in lower case). */
export function httpData(request: HttpInvocationRequest, url: URL): RpcHttpData {
  return {
    method: request.method.toUpperCase(),
    url: url.href,
    headers: lowerCaseKeys(request.headers ?? {}),
    query: { ...request.query },
    params: { ...request.params },
    body: request.body === undefined ? null : { string: request.body },
  };
}

/** The Storage extension's binding data for one message, with the defaults of a first delivery now. */
export function queueTriggerMetadata(
  messageText: string,
  options: QueueInvocationOptions,
): Record<string, RpcTypedData> {
  const insertionTime = options.insertionTime ?? new Date();
  const instant = (date: Date): RpcTypedData => ({ json: JSON.stringify(date.toISOString()) });
  return {
    QueueTrigger: { string: messageText },
    Id: { string: options.messageId ?? randomUUID() },
    DequeueCount: { int: options.dequeueCount ?? 1 },
    InsertionTime: instant(insertionTime),
    ExpirationTime: instant(new Date(insertionTime.getTime() + QUEUE_MESSAGE_TIME_TO_LIVE_MS)),
    NextVisibleTime: instant(new Date(Date.now() + QUEUE_VISIBILITY_TIMEOUT_MS)),
    PopReceipt: { string: options.popReceipt ?? randomUUID() },
  };
}

/** The response the host answers with: the worker's HTTP return value, or an empty 204 when there is none. */
export function toHttpResponse(returnValue: RpcTypedData | null | undefined): HttpResponseData {
  const http = returnValue?.http;
  if (!http) {
    // The handler returned no response: answered as an empty 204.
    return { status: 204, headers: {}, body: '' };
  }
  const body = http.body?.bytes ? Buffer.from(http.body.bytes).toString('utf8') : (http.body?.string ?? '');
  return { status: Number(http.statusCode ?? 200), headers: lowerCaseKeys(http.headers ?? {}), body };
}

function lowerCaseKeys(headers: Readonly<Record<string, string>>): Record<string, string> {
  return Object.fromEntries(Object.entries(headers).map(([key, value]) => [key.toLowerCase(), value]));
}

function isoOrNever(instant: Date | null): string {
  return instant ? instant.toISOString() : NEVER;
}
