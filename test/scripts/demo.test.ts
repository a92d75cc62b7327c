import { describe, expect, it } from 'vitest';
import { envWithoutExtraCa, runCommand } from './run-command.js';

describe('npm run demo', () => {
  it('fires reminderTimer through the local host, delivers every queued reminder, and a second pass sends nothing', async () => {
    const result = await runCommand('scripts/demo.ts', [], { env: envWithoutExtraCa(), timeoutMs: 60_000 });
    expect(result.stderr).not.toMatch(/^error/m);
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/^Local stack up; functions: .*\breminderRun\b/m);
    expect(result.stdout).toMatch(/^Local stack up; functions: .*\breminderTimer\b/m);
    const [pass1 = '', pass2 = ''] = result.stdout.split(/^== Pass 2\b/m);
    const announced = /^(\d+) reminder\(s\) on queue 'reminders':$/m.exec(pass1);
    expect(announced).not.toBeNull();
    const count = Number(announced?.[1]);
    expect(count).toBeGreaterThan(0);
    // One table row per reminder: an id `{item}:{YYYY-MM-DD}:{k}`, and a masked address.
    const rows = pass1.split('\n').filter((line) => /^ {2}\d+:\d{4}-\d{2}-\d{2}:\d+ /.test(line));
    expect(rows).toHaveLength(count);
    expect(pass1).toMatch(/^ {2}reminders {3}(\d+)$/m);
    expect(rows.every((row) => /\b\w\*\*\*@[\w.-]+\b/.test(row))).toBe(true);
    // Ids in numeric order (1:… before 10:…).
    const items = rows.map((row) => Number(row.trim().split(':')[0]));
    expect(items).toEqual([...items].sort((a, b) => a - b));
    // The host's "never ran" sentinel in words.
    expect(result.stdout).not.toContain('0001-01-01');
    expect(pass1).toMatch(/timer fired \(previous run: never\b/);
    // Skipped items: one line per reason, in SKIP_REASONS order, ids in numeric order.
    const skipped = pass1.split('\n').filter((line) => /^ {2}\w+ \(\d+\): item /.test(line));
    expect(skipped.length).toBeGreaterThan(0);
    expect(pass1).not.toMatch(/skipped item \d+:/);
    // Every queued reminder delivered: one e-mail each, addresses masked.
    expect(pass1).toContain(`reminderDeliver ran ${count} time(s): ${count} e-mail(s) sent.`);
    const sent = pass1.split('\n').filter((line) => /^ {2}sent {2}\d+:/.test(line));
    expect(sent).toHaveLength(count);
    expect(sent.every((line) => /to \w\*\*\*@/.test(line))).toBe(true);
    // The second pass: nothing new queued, pass 1's messages put back, none sent again.
    expect(pass2).toMatch(/^0 e-mail\(s\) sent|: 0 e-mail\(s\) sent, \d+ skipped as already sent/m);
    expect(pass2.split('\n').filter((line) => /^ {2}sent {2}/.test(line))).toHaveLength(0);
    expect(pass2).toMatch(
      /^Exactly once: pass 1 sent \d+ e-mail\(s\); pass 2 \(its timer queued 0, \d+ on the queue\) sent none\.$/m,
    );
    expect(result.stdout).toMatch(/^Sample e-mail ".+": \.local\/preview\/\S+\.html/m);
    // The run history: both timer runs, newest first; pass 1's sent every e-mail, pass 2's none.
    const [, history = ''] = result.stdout.split(/^Run history \(GET \/api\/reminders\/runs\)/m);
    expect(history).toMatch(/in table 'reminderruns'/);
    const runs = history.split('\n').filter((line) => / timer +succeeded /.test(line));
    expect(runs).toHaveLength(2);
    expect(runs[0]).toMatch(/ 0 +0 +0 +0 +\d/); // pass 2: none emitted (none over budget), none sent, none failed
    expect(runs[1]).toMatch(new RegExp(` ${count} +0 +${count} +0 +\\d`)); // pass 1: all fit the budget, all sent
    // The demo seed's addresses never appear unmasked.
    expect(result.stdout).not.toMatch(/\b[\w.+-]{2,}@[\w-]+\.[\w.]+/);
  });

  it.each(['secret', 'certificate', 'managed-identity'])(
    '--from-scratch --credential %s: register on an empty tenant, a second register writes nothing, the e-mails are sent',
    async (mode) => {
      const result = await runCommand('scripts/demo.ts', ['--from-scratch', '--credential', mode], {
        env: envWithoutExtraCa(),
        timeoutMs: 60_000,
      });
      expect(result.stderr).not.toMatch(/^error/m);
      expect(result.code).toBe(0);
      expect(result.stdout).toMatch(
        new RegExp(`^== npm run register -- --credential ${mode}, as the tenant's admin`, 'm'),
      );
      expect(result.stdout).toMatch(/^ {2}- create application 'due-notifier' /m);
      expect(result.stdout).toMatch(/^ {4}ENTRA_CLIENT_ID=[0-9a-f-]{36}$/m);
      expect(result.stdout).toMatch(new RegExp(`^ {4}CLIENT_CREDENTIAL=${mode}$`, 'm'));
      expect(result.stdout).toMatch(/^ {2}register again: nothing to change \(0 writes\)\.$/m);
      const [pass1 = ''] = result.stdout.split(/^== Pass 2\b/m);
      expect(pass1.split('\n').filter((line) => /^ {2}sent {2}\d+:/.test(line)).length).toBeGreaterThan(0);
      if (mode === 'managed-identity')
        expect(result.stdout).toMatch(/^ {2}requests +graph \d+, token 1, key vault 0$/m);
    },
  );

  it('--help prints the usage and runs nothing', async () => {
    const result = await runCommand('scripts/demo.ts', ['--help'], { env: envWithoutExtraCa(), timeoutMs: 30_000 });
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/^Usage: npm run demo/);
    expect(result.stdout).not.toMatch(/Local stack up/);
  });
});
