/**
 * The sending limits of each Exchange Online mailbox behind `POST /users/{id}/sendMail`, configurable per
 * mailbox: concurrent requests, messages per minute, requests per 10 minutes and recipients per rolling
 * 24 hours, each refused with Graph's error shape and a `Retry-After` when waiting helps; plus
 * mailbox-wide refusals for a while (a locked mailbox: 423) that tests switch on.
 *
 * What the limits and answers are based on:
 * - Graph's Outlook service limits (learn.microsoft.com/graph/throttling-limits, "Outlook service
 *   limits"): 4 concurrent requests and 10,000 requests per 10 minutes per app and mailbox; beyond them
 *   429 with `Retry-After`. The body `{"error":{"code":"ApplicationThrottled","message":"Application is
 *   over its MailboxConcurrency limit."}}` is the one developers quote (Microsoft Q&A 734143 and
 *   1660054); the request-count refusal follows the same pattern (`... over its MailboxRequests limit.`).
 *   Throttled requests count towards the 10-minute limit too.
 * - Exchange Online's sending limits (learn.microsoft.com/office365/servicedescriptions, "Exchange Online
 *   limits"): 30 messages per minute and 10,000 recipients per day, the day being the last 24 hours
 *   ("messages can't be sent from the mailbox until the number of recipients that were sent messages in
 *   the past 24 hours drops below the limit"). Exchange holds a faster sender's messages in the Outbox;
 *   like the issue that introduced this model, the emulator answers 429 `ApplicationThrottled` with the
 *   time until a message slot frees, which is what a client sees when Graph is over the message rate.
 *   Over the recipient limit Exchange refuses the submission (NDR 5.1.90, "you've reached your daily limit
 *   for message recipients"); the emulator answers 403 `ErrorExceededMessageLimit`, the Exchange error code
 *   for a sender over its limits, with no `Retry-After` (Exchange gives none).
 *
 * Time: every window is measured on the mailbox's clock, which runs `timeScale` times faster than the
 * stack's clock, and every `Retry-After` is converted back to real seconds. With `timeScale: 600` a
 * minute of the mailbox passes in 100 ms and a client that simply honours `Retry-After` keeps pace with
 * it (the benchmark runs an hour of sending in six seconds that way).
 */
import { GraphRequestError } from './responses.js';

export interface MailboxLimits {
  /** Requests the mailbox serves at once; default 4. */
  readonly concurrentRequests: number;
  /** Messages accepted in any 60 s (mailbox time); default 30. */
  readonly messagesPerMinute: number;
  /** Requests (refused ones included) in any 10 minutes (mailbox time); default 10,000. */
  readonly requestsPerTenMinutes: number;
  /** Recipients in any 24 hours (mailbox time); default 10,000. */
  readonly recipientsPerDay: number;
  /** Real milliseconds the mailbox takes to accept a message (the request is in flight meanwhile); default 0. */
  readonly acceptLatencyMs: number;
}

export const DEFAULT_MAILBOX_LIMITS: MailboxLimits = {
  concurrentRequests: 4,
  messagesPerMinute: 30,
  requestsPerTenMinutes: 10_000,
  recipientsPerDay: 10_000,
  acceptLatencyMs: 0,
};

/** The stack option `mailboxes`: limits for every mailbox, overrides per mailbox, and the mailbox clock's speed. */
export interface MailboxModelOptions {
  /** Limits of every mailbox (missing ones: the defaults); `false` switches the limits off. */
  readonly limits?: Partial<MailboxLimits> | false;
  /** Per mailbox, by user principal name or object id (case-insensitive): overrides of `limits`. */
  readonly perMailbox?: Readonly<Record<string, Partial<MailboxLimits>>>;
  /** Mailbox seconds per real second (time compression); default 1. */
  readonly timeScale?: number;
}

/** A mailbox-wide refusal switched on for a while, e.g. `{ status: 423, code: 'ErrorMailboxLocked' }`. */
export interface MailboxRefusal {
  readonly status: number;
  readonly code: string;
  readonly message: string;
  /** How long it lasts, in mailbox milliseconds; default until `clearRefusals`. */
  readonly forMs?: number;
  /** `Retry-After` to send with it, in mailbox seconds; default none. */
  readonly retryAfterSeconds?: number;
}

export interface MailboxUsage {
  readonly inFlight: number;
  /** Requests in the last 10 minutes, messages in the last minute, recipients in the last 24 hours. */
  readonly requestsLastTenMinutes: number;
  readonly messagesLastMinute: number;
  readonly recipientsLastDay: number;
  /** Every sendMail request and every one refused for a limit, since the start. */
  readonly requests: number;
  readonly throttled: number;
  /** The throttled requests by the limit they passed: `MailboxRequests`, `MailboxConcurrency`, `MessageRate`. */
  readonly throttledBy: Readonly<Record<string, number>>;
  /** The largest number of requests in flight at once. */
  readonly peakInFlight: number;
}

export interface MailboxControl {
  /** The mailbox clock (epoch ms, running `timeScale` times faster than the stack's clock). */
  now(): number;
  readonly timeScale: number;
  /** The limits that apply to a mailbox (user principal name or id). */
  limitsOf(mailbox: string): MailboxLimits;
  /** Refuses every sendMail of `mailbox` (`*`: every mailbox) with `refusal` until it ends. */
  refuse(mailbox: string, refusal: MailboxRefusal): void;
  /**
   * Refuses every message to `address` (case-insensitive), e.g. 400 `ErrorInvalidRecipients` for a
   * recipient Exchange cannot resolve: a refusal of the message, not of the mailbox.
   */
  refuseRecipient(address: string, refusal: MailboxRefusal): void;
  clearRefusals(): void;
  usage(mailbox: string): MailboxUsage;
  /** Forgets the counts of every mailbox (windows, totals), as after a day of rest. */
  reset(): void;
}

/** One sendMail as the mailbox sees it: the sender's names, and how many recipients the message has. */
export interface MailboxSender {
  readonly id: string;
  readonly userPrincipalName: string;
}

export interface MailboxModel extends MailboxControl {
  /**
   * Admits one request of `sender` (throws GraphRequestError 429 over the concurrency or request limit,
   * or the active refusal); the returned function ends it. `accept` then checks the message's recipients
   * (refused recipients) and the message and recipient limits, and counts it.
   */
  admit(sender: MailboxSender): {
    readonly accept: (recipients: readonly string[]) => Promise<void>;
    readonly end: () => void;
  };
}

const MINUTE = 60_000;
const TEN_MINUTES = 10 * MINUTE;
const DAY = 24 * 60 * MINUTE;

/** Instants (mailbox ms) in a sliding window, oldest first; each may weigh more than one (recipients). */
class SlidingWindow {
  private readonly times: number[] = [];
  private readonly weights: number[] = [];
  private head = 0;
  private sum = 0;

  constructor(private readonly lengthMs: number) {}

  total(now: number): number {
    while (this.head < this.times.length && (this.times[this.head] ?? 0) <= now - this.lengthMs) {
      this.sum -= this.weights[this.head] ?? 0;
      this.head += 1;
    }
    if (this.head > 1024 && this.head * 2 > this.times.length) {
      this.times.splice(0, this.head);
      this.weights.splice(0, this.head);
      this.head = 0;
    }
    return this.sum;
  }

  add(now: number, weight = 1): void {
    this.times.push(now);
    this.weights.push(weight);
    this.sum += weight;
  }

  /** Mailbox ms from `now` until the total drops to at most `limit - needed`. */
  waitFor(now: number, limit: number, needed = 1): number {
    let excess = this.total(now) - (limit - needed);
    for (let index = this.head; index < this.times.length && excess > 0; index += 1) {
      excess -= this.weights[index] ?? 0;
      if (excess <= 0) return Math.max(0, (this.times[index] ?? now) + this.lengthMs - now);
    }
    return 0;
  }
}

interface MailboxState {
  inFlight: number;
  peakInFlight: number;
  requests: number;
  readonly throttledBy: Record<string, number>;
  readonly requestWindow: SlidingWindow;
  readonly messageWindow: SlidingWindow;
  readonly recipientWindow: SlidingWindow;
}

interface ActiveRefusal extends MailboxRefusal {
  readonly mailbox: string;
  readonly until: number;
}

export function createMailboxModel(options: MailboxModelOptions & { readonly clock: () => number }): MailboxModel {
  const timeScale = options.timeScale ?? 1;
  if (!(Number.isFinite(timeScale) && timeScale > 0)) {
    throw new RangeError(`The mailbox timeScale must be a positive number, got ${timeScale}.`);
  }
  const origin = options.clock();
  const now = (): number => origin + (options.clock() - origin) * timeScale;
  const enabled = options.limits !== false;
  const base: MailboxLimits = { ...DEFAULT_MAILBOX_LIMITS, ...(options.limits || {}) };
  const overrides = new Map(
    Object.entries(options.perMailbox ?? {}).map(([mailbox, limits]) => [mailbox.toLowerCase(), limits]),
  );
  const states = new Map<string, MailboxState>();
  let refusals: ActiveRefusal[] = [];
  const recipientRefusals = new Map<string, MailboxRefusal>();

  const keyOf = (mailbox: string): string => mailbox.toLowerCase();
  const limitsFor = (sender: MailboxSender): MailboxLimits => ({
    ...base,
    ...overrides.get(keyOf(sender.userPrincipalName)),
    ...overrides.get(keyOf(sender.id)),
  });
  /** One state per mailbox, found by its id and by its user principal name. */
  const stateOf = (sender: MailboxSender): MailboxState => {
    let state = states.get(keyOf(sender.id));
    if (state === undefined) {
      state = {
        inFlight: 0,
        peakInFlight: 0,
        requests: 0,
        throttledBy: {},
        requestWindow: new SlidingWindow(TEN_MINUTES),
        messageWindow: new SlidingWindow(MINUTE),
        recipientWindow: new SlidingWindow(DAY),
      };
      states.set(keyOf(sender.id), state);
      states.set(keyOf(sender.userPrincipalName), state);
    }
    return state;
  };
  /** Mailbox ms as the real seconds of a `Retry-After` header (at least 1 ms, fractional as Graph may send). */
  const retryAfter = (mailboxMs: number): Record<string, string> => ({
    'Retry-After': String(Math.max(0.001, Math.ceil(mailboxMs / timeScale) / 1000)),
  });
  const throttled = (state: MailboxState, limit: string, waitMs: number): GraphRequestError => {
    state.throttledBy[limit] = (state.throttledBy[limit] ?? 0) + 1;
    return new GraphRequestError(
      429,
      'ApplicationThrottled',
      `Application is over its ${limit} limit.`,
      retryAfter(waitMs),
    );
  };
  const activeRefusal = (sender: MailboxSender): ActiveRefusal | undefined => {
    const at = now();
    refusals = refusals.filter((refusal) => refusal.until > at);
    return refusals.find(
      (refusal) =>
        refusal.mailbox === '*' ||
        refusal.mailbox === keyOf(sender.id) ||
        refusal.mailbox === keyOf(sender.userPrincipalName),
    );
  };

  return {
    now,
    timeScale,
    limitsOf: (mailbox) => limitsFor({ id: mailbox, userPrincipalName: mailbox }),
    refuse(mailbox, refusal) {
      refusals.push({ ...refusal, mailbox: keyOf(mailbox), until: now() + (refusal.forMs ?? Infinity) });
    },
    refuseRecipient(address, refusal) {
      recipientRefusals.set(address.toLowerCase(), refusal);
    },
    clearRefusals() {
      refusals = [];
      recipientRefusals.clear();
    },
    usage(mailbox) {
      const state = states.get(keyOf(mailbox));
      const at = now();
      return {
        inFlight: state?.inFlight ?? 0,
        requestsLastTenMinutes: state?.requestWindow.total(at) ?? 0,
        messagesLastMinute: state?.messageWindow.total(at) ?? 0,
        recipientsLastDay: state?.recipientWindow.total(at) ?? 0,
        requests: state?.requests ?? 0,
        throttled: Object.values(state?.throttledBy ?? {}).reduce((sum, count) => sum + count, 0),
        throttledBy: { ...state?.throttledBy },
        peakInFlight: state?.peakInFlight ?? 0,
      };
    },
    reset() {
      states.clear();
    },
    admit(sender) {
      const state = stateOf(sender);
      const limits = limitsFor(sender);
      const at = now();
      state.requests += 1;
      if (enabled) {
        const requestWait = state.requestWindow.waitFor(at, limits.requestsPerTenMinutes);
        state.requestWindow.add(at);
        if (requestWait > 0) throw throttled(state, 'MailboxRequests', requestWait);
        // Exchange's concurrency refusals carry no useful wait: a second is what clients are told.
        if (state.inFlight >= limits.concurrentRequests)
          throw throttled(state, 'MailboxConcurrency', 1_000 * timeScale);
      }
      const refusal = activeRefusal(sender);
      if (refusal !== undefined) {
        throw new GraphRequestError(
          refusal.status,
          refusal.code,
          refusal.message,
          refusal.retryAfterSeconds === undefined ? {} : retryAfter(refusal.retryAfterSeconds * 1000),
        );
      }
      state.inFlight += 1;
      state.peakInFlight = Math.max(state.peakInFlight, state.inFlight);
      let ended = false;
      return {
        async accept(addresses) {
          if (limits.acceptLatencyMs > 0) await new Promise((resolve) => setTimeout(resolve, limits.acceptLatencyMs));
          const refused = addresses.map((address) => recipientRefusals.get(address.toLowerCase())).find(Boolean);
          if (refused !== undefined) throw new GraphRequestError(refused.status, refused.code, refused.message);
          if (!enabled) return;
          const recipients = addresses.length;
          const acceptedAt = now();
          const messageWait = state.messageWindow.waitFor(acceptedAt, limits.messagesPerMinute);
          if (messageWait > 0) throw throttled(state, 'MessageRate', messageWait);
          if (state.recipientWindow.total(acceptedAt) + recipients > limits.recipientsPerDay) {
            throw new GraphRequestError(
              403,
              'ErrorExceededMessageLimit',
              "Cannot send mail. The sender has reached its daily limit for message recipients (5.1.90): messages can't be sent from the mailbox until the number of recipients sent to in the past 24 hours drops below the limit.",
            );
          }
          state.messageWindow.add(acceptedAt);
          state.recipientWindow.add(acceptedAt, recipients);
        },
        end() {
          if (ended) return;
          ended = true;
          state.inFlight -= 1;
        },
      };
    },
  };
}
