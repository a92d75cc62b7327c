/** The rule of SENDER_MAILBOXES: a list of mailboxes, each optionally with its own pace and daily budget. */
import * as v from 'valibot';
import { quote } from './rule.js';
import type { Rule } from './rule.js';
import { isMailboxName } from './rules.js';

/** One entry of SENDER_MAILBOXES: a mailbox, with its own pace and daily budget when given. */
export interface SenderMailboxEntry {
  readonly mailbox: string;
  readonly messagesPerMinute?: number;
  readonly recipientsPerDay?: number;
}

const LIMIT = /^\d{1,7}$/;

/** SENDER_MAILBOXES' text as entries, or why it is not a list of them. */
function readSenderMailboxes(text: string): SenderMailboxEntry[] | string {
  const entries: SenderMailboxEntry[] = [];
  for (const entry of text.split(/[,;]/).map((item) => item.trim())) {
    if (entry === '') return 'an entry is blank';
    const [address = '', perMinute, perDay, ...rest] = entry.split('|').map((part) => part.trim());
    if (!isMailboxName(address) || rest.length > 0) {
      return `${quote(entry)} is not "mailbox" or "mailbox|messages per minute|recipients per day"`;
    }
    const limit = (part: string | undefined): number | undefined | string =>
      part === undefined || part === '' ? undefined : LIMIT.test(part) && Number(part) > 0 ? Number(part) : part;
    const messagesPerMinute = limit(perMinute);
    const recipientsPerDay = limit(perDay);
    if (typeof messagesPerMinute === 'string' || typeof recipientsPerDay === 'string') {
      return `${quote(entry)}: the limits must be whole numbers above 0`;
    }
    if (entries.some((known) => known.mailbox.toLowerCase() === address.toLowerCase())) {
      return `${quote(address)} is listed twice`;
    }
    entries.push({
      mailbox: address,
      ...(messagesPerMinute === undefined ? {} : { messagesPerMinute }),
      ...(recipientsPerDay === undefined ? {} : { recipientsPerDay }),
    });
  }
  return entries;
}

export const senderMailboxes: Rule<readonly SenderMailboxEntry[]> = {
  expected:
    'a comma-separated list of mailboxes (user principal names or object ids), each optionally with its own limits as "mailbox|messages per minute|recipients per day", e.g. "billing@contoso.com, billing2@contoso.com|20|5000"',
  schema: v.pipe(
    v.string(),
    v.rawTransform(({ dataset, addIssue, NEVER }) => {
      const read = readSenderMailboxes(dataset.value);
      if (typeof read !== 'string') return read;
      addIssue({ message: read });
      return NEVER;
    }),
  ),
};
