/**
 * The local Azure stack for a test file: started once before its tests, stopped after them.
 *
 *   const stack = useLocalStack({ azurite: false });
 *   it('...', async () => { const { settings, counters } = stack(); ... });
 */
import { afterAll, afterEach, beforeAll } from 'vitest';
import { startLocalStack } from '../../emulators/stack/stack.js';
import type { LocalStack, LocalStackOptions } from '../../emulators/stack/stack.js';
import { registerStack } from './leak-guard.js';

/**
 * Registers the hooks and returns a getter for the running stack (it throws outside the tests).
 * After each test the fault rules go back to `options.faults`, the request counters and the mailboxes'
 * counts to zero and mailbox refusals end, so that a test's faults never leak into the next one.
 */
export function useLocalStack(options: LocalStackOptions = {}): () => LocalStack {
  let stack: LocalStack | undefined;
  beforeAll(async () => {
    stack = await startLocalStack(options);
    // The leak guard checks the file's output against what this stack issues.
    registerStack(stack);
  });
  afterEach(() => {
    if (!stack) return;
    stack.faults.clear();
    for (const rule of options.faults ?? []) stack.faults.add(rule);
    stack.counters.reset();
    stack.graph.mailboxes.clearRefusals();
    stack.graph.mailboxes.reset();
  });
  afterAll(async () => {
    await stack?.stop();
    stack = undefined;
  });
  return () => {
    if (!stack) throw new Error('The local stack runs only while the tests of this file run (useLocalStack)');
    return stack;
  };
}
