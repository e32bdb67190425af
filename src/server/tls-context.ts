// TLS for both protocols' TLS ports (Node's tls): the secure context built from the tls-*
// settings, client-certificate policy (tls-auth-clients yes | no | optional), and reloading
// without a restart: CONFIG SET of a tls-* setting, or the certificate, key or CA file changing on
// disk (cert-manager and Kubernetes Secrets replace them in place), gives every TLS listener a new
// context for new connections; open connections keep theirs. A context that cannot be built
// (a missing file, a key that does not match) is refused and the old one stays.
import { readFileSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { resolve } from 'node:path';
import type tls from 'node:tls';
import type { Config } from '../ops/config.js';
import type { Logger } from '../ops/logger.js';

type TlsSettings = Pick<Config, 'tlsCertFile' | 'tlsKeyFile' | 'tlsKeyFilePass' | 'tlsCaCertFile' | 'tlsAuthClients' | 'tlsProtocols' | 'tlsCiphers' | 'tlsCiphersuites'>;

/** The tls-* settings whose change rebuilds the context. */
export const TLS_CONTEXT_SETTINGS = ['tls-cert-file', 'tls-key-file', 'tls-key-file-pass', 'tls-ca-cert-file', 'tls-auth-clients', 'tls-protocols', 'tls-ciphers', 'tls-ciphersuites'];

/**
 * node:tls, loaded the first time a TLS port needs it: loading it costs ~3.5 ms of every start,
 * and a warm restart is timed from exec (BENCHMARKS.md "Warm restart").
 */
let tlsLoaded: typeof tls | null = null;
export function tlsModule(): typeof tls {
  return (tlsLoaded ??= createRequire(import.meta.url)('node:tls') as typeof tls);
}

/** How often the files are looked at for a change (ms). */
const WATCH_MS = 5000;

function files(c: TlsSettings): string[] {
  return [c.tlsCertFile, c.tlsKeyFile, c.tlsCaCertFile].filter((f) => f !== '').map((f) => resolve(f));
}

/** What a TLS server is created with, and what setSecureContext takes: read from the files now. */
export function secureOptions(c: TlsSettings): tls.TlsOptions {
  const versions = c.tlsProtocols.split(' ') as tls.SecureVersion[];
  const opts: tls.TlsOptions = {
    cert: readFileSync(resolve(c.tlsCertFile)),
    key: readFileSync(resolve(c.tlsKeyFile)),
    minVersion: versions[0],
    maxVersion: versions[versions.length - 1],
    requestCert: c.tlsAuthClients !== 'no',
    // optional: a client without a certificate is let in; one with a bad certificate is not
    // (checked after the handshake, see TlsContext.admits).
    rejectUnauthorized: c.tlsAuthClients === 'yes',
  };
  if (c.tlsKeyFilePass !== '') opts.passphrase = c.tlsKeyFilePass;
  if (c.tlsCaCertFile !== '') opts.ca = readFileSync(resolve(c.tlsCaCertFile));
  const ciphers = [c.tlsCiphersuites, c.tlsCiphers].filter((x) => x !== '').join(':');
  if (ciphers !== '') opts.ciphers = ciphers;
  return opts;
}

/** Builds the context to see that it works: null, or the reason (OpenSSL's or the file system's). */
export function checkTlsSettings(c: TlsSettings): string | null {
  try {
    tlsModule().createSecureContext(secureOptions(c));
    return null;
  } catch (e) {
    return (e as Error).message;
  }
}

export class TlsContext {
  private readonly servers: tls.Server[] = [];
  private stamps: string;
  private lastWatchMs = 0;
  /** Successful reloads since start (INFO / logs). */
  reloads = 0;

  constructor(
    private readonly config: Config,
    private readonly log: Logger,
  ) {
    this.stamps = this.fileStamps();
  }

  /** Options for a new tls.Server (throws when the files cannot be read: the server does not start). */
  serverOptions(): tls.TlsOptions {
    return secureOptions(this.config);
  }

  register(server: tls.Server): void {
    this.servers.push(server);
  }

  /** tls-auth-clients optional: a certificate that was sent must have been valid. */
  admits(socket: tls.TLSSocket): boolean {
    if (this.config.tlsAuthClients !== 'optional' || socket.authorized) return true;
    const peer = socket.getPeerCertificate();
    return peer === null || Object.keys(peer).length === 0;
  }

  /** A new context for every TLS listener; false (and the old one kept) when it cannot be built. */
  reload(why: string): boolean {
    let opts: tls.TlsOptions;
    try {
      opts = secureOptions(this.config);
      tlsModule().createSecureContext(opts);
    } catch (e) {
      this.log.warn({ err: (e as Error).message, why }, 'TLS configuration not reloaded; the previous one stays');
      return false;
    }
    for (const s of this.servers) {
      s.setSecureContext(opts);
      // requestCert / rejectUnauthorized are server options, not context ones.
      const o = s as unknown as { requestCert: boolean; rejectUnauthorized: boolean };
      o.requestCert = opts.requestCert!;
      o.rejectUnauthorized = opts.rejectUnauthorized!;
    }
    this.stamps = this.fileStamps();
    this.reloads++;
    this.log.info({ why }, 'TLS configuration reloaded');
    return true;
  }

  /** Called from the server cron: reloads when a file's size or mtime changed. */
  watch(nowMs: number): void {
    if (this.servers.length === 0 || nowMs - this.lastWatchMs < WATCH_MS) return;
    this.lastWatchMs = nowMs;
    const now = this.fileStamps();
    if (now !== this.stamps) {
      this.stamps = now; // a failed reload is not retried until the files change again
      this.reload('a certificate, key or CA file changed');
    }
  }

  private fileStamps(): string {
    return files(this.config)
      .map((f) => {
        try {
          const st = statSync(f);
          return `${f}:${st.size}:${st.mtimeMs}:${st.ino}`;
        } catch {
          return `${f}:missing`;
        }
      })
      .join('|');
  }
}
