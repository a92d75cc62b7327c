/** An answer's body as JSON, parsed once however many policies and clients look at it. */
import type { HttpResponse } from './pipeline.js';

export type JsonBody = { readonly ok: true; readonly value: unknown } | { readonly ok: false; readonly error: unknown };

const parsed = new WeakMap<HttpResponse, JsonBody>();

export function jsonBody(response: HttpResponse): JsonBody {
  let body = parsed.get(response);
  if (body === undefined) {
    try {
      body = { ok: true, value: JSON.parse(response.bodyAsText) };
    } catch (error) {
      body = { ok: false, error };
    }
    parsed.set(response, body);
  }
  return body;
}
