/**
 * reminderTimer: each morning (NOTIFY_SCHEDULE), sweep the obligations and enqueue the due reminders.
 * The reminders go out through the queue output binding, which the host writes only when the handler
 * returns: a failed run throws and enqueues nothing, and the reminder rules' catch-up window lets the
 * next run (or a retry) make up for it.
 */
import { withTelemetry } from './support/telemetry.js';
import { app } from '@azure/functions';
import type { InvocationContext, Timer, TimerHandler } from '@azure/functions';
import { reminderQueueOutput } from './support/bindings.js';
import { describePreviousRun } from './support/previous-run.js';
import { describeFailure } from './support/run-failure.js';
import { runtimeSweeper } from './support/sweeper.js';
import type { Sweeper } from './support/sweeper.js';

export function createReminderTimerHandler(sweep: Sweeper = runtimeSweeper): TimerHandler {
  return async (timer: Timer, context: InvocationContext): Promise<void> => {
    const runId = context.invocationId;
    // isPastDue is unreliable on Node (azure-functions-host#7597); the catch-up window covers missed runs.
    context.info(`Run ${runId}: timer fired (previous run: ${describePreviousRun(timer.scheduleStatus?.last)})`);
    try {
      const result = await sweep(context, { runId, trigger: 'timer' });
      context.extraOutputs.set(reminderQueueOutput, result.reminders);
    } catch (error) {
      context.error(`Run ${runId} failed: ${describeFailure(error)}`);
      throw error;
    }
  };
}

export const reminderTimerHandler = createReminderTimerHandler();

app.timer('reminderTimer', {
  schedule: '%NOTIFY_SCHEDULE%',
  runOnStartup: false,
  useMonitor: true,
  extraOutputs: [reminderQueueOutput],
  // Transient failures (throttling, a Key Vault blip) get three more tries before the next morning.
  retry: {
    strategy: 'exponentialBackoff',
    maxRetryCount: 3,
    minimumInterval: { seconds: 30 },
    maximumInterval: { minutes: 5 },
  },
  handler: withTelemetry('timer', reminderTimerHandler),
});

export { reminderQueueOutput };
