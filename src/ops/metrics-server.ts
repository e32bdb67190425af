// A minimal HTTP listener for Prometheus scrapes and health probes: GET/HEAD /metrics; /healthz
// (200 while the process runs its event loop: liveness) and /readyz (200 while it serves, 503
// while starting or shutting down: readiness, so a Service stops sending clients first); 404 else.

import type http from 'node:http';

/** What a scrape reads: a prom-client Registry, or DaxMetrics.exposition. */
export interface Exposition {
  metrics(): Promise<string>;
  readonly contentType: string;
}

/** Resolves once listening (port 0 = any free port: read server.address()); rejects on e.g. EADDRINUSE. */
export type Readiness = () => { ready: boolean; reason: string };

export async function startMetricsServer(registry: Exposition, port: number, bind: string, readiness: Readiness = () => ({ ready: true, reason: 'ready' })): Promise<http.Server> {
  // Loaded here, after the data listeners accept: node:http is ~10 built-in modules to compile.
  const { createServer } = await import('node:http');
  const server = createServer((req, res) => {
    const path = (req.url ?? '/').split('?')[0];
    const text = { 'content-type': 'text/plain; charset=utf-8' };
    if (path !== '/metrics' && path !== '/healthz' && path !== '/readyz') {
      res.writeHead(404, text).end('not found; try /metrics, /healthz or /readyz\n');
      return;
    }
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.writeHead(405, { allow: 'GET, HEAD' }).end();
      return;
    }
    if (path === '/healthz') {
      res.writeHead(200, text).end(req.method === 'HEAD' ? undefined : 'ok\n');
      return;
    }
    if (path === '/readyz') {
      const r = readiness();
      res.writeHead(r.ready ? 200 : 503, text).end(req.method === 'HEAD' ? undefined : `${r.reason}\n`);
      return;
    }
    registry.metrics().then(
      (body) => {
        res.writeHead(200, { 'content-type': registry.contentType });
        res.end(req.method === 'HEAD' ? undefined : body);
      },
      (err: unknown) => {
        res.writeHead(500, { 'content-type': 'text/plain; charset=utf-8' }).end(`metrics failed: ${String(err)}\n`);
      },
    );
  });
  return new Promise((resolve, reject) => {
    const onError = (err: Error): void => reject(err);
    server.once('error', onError);
    server.listen(port, bind, () => {
      server.off('error', onError);
      resolve(server);
    });
  });
}
