/**
 * A fresh `client-request-id` per attempt: the id Microsoft support asks for, quoted in our errors. A
 * caller that sets its own (MSAL sends its correlation id) keeps it.
 */
import { randomUUID } from 'node:crypto';
import type { HttpPolicy } from './pipeline.js';

export const CLIENT_REQUEST_ID = 'client-request-id';

export function clientRequestIdPolicy(): HttpPolicy {
  const stamped = new WeakSet<object>();
  return {
    name: 'clientRequestId',
    sendRequest(request, next) {
      if (request.headers[CLIENT_REQUEST_ID] === undefined || stamped.has(request)) {
        request.headers[CLIENT_REQUEST_ID] = randomUUID();
        stamped.add(request);
      }
      return next(request);
    },
  };
}

/** `client-request-id X, request-id Y`: the correlation ids of an answer, for messages. */
export function describeRequestIds(
  request: { readonly headers: Readonly<Record<string, string>> },
  responseHeaders?: Readonly<Record<string, string>>,
): string {
  const sent = `client-request-id ${request.headers[CLIENT_REQUEST_ID] ?? 'none'}`;
  return responseHeaders === undefined ? sent : `${sent}, request-id ${responseHeaders['request-id'] ?? 'none'}`;
}
