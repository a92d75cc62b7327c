/**
 * The token goes to the configured origin and path only: every URL (a paging link included) is checked
 * before anything is attached to it. Redirects are never followed (transport.ts).
 */
import type { HttpPolicy } from './pipeline.js';

export type UntrustedUrlReason = 'notAbsolute' | 'outsideBase';

export class UntrustedUrlError extends Error {
  override readonly name = 'UntrustedUrlError';
  readonly reason: UntrustedUrlReason;
  /** Origin and path of the refused URL, when it is one. */
  readonly target?: string;

  constructor(
    reason: UntrustedUrlReason,
    message: string,
    options: { readonly target?: string; readonly cause?: unknown } = {},
  ) {
    super(message, { cause: options.cause });
    this.reason = reason;
    if (options.target !== undefined) this.target = options.target;
  }
}

/** `https://graph.microsoft.com/v1.0` → origin and path prefix without a trailing slash. */
export function baseOf(baseUrl: string): { readonly origin: string; readonly path: string } {
  const base = new URL(baseUrl);
  return { origin: base.origin, path: base.pathname.replace(/\/+$/, '') };
}

export function originPinningPolicy(options: { readonly baseUrl: string }): HttpPolicy {
  const base = baseOf(options.baseUrl);
  return {
    name: 'originPinning',
    async sendRequest(request, next) {
      let url: URL;
      try {
        url = new URL(request.url);
      } catch (error) {
        throw new UntrustedUrlError('notAbsolute', 'The URL is not absolute; no request was sent.', { cause: error });
      }
      const underBase = url.pathname === base.path || url.pathname.startsWith(`${base.path}/`);
      if (url.origin !== base.origin || !underBase || url.username !== '' || url.password !== '') {
        const target = `${url.origin}${url.pathname}`;
        throw new UntrustedUrlError(
          'outsideBase',
          `${target} is not under ${base.origin}${base.path}; no request was sent.`,
          {
            target,
          },
        );
      }
      return next(request);
    },
  };
}
