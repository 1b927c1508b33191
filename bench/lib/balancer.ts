import http from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * A plain round-robin HTTP balancer on loopback (what nginx or a cloud load balancer does
 * in front of `web` replicas): each request goes, body and headers as received, to the next
 * backend port; the answer comes back as the backend gave it. A kept-alive upstream
 * connection the backend closed just as it was reused (reset before any answer) is retried
 * once on the next backend, as load balancers do. Returns its own port.
 */
export async function startBalancer(backends: number[]): Promise<number> {
  const agent = new http.Agent({ keepAlive: true, maxSockets: 256 });
  let next = 0;
  const forward = (req: http.IncomingMessage, body: Buffer, res: http.ServerResponse, retried: boolean) => {
    const port = backends[next++ % backends.length]!;
    const upstream = http.request({ host: '127.0.0.1', port, method: req.method, path: req.url, headers: req.headers, agent }, (answer) => {
      res.writeHead(answer.statusCode ?? 502, answer.headers);
      answer.pipe(res);
    });
    upstream.on('error', (err: NodeJS.ErrnoException) => {
      if (!retried && upstream.reusedSocket && (err.code === 'ECONNRESET' || err.message === 'socket hang up')) return forward(req, body, res, true);
      if (!res.headersSent) res.writeHead(502);
      res.end();
    });
    upstream.end(body);
  };
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => forward(req, Buffer.concat(chunks), res, false));
  });
  server.keepAliveTimeout = 60_000;
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return (server.address() as AddressInfo).port;
}
