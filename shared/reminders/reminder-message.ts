/**
 * Reads a reminder queue message (schema `due-notifier.reminder/v1`) as the delivery receives it: checks
 * every field it relies on, including that the id is the one the sweep derives from the obligation, the
 * due date and the reminder day (it is the idempotency key). Problems name the field, never its value
 * (values are customer data). The texts are cleaned again as the sweep cleans them (plain-text.ts): a
 * message on the queue may not be the sweep's.
 */
import { isCalendarDate, parseIsoInstant } from './calendar.js';
import { isRecord } from '../base/is-record.js';
import { normalizeCurrencyCode } from './money.js';
import { REMINDER_ID_FORM, formatReminderId } from './reminder-id.js';
import { isPlausibleEmailAddress } from './email-address.js';
import { canonicalLanguageTag } from './language.js';
import { plainText } from './plain-text.js';
import { MAX_TEXT_FIELD_LENGTH, REMINDER_MESSAGE_SCHEMA } from './rules.js';
import type { ReminderMessage } from './rules.js';

/**
 * SharePoint item ids are short; anything longer is not one. The bound keeps ledger keys (obligation id
 * and reminder id) far below Table storage's 1 KiB key limit, even percent-encoded.
 */
export const MAX_OBLIGATION_ID_LENGTH = 128;
const MAX_REMINDER_DAY = 365;
/** Amounts as the sweep writes them: below 10^15, at most three fraction digits (BHD, KWD, ...). */
const AMOUNT = /^\d{1,15}(?:\.\d{1,3})?$/;
const CONTROL_CHARACTERS = /\p{Cc}/u;
/**
 * Run ids as the runs get them: the invocation id (a GUID) or the CLI's UUID. Letters, digits, `-`, `_`
 * and `.`, so that they are Table keys as they are and safe in a URL path.
 */
const RUN_ID = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;

/** Whether `value` has the form of a run id (the run history's key of a run). */
export function isRunId(value: string): boolean {
  return RUN_ID.test(value);
}

export type ReminderMessageReading =
  | { readonly ok: true; readonly reminder: ReminderMessage }
  | { readonly ok: false; readonly field: string; readonly problem: string };

/**
 * `value` as a queue trigger hands it over: an object (the host parsed the JSON), or a string or
 * bytes that were not parsed.
 */
export function readReminderMessage(value: unknown): ReminderMessageReading {
  const body = typeof value === 'string' || Buffer.isBuffer(value) ? parseJson(value.toString()) : value;
  if (!isRecord(body)) {
    return invalid('message', 'is not a JSON object');
  }
  if (body.schema !== REMINDER_MESSAGE_SCHEMA) {
    return invalid('schema', `is not "${REMINDER_MESSAGE_SCHEMA}"`);
  }
  const {
    obligationId,
    dueDate,
    daysBefore,
    daysLeft,
    id,
    reference,
    customer,
    amount,
    currency,
    createdAt,
    language,
    runId,
  } = body;
  if (
    typeof obligationId !== 'string' ||
    obligationId === '' ||
    obligationId.length > MAX_OBLIGATION_ID_LENGTH ||
    CONTROL_CHARACTERS.test(obligationId)
  ) {
    return invalid(
      'obligationId',
      `is not a list item id (1 to ${MAX_OBLIGATION_ID_LENGTH} characters, no control characters)`,
    );
  }
  if (typeof dueDate !== 'string' || !isCalendarDate(dueDate)) {
    return invalid('dueDate', 'is not a calendar date YYYY-MM-DD');
  }
  if (!isWholeNumber(daysBefore) || daysBefore > MAX_REMINDER_DAY) {
    return invalid('daysBefore', `is not a whole number from 0 to ${MAX_REMINDER_DAY}`);
  }
  if (!isWholeNumber(daysLeft) || daysLeft > daysBefore) {
    return invalid('daysLeft', 'is not a whole number from 0 to daysBefore');
  }
  if (id !== formatReminderId({ obligationId, dueDate, daysBefore })) {
    return invalid('id', `is not "${REMINDER_ID_FORM}"`);
  }
  if (typeof reference !== 'string' || reference.length > MAX_TEXT_FIELD_LENGTH) {
    return invalid('reference', `is not a text of at most ${MAX_TEXT_FIELD_LENGTH} characters`);
  }
  if (!isRecord(customer)) {
    return invalid('customer', 'is not an object');
  }
  if (typeof customer.name !== 'string' || customer.name.length > MAX_TEXT_FIELD_LENGTH) {
    return invalid('customer.name', `is not a text of at most ${MAX_TEXT_FIELD_LENGTH} characters`);
  }
  if (typeof customer.email !== 'string' || !isPlausibleEmailAddress(customer.email)) {
    return invalid('customer.email', 'is not an e-mail address');
  }
  if (typeof amount !== 'string' || !AMOUNT.test(amount)) {
    return invalid('amount', 'is not a decimal string such as "1250.00"');
  }
  if (typeof currency !== 'string' || normalizeCurrencyCode(currency) !== currency) {
    return invalid('currency', 'is not an upper-case ISO 4217 currency code');
  }
  if (typeof createdAt !== 'string' || parseIsoInstant(createdAt) === undefined) {
    return invalid('createdAt', 'is not an ISO 8601 instant');
  }
  // Optional: messages written before the Language column, or for customers without one, have none.
  if (language !== undefined && (typeof language !== 'string' || canonicalLanguageTag(language) !== language)) {
    return invalid('language', 'is not a canonical BCP 47 language tag such as "de" or "fr-CH"');
  }
  // Optional: messages written before the run history have none.
  if (runId !== undefined && (typeof runId !== 'string' || !isRunId(runId))) {
    return invalid('runId', 'is not a run id (1 to 64 letters, digits, ".", "-" or "_")');
  }
  return {
    ok: true,
    reminder: {
      schema: REMINDER_MESSAGE_SCHEMA,
      id,
      obligationId,
      reference: plainText(reference),
      customer: { name: plainText(customer.name), email: customer.email },
      dueDate,
      daysBefore,
      daysLeft,
      amount,
      currency,
      createdAt,
      ...(language === undefined ? {} : { language }),
      ...(runId === undefined ? {} : { runId }),
    },
  };
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

function isWholeNumber(value: unknown): value is number {
  return typeof value === 'number' && Number.isInteger(value) && value >= 0;
}

function invalid(field: string, problem: string): ReminderMessageReading {
  return { ok: false, field, problem };
}
