/** The rule for `AzureWebJobsStorage` as a connection string: a form the queue client can use, never shown. */
import * as v from 'valibot';
import { reasoned } from './rule.js';
import type { Rule } from './rule.js';

const BASE64 = /^[A-Za-z0-9+/]+={0,2}$/;

/** Whether `text` is a connection string the queue client can use; nothing of it is ever shown. */
function isUsableConnectionString(text: string): boolean {
  const pairs = new Map<string, string>();
  for (const segment of text.split(';')) {
    if (segment.trim() === '') continue;
    const separator = segment.indexOf('=');
    if (separator < 1) return false;
    pairs.set(segment.slice(0, separator).trim().toLowerCase(), segment.slice(separator + 1).trim());
  }
  if (pairs.get('usedevelopmentstorage')?.toLowerCase() === 'true') {
    return true;
  }
  const protocol = pairs.get('defaultendpointsprotocol')?.toLowerCase();
  if (protocol !== undefined && protocol !== 'https' && protocol !== 'http') {
    return false;
  }
  const queueEndpoint = pairs.get('queueendpoint');
  if (queueEndpoint !== undefined && !URL.canParse(queueEndpoint)) {
    return false;
  }
  const accountKey = pairs.get('accountkey');
  const hasAccountKey = pairs.has('accountname') && accountKey !== undefined && BASE64.test(accountKey);
  const hasSharedAccessSignature = (pairs.get('sharedaccesssignature') ?? '') !== '';
  return hasAccountKey || (queueEndpoint !== undefined && hasSharedAccessSignature);
}

export const connectionString: Rule<string> = {
  expected:
    'a storage connection string: "UseDevelopmentStorage=true" locally, "DefaultEndpointsProtocol=https;AccountName=…;AccountKey=…;EndpointSuffix=core.windows.net", or a QueueEndpoint with a SharedAccessSignature',
  show: () => undefined,
  schema: v.pipe(
    v.string(),
    reasoned((text) =>
      isUsableConnectionString(text) ? undefined : 'the value set is not one, and is not shown as it may hold a key',
    ),
  ),
};
