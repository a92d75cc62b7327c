import { X509Certificate } from 'node:crypto';
import { once } from 'node:events';
import { mkdtemp, readFile, readdir, rm, stat } from 'node:fs/promises';
import { createServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { connect } from 'node:tls';
import { afterEach, describe, expect, it } from 'vitest';
import { ensureLocalCa } from '../../../emulators/stack/tls.js';

describe('ensureLocalCa', () => {
  const directories: string[] = [];
  const freshDirectory = async (): Promise<string> => {
    const directory = join(await mkdtemp(join(tmpdir(), 'local-ca-')), 'ca');
    directories.push(directory);
    return directory;
  };
  afterEach(async () => {
    await Promise.all(
      directories.splice(0).map((directory) => rm(join(directory, '..'), { recursive: true, force: true })),
    );
  });

  it('creates a CA once and reuses it; the private key stays out of the trusted file', async () => {
    const directory = await freshDirectory();
    const first = await ensureLocalCa(directory);
    const second = await ensureLocalCa(directory);
    expect(second.caCertPem).toBe(first.caCertPem);
    expect(await readFile(first.caCertPath, 'utf8')).toBe(first.caCertPem);
    expect(first.caCertPem).not.toContain('PRIVATE KEY');
    const ca = new X509Certificate(first.caCertPem);
    expect(ca.ca).toBe(true);
    expect((await stat(join(directory, 'ca-key-and-cert.pem'))).mode & 0o077).toBe(0);
    expect((await readdir(directory)).sort()).toEqual(['ca-key-and-cert.pem', 'ca.pem']);
  });

  it('agrees on one CA when several callers create it at once', async () => {
    const directory = await freshDirectory();
    const results = await Promise.all([1, 2, 3, 4].map(() => ensureLocalCa(directory)));
    expect(new Set(results.map((result) => result.caCertPem)).size).toBe(1);
    expect(await readFile(join(directory, 'ca.pem'), 'utf8')).toBe(results[0]?.caCertPem);
    expect((await readdir(directory)).filter((name) => name.endsWith('.tmp'))).toEqual([]);
  });

  it('issues server certificates that Node verifies against the CA for localhost, 127.0.0.1 and ::1', async () => {
    const localCa = await ensureLocalCa(await freshDirectory());
    const { cert, key } = await localCa.issueServerCertificate(['localhost', '127.0.0.1', '::1']);
    const leaf = new X509Certificate(cert);
    expect(leaf.ca).toBe(false);
    expect(leaf.checkIssued(new X509Certificate(localCa.caCertPem))).toBe(true);
    expect(leaf.subjectAltName).toBe('DNS:localhost, IP Address:127.0.0.1, IP Address:0:0:0:0:0:0:0:1');
    expect(leaf.keyUsage).toEqual(['1.3.6.1.5.5.7.3.1']);

    const server = createServer({ cert, key }, (_request, response) => response.end('ok'));
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    const { port } = server.address() as AddressInfo;
    try {
      for (const servername of ['localhost', '127.0.0.1']) {
        const socket = connect({ host: '127.0.0.1', port, servername, ca: localCa.caCertPem });
        await once(socket, 'secureConnect');
        expect(socket.authorized).toBe(true);
        socket.destroy();
      }
      // A name the certificate does not carry is refused.
      const wrongName = connect({ host: '127.0.0.1', port, servername: 'example.com', ca: localCa.caCertPem });
      const [error] = (await once(wrongName, 'error')) as [NodeJS.ErrnoException];
      expect(error.code).toBe('ERR_TLS_CERT_ALTNAME_INVALID');
    } finally {
      server.close();
    }
  });
});
