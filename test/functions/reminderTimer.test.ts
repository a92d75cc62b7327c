import type { Timer } from '@azure/functions';
import { describe, expect, it } from 'vitest';
import { createReminderTimerHandler } from '../../functions/reminderTimer.js';
import { reminderQueueOutput } from '../../functions/support/bindings.js';
import { DueNotifierError } from '../../shared/base/errors.js';
import { fakeSweeper } from './fake-sweeper.js';
import { reminderFor } from '../support/reminder-messages.js';
import { contextWithLogs } from '../support/invocation-context.js';

const TIMER: Timer = {
  isPastDue: false,
  schedule: { adjustForDST: true },
  scheduleStatus: {
    last: '2026-11-30T07:00:00.000Z',
    next: '2026-12-01T07:00:00.000Z',
    lastUpdated: '2026-11-30T07:00:00.000Z',
  },
};

function timerInvocation() {
  return contextWithLogs({
    invocationId: 'run-7',
    functionName: 'reminderTimer',
    options: { trigger: { type: 'timerTrigger', name: 'timer' }, extraOutputs: [reminderQueueOutput] },
  });
}

describe('reminderTimer handler', () => {
  it('sweeps with the invocation id as run id and sets the reminders on the queue output', async () => {
    const reminders = [reminderFor('1', '2026-12-08', 7), reminderFor('2', '2026-12-02', 1)];
    const sweeper = fakeSweeper(reminders);
    const { context } = timerInvocation();
    await createReminderTimerHandler(sweeper.sweep)(TIMER, context);
    expect(sweeper.calls[0]?.options).toEqual({ runId: 'run-7', trigger: 'timer' });
    expect(context.extraOutputs.get(reminderQueueOutput)).toEqual(reminders);
  });

  it('sets an empty array when nothing is due (no message is written)', async () => {
    const { context } = timerInvocation();
    await createReminderTimerHandler(fakeSweeper([]).sweep)(TIMER, context);
    expect(context.extraOutputs.get(reminderQueueOutput)).toEqual([]);
  });

  it('rethrows a failure after logging its code, leaving the output unset', async () => {
    const failure = new DueNotifierError('GraphAccessDenied', 'Graph answered 403', {
      cause: new Error('Authorization_RequestDenied'),
    });
    const { context, logs } = timerInvocation();
    await expect(createReminderTimerHandler(fakeSweeper(failure).sweep)(TIMER, context)).rejects.toBe(failure);
    expect(context.extraOutputs.get(reminderQueueOutput)).toBeUndefined();
    expect(
      logs.some(
        (line) =>
          line.startsWith('error:') &&
          line.includes('GraphAccessDenied') &&
          line.includes('Authorization_RequestDenied'),
      ),
    ).toBe(true);
  });

  it('logs the previous run, and says "never" for the host\'s sentinel of a timer that never ran', async () => {
    const first = timerInvocation();
    const neverRan = { ...TIMER, scheduleStatus: { ...TIMER.scheduleStatus, last: '0001-01-01T00:00:00' } } as Timer;
    await createReminderTimerHandler(fakeSweeper([]).sweep)(neverRan, first.context);
    expect(first.logs).toContain(
      'information: Run run-7: timer fired (previous run: never (this is the first run the host knows of))',
    );
    const later = timerInvocation();
    await createReminderTimerHandler(fakeSweeper([]).sweep)(TIMER, later.context);
    expect(later.logs).toContain('information: Run run-7: timer fired (previous run: 2026-11-30T07:00:00.000Z)');
  });
});
