// TLS on both protocols (issue #17), with certificates made by openssl for the test: redis-cli
// --tls, ioredis over TLS and a memcached TLS client (Node's tls, as memcached -Z clients speak
// it); client certificates required / optional / not asked; TLS versions; the plain listener
// turned off; certificates reloaded without a restart by CONFIG SET and by the files changing on
// disk (open connections keep working); a bad new certificate refused with the old one kept.
import { copyFileSync } from 'node:fs';
import tls from 'node:tls';
import net from 'node:net';
import { readFileSync } from 'node:fs';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makePki, type TestPki } from '../helpers/certs.js';
import { cli } from '../helpers/resp.js';
import { freePort, startServer, tempDir, type TestServer } from '../helpers/server.js';
import { stopServer } from '../memcache/helpers.js';

const servers: TestServer[] = [];
afterAll(async () => {
  for (const s of servers) await stopServer(s);
});

function tlsArgs(p: Pick<TestPki, 'serverCert' | 'serverKey' | 'ca'>, port: number, more: string[] = []): string[] {
  return ['--tls-port', String(port), '--tls-cert-file', p.serverCert, '--tls-key-file', p.serverKey, '--tls-ca-cert-file', p.ca, ...more];
}

/** One TLS connection: sends `data`, returns what arrives within `ms` (or the error). */
function tlsExchange(port: number, opts: tls.ConnectionOptions, data: string, until: (s: string) => boolean, ms = 5000): Promise<string> {
  return new Promise((resolve, reject) => {
    const s = tls.connect({ host: '127.0.0.1', port, servername: 'localhost', ...opts });
    let got = '';
    const timer = setTimeout(() => {
      s.destroy();
      resolve(got);
    }, ms);
    s.setEncoding('latin1');
    s.on('secureConnect', () => s.write(data));
    s.on('data', (d: string) => {
      got += d;
      if (until(got)) {
        clearTimeout(timer);
        s.end();
        resolve(got);
      }
    });
    s.on('error', (e) => {
      clearTimeout(timer);
      reject(e);
    });
    s.on('close', () => {
      clearTimeout(timer);
      resolve(got);
    });
  });
}

const redisCliTls = (port: number, p: TestPki, withCert: boolean, ...args: string[]) =>
  cli(port, ['--tls', '--cacert', p.ca, ...(withCert ? ['--cert', p.clientCert, '--key', p.clientKey] : []), ...args]);

describe('TLS with client certificates required (tls-auth-clients yes)', () => {
  let pki: TestPki;
  let server: TestServer;
  let tlsPort: number;
  let mcTlsPort: number;
  beforeAll(async () => {
    pki = makePki('main');
    tlsPort = await freePort();
    mcTlsPort = await freePort();
    server = await startServer({ memcached: true, tlsPort, args: tlsArgs(pki, tlsPort, ['--tls-memcached-port', String(mcTlsPort)]) });
    servers.push(server);
  }, 60_000);

  it('redis-cli --tls with a client certificate is served; without one the handshake is refused', async () => {
    expect((await redisCliTls(tlsPort, pki, true, 'set', 'tls:k', 'v')).stdout.trim()).toBe('OK');
    expect((await redisCliTls(tlsPort, pki, true, 'get', 'tls:k')).stdout.trim()).toBe('v');
    const without = await redisCliTls(tlsPort, pki, false, 'get', 'tls:k');
    expect(without.stdout).not.toContain('v');
    expect(without.code).not.toBe(0);
    // The same keyspace on the plain port.
    expect((await cli(server.port, ['get', 'tls:k'])).stdout.trim()).toBe('v');
  });

  it('ioredis over TLS', async () => {
    const r = new Redis({ port: tlsPort, host: '127.0.0.1', lazyConnect: true, maxRetriesPerRequest: 0,
      tls: { ca: readFileSync(pki.ca), cert: readFileSync(pki.clientCert), key: readFileSync(pki.clientKey), servername: 'localhost' } });
    await r.connect();
    await r.set('tls:io', 'x'.repeat(100_000));
    expect(await r.strlen('tls:io')).toBe(100_000);
    const pipe = r.pipeline();
    for (let i = 0; i < 500; i++) pipe.incr('tls:n');
    await pipe.exec();
    expect(await r.get('tls:n')).toBe('500');
    r.disconnect();
  });

  it('a memcached client over TLS shares the keyspace; a plain-text client gets no answer on the TLS port', async () => {
    const opts = { ca: readFileSync(pki.ca), cert: readFileSync(pki.clientCert), key: readFileSync(pki.clientKey) };
    expect(await tlsExchange(mcTlsPort, opts, 'set mc:tls 0 0 3\r\nabc\r\nget tls:k\r\n', (s) => s.endsWith('END\r\n'))).toBe('STORED\r\nVALUE tls:k 0 1\r\nv\r\nEND\r\n');
    expect((await cli(server.port, ['get', 'mc:tls'])).stdout.trim()).toBe('abc');
    const plain = await new Promise<string>((resolve) => {
      const s = net.connect(tlsPort, '127.0.0.1', () => s.write('PING\r\n'));
      let got = '';
      s.on('data', (d) => (got += d.toString('latin1')));
      s.on('error', () => resolve(got));
      s.on('close', () => resolve(got));
    });
    expect(plain).not.toContain('PONG');
    await expect(tlsExchange(mcTlsPort, { ca: readFileSync(pki.ca) }, 'version\r\n', (s) => s.includes('\r\n'))).rejects.toThrow();
  });

  it('a certificate from another CA is refused', async () => {
    const other = makePki('other');
    const opts = { ca: readFileSync(pki.ca), cert: readFileSync(other.clientCert), key: readFileSync(other.clientKey) };
    // TLS 1.3 finishes the client's side of the handshake before the server checks the
    // certificate: the refusal is an alert or a close, never a reply.
    expect(await tlsExchange(tlsPort, opts, 'PING\r\n', (s) => s.includes('\r\n')).catch(() => '')).not.toContain('PONG');
    expect(await tlsExchange(tlsPort, { ...opts, cert: readFileSync(pki.clientCert), key: readFileSync(pki.clientKey) }, 'PING\r\n', (s) => s.includes('\r\n'))).toBe('+PONG\r\n');
  });

  it('reloads certificates on CONFIG SET and when the files change, keeping open connections', async () => {
    const next = makePki('next');
    const old = new Redis({ port: tlsPort, host: '127.0.0.1', lazyConnect: true, maxRetriesPerRequest: 0,
      tls: { ca: readFileSync(pki.ca), cert: readFileSync(pki.clientCert), key: readFileSync(pki.clientKey), servername: 'localhost' } });
    await old.connect();
    // A key that does not belong to the certificate: refused, the old context stays.
    const bad = await cli(server.port, ['config', 'set', 'tls-cert-file', next.serverCert]);
    expect(bad.stdout).toMatch(/^ERR CONFIG SET failed \(possibly related to argument 'tls-cert-file'\) - Unable to update TLS configuration: .*key values mismatch/);
    expect((await redisCliTls(tlsPort, pki, true, 'ping')).stdout.trim()).toBe('PONG');
    // Certificate, key and CA together: new connections get the new server certificate and must
    // show a client certificate of the new CA.
    const set = await cli(server.port, ['config', 'set', 'tls-cert-file', next.serverCert, 'tls-key-file', next.serverKey, 'tls-ca-cert-file', next.ca]);
    expect(set.stdout.trim()).toBe('OK');
    expect((await redisCliTls(tlsPort, next, true, 'ping')).stdout.trim()).toBe('PONG');
    expect((await redisCliTls(tlsPort, pki, true, 'ping')).code).not.toBe(0);
    expect(await old.ping()).toBe('PONG'); // the open connection keeps its session
    old.disconnect();

    // Files replaced on disk in place (as a mounted Secret is): picked up within seconds.
    const dir = tempDir();
    const files = { cert: `${dir}/tls.crt`, key: `${dir}/tls.key`, ca: `${dir}/ca.crt` };
    copyFileSync(next.serverCert, files.cert);
    copyFileSync(next.serverKey, files.key);
    copyFileSync(next.ca, files.ca);
    expect((await cli(server.port, ['config', 'set', 'tls-cert-file', files.cert, 'tls-key-file', files.key, 'tls-ca-cert-file', files.ca])).stdout.trim()).toBe('OK');
    copyFileSync(pki.serverCert, files.cert);
    copyFileSync(pki.serverKey, files.key);
    copyFileSync(pki.ca, files.ca);
    const deadline = Date.now() + 15_000;
    let ok = false;
    while (!ok && Date.now() < deadline) {
      ok = (await redisCliTls(tlsPort, pki, true, 'ping')).stdout.trim() === 'PONG';
      if (!ok) await new Promise((r) => setTimeout(r, 250));
    }
    expect(ok).toBe(true);
    expect((await redisCliTls(tlsPort, next, true, 'ping')).code).not.toBe(0);
  }, 60_000);
});

describe('TLS policies', () => {
  it('tls-auth-clients optional: no certificate is fine, a bad one is not; TLS-only with port 0', async () => {
    const pki = makePki('opt');
    const other = makePki('opt-other', pki.dir);
    const tlsPort = await freePort();
    const server = await startServer({ tlsPort, noPlainPort: true, args: tlsArgs(pki, tlsPort, ['--tls-auth-clients', 'optional']) });
    servers.push(server);
    expect((await redisCliTls(tlsPort, pki, false, 'ping')).stdout.trim()).toBe('PONG');
    expect((await redisCliTls(tlsPort, pki, true, 'ping')).stdout.trim()).toBe('PONG');
    const opts = { ca: readFileSync(pki.ca), cert: readFileSync(other.clientCert), key: readFileSync(other.clientKey) };
    expect(await tlsExchange(tlsPort, opts, 'PING\r\n', (s) => s.includes('\r\n')).catch(() => '')).not.toContain('PONG');
    expect((await redisCliTls(tlsPort, pki, false, 'config', 'get', 'port')).stdout.trim().split('\n')).toEqual(['port', '0']);
    // Nothing listens on the plain port.
    expect(await new Promise((res) => net.connect(server.port, '127.0.0.1').on('connect', () => res('open')).on('error', () => res('refused')))).toBe('refused');
  }, 60_000);

  it('tls-auth-clients no and tls-protocols TLSv1.3: no certificate asked, TLS 1.2 refused', async () => {
    const pki = makePki('v13');
    const tlsPort = await freePort();
    const server = await startServer({ tlsPort, args: ['--tls-port', String(tlsPort), '--tls-cert-file', pki.serverCert, '--tls-key-file', pki.serverKey,
      '--tls-auth-clients', 'no', '--tls-protocols', 'TLSv1.3'] });
    servers.push(server);
    const ca = readFileSync(pki.ca);
    expect(await tlsExchange(tlsPort, { ca, maxVersion: 'TLSv1.3' }, 'PING\r\n', (s) => s.includes('\r\n'))).toBe('+PONG\r\n');
    await expect(tlsExchange(tlsPort, { ca, maxVersion: 'TLSv1.2' }, 'PING\r\n', (s) => s.includes('\r\n'))).rejects.toThrow();
    expect((await cli(server.port, ['config', 'get', 'tls-protocols'])).stdout.trim().split('\n')).toEqual(['tls-protocols', 'TLSv1.3']);
    expect((await cli(server.port, ['config', 'set', 'tls-protocols', 'SSLv3'])).stdout).toMatch(/^ERR CONFIG SET failed \(possibly related to argument 'tls-protocols'\)/);
  }, 60_000);

  it('a TLS port without its certificate, key or CA does not start', async () => {
    const tlsPort = await freePort();
    await expect(startServer({ tlsPort, readyTimeoutMs: 10_000, args: ['--tls-port', String(tlsPort)] })).rejects.toThrow(/a TLS port needs tls-cert-file and tls-key-file/);
    const pki = makePki('noca');
    await expect(startServer({ tlsPort, readyTimeoutMs: 10_000, args: ['--tls-port', String(tlsPort), '--tls-cert-file', pki.serverCert, '--tls-key-file', pki.serverKey] }))
      .rejects.toThrow(/needs tls-ca-cert-file/);
    await expect(startServer({ tlsPort, readyTimeoutMs: 10_000, args: tlsArgs({ ...pki, serverCert: '/nonexistent.crt' }, tlsPort) })).rejects.toThrow(/nonexistent\.crt/);
  }, 60_000);
});
