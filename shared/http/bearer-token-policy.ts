/**
 * `Authorization: Bearer` from a token source, and one fresh token when the server refuses the one
 * sent (401): a cached token may have been revoked. Once per logical request, retries included.
 */
import type { HttpPolicy } from './pipeline.js';

/** What the policy needs of a token provider (the Graph token provider is one). */
export interface AccessTokenSource {
  getAccessToken(options?: { readonly abortSignal?: AbortSignal; readonly forceRefresh?: boolean }): Promise<string>;
}

/** No token could be had (or the caller stopped waiting for one): nothing was sent. */
export class TokenUnavailableError extends Error {
  override readonly name = 'TokenUnavailableError';

  constructor(options: { readonly cause: unknown }) {
    super('No access token; nothing was sent.', options);
  }
}

export function bearerTokenPolicy(options: { readonly tokens: AccessTokenSource }): HttpPolicy {
  const refreshed = new WeakSet<object>();
  const authorize = async (request: { readonly abortSignal?: AbortSignal }, forceRefresh: boolean): Promise<string> => {
    try {
      const token = await options.tokens.getAccessToken({
        forceRefresh,
        ...(request.abortSignal ? { abortSignal: request.abortSignal } : {}),
      });
      return `Bearer ${token}`;
    } catch (error) {
      throw new TokenUnavailableError({ cause: error });
    }
  };
  return {
    name: 'bearerToken',
    async sendRequest(request, next) {
      request.headers.Authorization = await authorize(request, false);
      const response = await next(request);
      if (response.status !== 401 || refreshed.has(request)) {
        return response;
      }
      refreshed.add(request);
      request.headers.Authorization = await authorize(request, true);
      return next(request);
    },
  };
}
