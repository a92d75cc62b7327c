import { describe, expect, it } from 'vitest';
import { envWithoutExtraCa, runCommand } from './run-command.js';

describe('npm run demo', () => {
  it('starts the stack, fires reminderTimer through the local host and shows the queued reminders', async () => {
    const result = await runCommand('scripts/demo.ts', [], { env: envWithoutExtraCa(), timeoutMs: 60_000 });
    expect(result.stderr).not.toMatch(/^error/m);
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/^Local stack up; functions: .*\breminderRun\b/m);
    expect(result.stdout).toMatch(/^Local stack up; functions: .*\breminderTimer\b/m);
    const announced = /^(\d+) reminder\(s\) on queue 'reminders':$/m.exec(result.stdout);
    expect(announced).not.toBeNull();
    const count = Number(announced?.[1]);
    expect(count).toBeGreaterThan(0);
    // One table row per reminder: an id `{item}:{YYYY-MM-DD}:{k}`, and a masked address.
    const rows = result.stdout.split('\n').filter((line) => /^ {2}\d+:\d{4}-\d{2}-\d{2}:\d+ /.test(line));
    expect(rows).toHaveLength(count);
    expect(result.stdout).toMatch(/^ {2}reminders {3}(\d+)$/m);
    expect(rows.every((row) => /\b\w\*\*\*@[\w.-]+\b/.test(row))).toBe(true);
    // The demo seed's addresses never appear unmasked.
    expect(result.stdout).not.toMatch(/\b[\w.+-]{2,}@[\w-]+\.[\w.]+/);
  });
});
