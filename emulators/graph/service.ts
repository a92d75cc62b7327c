/**
 * Microsoft Graph emulator (`/v1.0`): SharePoint list items and sendMail, behind Graph's token
 * checks and app-role authorisation, answering with Graph's shapes and error codes.
 */
import type { GraphSeed, ListItemSeed, UserSeed } from '../stack/seed.js';
import type { EmulatorRequest, EmulatorResponse, Route, ServiceDefinition, TokenVerifier } from '../stack/types.js';
import { authenticate, authorizeMailSend, authorizeSiteRead } from './auth.js';
import { createListStore } from './list-data.js';
import { readListItemsPage } from './list-items.js';
import type { SentMail } from './mail.js';
import { acceptMail, createOutbox } from './mail.js';
import { createMailboxModel } from './mailboxes.js';
import type { MailboxControl, MailboxModelOptions } from './mailboxes.js';
import { createGraphResponder, GraphRequestError } from './responses.js';
import { createSkipTokenCodec } from './skip-token.js';

export type { SentMail, MailAddress } from './mail.js';
export type { MailboxControl, MailboxLimits, MailboxModelOptions, MailboxRefusal, MailboxUsage } from './mailboxes.js';

export interface GraphControl {
  /** Messages accepted by sendMail, oldest first. */
  outbox(): readonly SentMail[];
  clearOutbox(): void;
  /** Replaces a list's items (a generated list becomes a seeded one); throws for an unknown site or list. */
  replaceListItems(siteId: string, listIdOrName: string, items: readonly ListItemSeed[]): void;
  /** The sender mailboxes' limits, usage, clock and mailbox-wide refusals (mailboxes.ts). */
  readonly mailboxes: MailboxControl;
}

export interface GraphServiceOptions {
  readonly seed: GraphSeed;
  readonly verifier: TokenVerifier;
  /** Epoch milliseconds; default `Date.now`. Stamps sent mail and error dates. */
  readonly clock?: () => number;
  /** The stack's start, against which `today±N` seed dates resolve; default the clock's now. */
  readonly now?: Date;
  /** The sender mailboxes' sending limits (default: Exchange Online's) and their clock's speed. */
  readonly mailboxes?: MailboxModelOptions;
}

/** Path templates the emulator serves, for naming the segment Graph could not resolve. */
const servedPaths: readonly (readonly string[])[] = [
  ['sites', ':siteId', 'lists', ':listId', 'items'],
  ['users', ':userId', 'sendMail'],
];

function unresolvedSegment(segments: readonly string[]): { segment: string; fullMatch: boolean } {
  let candidates = servedPaths;
  for (const [position, segment] of segments.entries()) {
    const next = candidates.filter((template) => {
      const expected = template[position];
      return expected !== undefined && (expected.startsWith(':') || expected.toLowerCase() === segment.toLowerCase());
    });
    if (next.length === 0) {
      return { segment, fullMatch: false };
    }
    candidates = next;
  }
  return {
    segment: segments.at(-1) ?? '',
    fullMatch: candidates.some((template) => template.length === segments.length),
  };
}

function findUser(users: readonly UserSeed[], idOrPrincipalName: string): UserSeed | undefined {
  const key = idOrPrincipalName.toLowerCase();
  return users.find((user) => user.id.toLowerCase() === key || user.userPrincipalName.toLowerCase() === key);
}

export function createGraphService(options: GraphServiceOptions): ServiceDefinition & { control: GraphControl } {
  const { seed, verifier } = options;
  const clock = options.clock ?? Date.now;
  const now = options.now ?? new Date(clock());
  const respond = createGraphResponder(clock);
  const lists = createListStore({ seed, now });
  const outbox = createOutbox();
  const skipTokens = createSkipTokenCodec();
  const mailboxes = createMailboxModel({ ...options.mailboxes, clock });

  /** Graph's refusals become Graph error responses; anything else is a crash for `internalError`. */
  const guarded =
    (handle: (request: EmulatorRequest) => Promise<EmulatorResponse>) =>
    async (request: EmulatorRequest): Promise<EmulatorResponse> => {
      try {
        return await handle(request);
      } catch (error) {
        if (error instanceof GraphRequestError) {
          return respond.error(request, error);
        }
        throw error;
      }
    };

  const param = (request: EmulatorRequest, name: string): string => request.params[name] ?? '';

  const routes: Route[] = [
    {
      name: 'graph.listItems',
      method: 'GET',
      path: '/v1.0/sites/:siteId/lists/:listId/items',
      handle: guarded(async (request) => {
        const claims = await authenticate(request, verifier);
        const siteId = param(request, 'siteId');
        authorizeSiteRead(claims, siteId, seed.siteGrants);
        const list = lists.get(siteId, param(request, 'listId'));
        return respond.json(request, 200, readListItemsPage({ request, list, skipTokens }));
      }),
    },
    {
      name: 'graph.sendMail',
      method: 'POST',
      path: '/v1.0/users/:userId/sendMail',
      handle: guarded(async (request) => {
        const claims = await authenticate(request, verifier);
        authorizeMailSend(claims);
        const userId = param(request, 'userId');
        const sender = findUser(seed.users, userId);
        if (sender === undefined) {
          throw new GraphRequestError(404, 'ErrorInvalidUser', `The requested user '${userId}' is invalid.`);
        }
        const admission = mailboxes.admit(sender);
        try {
          const mail = acceptMail({ sender, body: request.body, sentAt: new Date(clock()) });
          const recipients = [...mail.toRecipients, ...mail.ccRecipients, ...mail.bccRecipients];
          await admission.accept(recipients.map((recipient) => recipient.address));
          outbox.add(mail);
        } finally {
          admission.end();
        }
        return respond.empty(request, 202);
      }),
    },
  ];

  return {
    service: 'graph',
    routes,
    notFound(request) {
      const [version = '', ...segments] = request.url.pathname.split('/').filter((segment) => segment !== '');
      if (version !== 'v1.0' && version !== 'beta') {
        return respond.error(request, new GraphRequestError(400, 'BadRequest', `Invalid version: ${version}`));
      }
      const { segment, fullMatch } = unresolvedSegment(segments.map(safeDecode));
      if (fullMatch && version === 'v1.0') {
        return respond.error(
          request,
          new GraphRequestError(405, 'BadRequest', 'Specified HTTP method is not allowed for the request target.'),
        );
      }
      return respond.error(
        request,
        new GraphRequestError(400, 'BadRequest', `Resource not found for the segment '${segment}'.`),
      );
    },
    internalError(request) {
      return respond.error(
        request,
        new GraphRequestError(500, 'generalException', 'General exception while processing'),
      );
    },
    control: {
      outbox: () => [...outbox.messages],
      clearOutbox: () => outbox.clear(),
      replaceListItems: (siteId, listIdOrName, items) => lists.replaceItems(siteId, listIdOrName, items),
      mailboxes,
    },
  };
}

function safeDecode(segment: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    return segment;
  }
}
