/** An InvocationContext for handler tests that keeps what the handler logs through it. */
import { InvocationContext } from '@azure/functions';
import type { InvocationContextInit } from '@azure/functions';

/** The context, and its log lines as `<level>: <arguments>`. */
export function contextWithLogs(init: Omit<InvocationContextInit, 'logHandler'>): {
  readonly context: InvocationContext;
  readonly logs: string[];
} {
  const logs: string[] = [];
  const context = new InvocationContext({
    ...init,
    logHandler: (level, ...args) => logs.push(`${level}: ${args.map(String).join(' ')}`),
  });
  return { context, logs };
}
