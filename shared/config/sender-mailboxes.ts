/**
 * The rules of the sender mailboxes' settings: SENDER_MAILBOXES (a list of mailboxes, each optionally with
 * its own pace and daily budget), and the default pace (Exchange Online: 30 messages a minute; the app
 * sends about 5 % below it, one pace for every instance) and daily budget (10,000 recipients in 24 hours;
 * what does not fit waits for the next day). docs/delivery.md tells the whole story.
 */
import * as v from 'valibot';
import { quote } from './rule.js';
import type { Rule } from './rule.js';
import { isMailboxName, wholeNumber } from './rules.js';

/** MAIL_MESSAGES_PER_MINUTE. */
export const perMinute = wholeNumber('messages', 1, 100_000);
/** MAIL_RECIPIENTS_PER_DAY. */
export const perDay = wholeNumber('recipients', 1, 10_000_000);

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
