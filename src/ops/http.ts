import http from 'node:http';
import express from 'express';
import type { Queue } from 'bullmq';
import type { Redis } from 'ioredis';
import type { Logger } from 'pino';
import type { WebhookHandler } from '../channels/telegram/webhook.js';
import type { Config } from '../config/index.js';
import { bullBoard } from './board.js';
import type { Health } from './health.js';
import { ipLimit } from './ip-limit.js';
import type { Metrics } from './metrics.js';

export interface HttpDeps {
  config: Config;
  redis: Redis;
  prefix: string;
  log: Logger;
  health: () => Promise<Health>;
  metrics: Metrics;
  /** Queues Bull Board shows (when BULL_BOARD_USER/PASSWORD are set). */
  queues: () => Queue[];
}

/**
 * The app's HTTP side: express with the shutdown gate, the per-client limit, /healthz,
 * /metrics and Bull Board (channels and the simulator mount their own routes on `app`),
 * and the plain Node handler that serves webhooks ahead of express.
 */
export function createHttp(deps: HttpDeps) {
  const { config, log } = deps;
  let draining = false;
  const webhooks = new Map<string, WebhookHandler>();

  const app = express();
  app.disable('x-powered-by');
  // During a graceful shutdown: nothing new starts (load balancers and Telegram retry a 503).
  app.use((_req, res, next) => {
    if (!draining) return next();
    res.set('connection', 'close').set('retry-after', '5').status(503).json({ error: 'shutting down' });
  });
  // Only the named proxies may say who the client is; otherwise it is the socket address.
  if (config.TRUST_PROXY !== undefined) app.set('trust proxy', config.TRUST_PROXY);
  // Load balancers and Prometheus must never be limited into "unhealthy"; platforms retry webhooks.
  const unlimited = (path: string) => path === '/healthz' || path === '/metrics' || path.startsWith('/webhooks/');
  app.use(ipLimit({ redis: deps.redis, prefix: deps.prefix, perMinute: config.HTTP_REQUESTS_PER_MINUTE, exempt: unlimited, onLimited: () => deps.metrics.httpLimited.inc() }));
  app.get('/healthz', async (_req, res) => {
    const h = await deps.health();
    res.status(h.ok ? 200 : 503).json(h);
  });
  app.get('/metrics', async (_req, res, next) => {
    try {
      const m = await deps.metrics.scrape();
      res.type(m.contentType).send(m.body);
    } catch (err) {
      next(err);
    }
  });
  if (config.BULL_BOARD_USER && config.BULL_BOARD_PASSWORD) app.use(bullBoard(deps.queues, { user: config.BULL_BOARD_USER, password: config.BULL_BOARD_PASSWORD }, log));

  // Telegram's webhook is a plain Node handler served ahead of express: every update takes
  // this path, and express's routing and body parsing cost more than the handler needs.
  const requestListener: http.RequestListener = (req, res) => {
    const hook = req.method === 'POST' ? webhooks.get(req.url!.split('?', 1)[0]!) : undefined;
    if (!hook) return void app(req, res);
    if (draining) {
      res.writeHead(503, { connection: 'close', 'retry-after': '5', 'content-type': 'application/json' }).end('{"error":"shutting down"}');
      return;
    }
    hook(req, res).catch((err: unknown) => {
      log.error({ err: err instanceof Error ? err.message : String(err) }, 'request failed');
      if (!res.headersSent) res.writeHead(500, { 'content-type': 'application/json' }).end('{"error":"internal"}');
    });
  };

  /** Registered last so it also covers routes that channels attached after createApp. */
  const addErrorHandler = () => {
    // Nothing a request does may take the process down: answer 500, log without personal data.
    app.use((err: Error & { status?: number; type?: string }, req: express.Request, res: express.Response, _next: express.NextFunction) => {
      // Body parser refusals (too large, not JSON): the client's fault. Their messages may quote the body, so only the type is logged.
      if (typeof err.status === 'number' && err.status >= 400 && err.status < 500) {
        log.warn({ path: req.path, status: err.status, type: err.type }, 'request refused');
        if (!res.headersSent) res.status(err.status).json({ error: err.status === 413 ? 'payload too large' : 'bad request' });
        return;
      }
      log.error({ err: err.message }, 'request failed');
      if (!res.headersSent) res.status(500).json({ error: 'internal' });
    });
  };

  let server: http.Server | undefined;
  return {
    app,
    /** POST routes served ahead of express (path → handler). */
    webhooks,
    requestListener,
    listen: () =>
      new Promise<http.Server>((resolve, reject) => {
        addErrorHandler();
        server = http.createServer(requestListener).listen(config.PORT, config.HOST, () => resolve(server!));
        server.once('error', reject);
      }),
    /** New requests get 503; resolves when the server has stopped accepting and the requests in flight are answered. */
    async close(): Promise<void> {
      draining = true;
      await new Promise<void>((resolve) => (server?.listening ? server.close(() => resolve()) : resolve()));
    },
  };
}
