/**
 * The one module that calls node-fetch: every outbound request of the app's own clients leaves here.
 * Redirects are never followed (a redirect would carry a token or a credential to another URL); the
 * body is read whole, under the request's signal, so that timeouts cover it.
 */
import fetch from 'node-fetch';
import type { HttpRequest, HttpResponse, HttpTransport } from './pipeline.js';

export const nodeFetchTransport: HttpTransport = async (request: HttpRequest): Promise<HttpResponse> => {
  const signal = request.attemptSignal ?? request.abortSignal;
  const response = await fetch(request.url, {
    method: request.method,
    headers: request.headers,
    ...(request.body === undefined ? {} : { body: request.body }),
    redirect: 'manual',
    ...(request.agent ? { agent: request.agent } : {}),
    ...(signal ? { signal } : {}),
  });
  const headers = Object.fromEntries([...response.headers].map(([name, value]) => [name.toLowerCase(), value]));
  const bodyAsText = request.tolerateBodyErrors ? await response.text().catch(() => '') : await response.text();
  return { request, status: response.status, headers, bodyAsText };
};
