// A minimal HTTP listener for Prometheus scrapes: GET/HEAD /metrics, 404 elsewhere.

import http from 'node:http';
import type { Registry } from 'prom-client';

/** Resolves once listening (port 0 = any free port: read server.address()); rejects on e.g. EADDRINUSE. */
export function startMetricsServer(registry: Registry, port: number, bind: string): Promise<http.Server> {
  const server = http.createServer((req, res) => {
    const path = (req.url ?? '/').split('?')[0];
    if (path !== '/metrics') {
      res.writeHead(404, { 'content-type': 'text/plain; charset=utf-8' }).end('not found; try /metrics\n');
      return;
    }
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.writeHead(405, { allow: 'GET, HEAD' }).end();
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
