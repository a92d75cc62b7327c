/** Which mailbox a reminder goes out from, the pace of a mailbox, and the once-a-minute delivery summary. */
import { describe, expect, it } from 'vitest';
import { paceLimitsOf, senderFor } from '../../../shared/delivery/deferral.js';
import { createDeliverySummary } from '../../../shared/delivery/delivery-summary.js';
import { recordingLogger } from '../../support/recording-logger.js';

const senders = ['a@contoso.com', 'b@contoso.com', 'c@contoso.com'].map((mailbox) => ({
  mailbox,
  messagesPerMinute: 30,
  recipientsPerDay: 10_000,
}));

describe('senderFor', () => {
  it('picks the same mailbox for every attempt of a reminder, and spreads reminders evenly', () => {
    const counts = new Map<string, number>();
    for (let index = 0; index < 3_000; index += 1) {
      const id = `${index}:2026-12-08:7`;
      const sender = senderFor(id, senders);
      expect(senderFor(id, senders)).toBe(sender);
      counts.set(sender.mailbox, (counts.get(sender.mailbox) ?? 0) + 1);
    }
    for (const count of counts.values()) expect(Math.abs(count - 1_000)).toBeLessThan(100);
  });

  it('a bare mailbox sends at Exchange Online limits; none configured is an error', () => {
    expect(senderFor('1:2026-12-08:7', ['billing@contoso.com'])).toEqual({
      mailbox: 'billing@contoso.com',
      messagesPerMinute: 30,
      recipientsPerDay: 10_000,
    });
    expect(() => senderFor('1:2026-12-08:7', [])).toThrow(RangeError);
  });

  it('paces 5 % below the limit', () => {
    expect(paceLimitsOf({ mailbox: 'a@contoso.com', messagesPerMinute: 30, recipientsPerDay: 10_000 })).toEqual({
      intervalMs: 2_100,
      recipientsPerDay: 10_000,
    });
  });
});

describe('the delivery summary', () => {
  it('logs one line a minute: sent, deferred by reason, to the next day, failed; a warning only when deferred or failed', () => {
    let now = 0;
    const summary = createDeliverySummary(() => now);
    const logger = recordingLogger();
    const until = new Date('2026-12-02T07:00:00Z');
    summary.add({ status: 'sent', reminderId: '1:2026-12-08:7', attempt: 1, ambiguousSends: 0 }, logger);
    summary.add({ status: 'deferred', reminderId: '2:2026-12-08:7', until, code: 'MailboxDailyBudget' }, logger);
    summary.add({ status: 'deferred', reminderId: '3:2026-12-08:7', until, code: 'MailboxPace' }, logger);
    expect(logger.lines).toEqual([]);
    now = 60_000;
    summary.add({ status: 'failed', reminderId: '4:2026-12-08:7', code: 'ErrorInvalidRecipients' }, logger);
    expect(logger.lines).toEqual([
      expect.stringMatching(
        /^warn Deliveries in the last 60 s: 1 sent, 2 deferred \(MailboxDailyBudget 1, MailboxPace 1; the latest until 2026-12-02T07:00:00.000Z\), 1 deferred to the next day \(daily recipient budget\), 1 failed \(ErrorInvalidRecipients 1\), 0 with nothing to do\.$/,
      ),
    ]);
    now = 120_000;
    summary.add({ status: 'sent', reminderId: '5:2026-12-08:7', attempt: 1, ambiguousSends: 0 }, logger);
    expect(logger.lines[1]).toMatch(
      /^info Deliveries in the last 60 s: 1 sent, 0 deferred, 0 deferred to the next day/,
    );
  });
});
