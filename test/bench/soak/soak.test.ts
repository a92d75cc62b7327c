/**
 * A tiny soak on the real local stack (two simulated days): the run itself passes its invariants, and
 * the checker finds a duplicate and a stale e-mail planted in what the run recorded, so a soak that
 * checked nothing could not pass.
 */
import { describe, expect, it } from 'vitest';
import { checkInvariants } from '../../../bench/soak/invariants.js';
import { runSoak } from '../../../bench/soak/simulation.js';

describe('the chaos soak', () => {
  it('simulates two days, passes, and its checker catches a planted duplicate and a stale send', async () => {
    const run = await runSoak({ days: 2, seed: 1, itemsPerDay: 2 });
    expect(run.days.map((day) => day.date)).toHaveLength(2);
    const verdict = checkInvariants(run.record, run.obligations);
    expect(verdict.violations).toEqual([]);
    expect(verdict.accounted.sentOnce.length).toBeGreaterThan(0);

    const [sent] = run.record.mails.filter((mail) => verdict.accounted.sentOnce.includes(mail.reminderId ?? ''));
    if (!sent) throw new Error('the soak e-mailed nothing');
    const duplicated = checkInvariants({ ...run.record, mails: [...run.record.mails, sent] }, run.obligations);
    expect(duplicated.violations).toMatchObject([{ kind: 'duplicate', reminderId: sent.reminderId }]);

    const stale = { ...sent, html: sent.html.replaceAll(/\d+[.,]\d\d/g, '0.01') };
    const planted = run.record.mails.map((mail) => (mail === sent ? stale : mail));
    expect(checkInvariants({ ...run.record, mails: planted }, run.obligations).violations).toMatchObject([
      { kind: 'staleSend', reminderId: sent.reminderId },
    ]);
  }, 180_000);
});
