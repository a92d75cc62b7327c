/**
 * `POST /users/{id|userPrincipalName}/sendMail`: the request body read as Graph reads it (unknown
 * properties and wrong types refused, recipients resolved) and an outbox that keeps what was sent.
 */
import { randomUUID } from 'node:crypto';
import { z } from 'zod';
import type { UserSeed } from '../stack/seed.js';
import { GraphRequestError } from './responses.js';

export interface MailAddress {
  readonly address: string;
  readonly name?: string;
}

export interface SentMail {
  readonly id: string;
  /** ISO instant the emulator accepted the message. */
  readonly sentDateTime: string;
  /** The mailbox the message was sent from (the user in the path). */
  readonly from: {
    readonly userId: string;
    readonly userPrincipalName: string;
    readonly address: string;
    readonly name: string;
  };
  readonly subject: string;
  readonly body: { readonly contentType: 'text' | 'html'; readonly content: string };
  readonly toRecipients: readonly MailAddress[];
  readonly ccRecipients: readonly MailAddress[];
  readonly bccRecipients: readonly MailAddress[];
  readonly replyTo: readonly MailAddress[];
  readonly importance: 'low' | 'normal' | 'high';
  readonly internetMessageHeaders: readonly { readonly name: string; readonly value: string }[];
  readonly saveToSentItems: boolean;
}

export interface Outbox {
  readonly messages: readonly SentMail[];
  add(message: SentMail): void;
  clear(): void;
}

export function createOutbox(): Outbox {
  const messages: SentMail[] = [];
  return {
    messages,
    add: (message) => {
      messages.push(message);
    },
    clear: () => {
      messages.length = 0;
    },
  };
}

const ADDRESS_PATTERN = /^[^\s@]+@[^\s@.]+(?:\.[^\s@.]+)+$/;

const emailAddressSchema = z.strictObject({ address: z.string().optional(), name: z.string().optional() });
const recipientSchema = z.strictObject({ emailAddress: emailAddressSchema });
const recipientsSchema = z.array(recipientSchema);
const caseInsensitiveEnum = <T extends string>(values: readonly [T, ...T[]]) =>
  z.string().transform((value, context): T => {
    const found = values.find((candidate) => candidate === value.toLowerCase());
    if (found === undefined) {
      context.addIssue({ code: 'custom', message: `Requested value '${value}' was not found.` });
      return z.NEVER;
    }
    return found;
  });

const messageSchema = z.strictObject({
  subject: z.string().nullable().optional(),
  body: z
    .strictObject({
      contentType: caseInsensitiveEnum(['text', 'html']).optional(),
      content: z.string().nullable().optional(),
    })
    .optional(),
  toRecipients: recipientsSchema.optional(),
  ccRecipients: recipientsSchema.optional(),
  bccRecipients: recipientsSchema.optional(),
  replyTo: recipientsSchema.optional(),
  from: recipientSchema.optional(),
  sender: recipientSchema.optional(),
  importance: caseInsensitiveEnum(['low', 'normal', 'high']).optional(),
  internetMessageHeaders: z.array(z.strictObject({ name: z.string(), value: z.string() })).optional(),
  categories: z.array(z.string()).optional(),
  isReadReceiptRequested: z.boolean().optional(),
  isDeliveryReceiptRequested: z.boolean().optional(),
});

const sendMailSchema = z.strictObject({
  message: messageSchema.optional(),
  saveToSentItems: z.boolean().nullable().optional(),
});

/** Graph's type names, for its "property does not exist" message. */
function typeAt(path: readonly PropertyKey[]): string {
  const last = [...path].reverse().find((segment) => typeof segment === 'string');
  switch (last) {
    case undefined:
      return 'sendMail';
    case 'message':
      return 'microsoft.graph.message';
    case 'body':
      return 'microsoft.graph.itemBody';
    case 'emailAddress':
      return 'microsoft.graph.emailAddress';
    case 'internetMessageHeaders':
      return 'microsoft.graph.internetMessageHeader';
    default:
      return 'microsoft.graph.recipient';
  }
}

function requestBodyRead(message: string, cause?: unknown): GraphRequestError {
  return new GraphRequestError(400, 'RequestBodyRead', message, {}, cause === undefined ? undefined : { cause });
}

function toGraphError(issue: z.core.$ZodIssue): GraphRequestError {
  if (issue.code === 'unrecognized_keys') {
    const key = issue.keys[0] ?? '';
    return issue.path.length === 0
      ? requestBodyRead(
          `The parameter '${key}' in the request payload is not a valid parameter for the operation 'sendMail'.`,
        )
      : requestBodyRead(
          `The property '${key}' does not exist on type '${typeAt(issue.path)}'. Make sure to only use property names that are defined by the type or mark the type as open type.`,
        );
  }
  if (issue.code === 'custom') {
    return requestBodyRead(issue.message);
  }
  const property = issue.path.filter((segment) => typeof segment === 'string').at(-1) ?? 'body';
  return requestBodyRead(`Cannot read the value of property '${String(property)}': ${issue.message}.`);
}

function parseJson(body: Buffer): unknown {
  if (body.length === 0) {
    throw new GraphRequestError(400, 'ErrorInvalidRequest', 'Empty Payload. JSON content expected.');
  }
  try {
    return JSON.parse(body.toString('utf8'));
  } catch (error) {
    throw requestBodyRead('Invalid JSON. A token was not recognized in the JSON content.', error);
  }
}

function toAddresses(recipients: z.infer<typeof recipientsSchema> | undefined): MailAddress[] {
  return (recipients ?? []).map(({ emailAddress }) => ({
    address: emailAddress.address ?? '',
    ...(emailAddress.name === undefined ? {} : { name: emailAddress.name }),
  }));
}

function invalidRecipients(detail: string): GraphRequestError {
  return new GraphRequestError(400, 'ErrorInvalidRecipients', `At least one recipient is not valid., ${detail}`);
}

export interface AcceptMailOptions {
  readonly sender: UserSeed;
  readonly body: Buffer;
  readonly sentAt: Date;
}

/** Validates a sendMail request body as Graph does and returns the message to keep in the outbox. */
export function acceptMail(options: AcceptMailOptions): SentMail {
  const parsed = sendMailSchema.safeParse(parseJson(options.body));
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw issue === undefined ? requestBodyRead('The request body could not be read.') : toGraphError(issue);
  }
  const { message, saveToSentItems } = parsed.data;
  if (message === undefined) {
    throw new GraphRequestError(
      400,
      'ErrorInvalidRequest',
      "The 'message' parameter is missing from the request body.",
    );
  }
  const toRecipients = toAddresses(message.toRecipients);
  const ccRecipients = toAddresses(message.ccRecipients);
  const bccRecipients = toAddresses(message.bccRecipients);
  const all = [...toRecipients, ...ccRecipients, ...bccRecipients];
  if (all.length === 0) {
    throw invalidRecipients("A message can't be sent because it contains no recipients.");
  }
  const unresolved = all.find((recipient) => !ADDRESS_PATTERN.test(recipient.address));
  if (unresolved !== undefined) {
    throw invalidRecipients(
      `Recipient '${unresolved.address}' is not resolved. All recipients must be resolved before a message can be submitted.`,
    );
  }
  const headers = message.internetMessageHeaders ?? [];
  const badHeader = headers.find((header) => !/^x-/i.test(header.name));
  if (badHeader !== undefined) {
    throw new GraphRequestError(
      400,
      'InvalidInternetMessageHeader',
      `The internet message header name '${badHeader.name}' should start with 'x-' or 'X-'.`,
    );
  }
  const { sender } = options;
  return {
    id: randomUUID(),
    sentDateTime: options.sentAt.toISOString(),
    from: {
      userId: sender.id,
      userPrincipalName: sender.userPrincipalName,
      address: sender.mail,
      name: sender.displayName,
    },
    subject: message.subject ?? '',
    body: { contentType: message.body?.contentType ?? 'text', content: message.body?.content ?? '' },
    toRecipients,
    ccRecipients,
    bccRecipients,
    replyTo: toAddresses(message.replyTo),
    importance: message.importance ?? 'normal',
    internetMessageHeaders: headers,
    saveToSentItems: saveToSentItems ?? true,
  };
}
