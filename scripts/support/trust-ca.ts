/**
 * Node reads NODE_EXTRA_CA_CERTS only when a process starts, so a command that must trust the local
 * stack's CA (MSAL, the Azure SDK and node-fetch all use Node's TLS) runs itself again with it set.
 */
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { constants, tmpdir } from 'node:os';
import path from 'node:path';

/** Set in the relaunched process: the CA it was started to trust. */
const TRUSTED_CA_MARK = 'DUE_NOTIFIER_TRUSTED_CA';

/**
 * Returns when this process already trusts `caCertPath`. Otherwise runs the same command (same Node,
 * flags and arguments) in a child that does, forwards termination signals to it, and exits with the
 * child's exit code; in that case it never returns. A CA file the environment already names stays
 * trusted: the child gets a bundle of both (Node takes a single file).
 */
export async function relaunchTrustingCa(caCertPath: string): Promise<void> {
  const inherited = process.env.NODE_EXTRA_CA_CERTS;
  if (inherited === caCertPath || process.env[TRUSTED_CA_MARK] === caCertPath) {
    return;
  }
  const bundleDirectory = inherited ? await mkdtemp(path.join(tmpdir(), 'due-notifier-ca-')) : undefined;
  try {
    let trustFile = caCertPath;
    if (inherited && bundleDirectory) {
      trustFile = path.join(bundleDirectory, 'ca-bundle.pem');
      const [inheritedPem, caPem] = await Promise.all([
        readFile(inherited, 'utf8').catch(() => ''),
        readFile(caCertPath, 'utf8'),
      ]);
      await writeFile(trustFile, `${inheritedPem.trimEnd()}\n${caPem}`, { mode: 0o600 });
    }
    const child = spawn(process.execPath, [...process.execArgv, ...process.argv.slice(1)], {
      stdio: 'inherit',
      env: { ...process.env, NODE_EXTRA_CA_CERTS: trustFile, [TRUSTED_CA_MARK]: caCertPath },
    });
    const forward = (signal: NodeJS.Signals): void => {
      child.kill(signal);
    };
    process.on('SIGINT', forward);
    process.on('SIGTERM', forward);
    const [code, signal] = (await once(child, 'exit')) as [number | null, NodeJS.Signals | null];
    process.exitCode = code ?? (signal ? 128 + constants.signals[signal] : 1);
  } finally {
    if (bundleDirectory) {
      await rm(bundleDirectory, { recursive: true, force: true });
    }
  }
  process.exit();
}
