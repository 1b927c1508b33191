import http from 'node:http';
import express from 'express';
import type { Redis } from 'ioredis';
import type { Logger } from 'pino';
import { allFlows } from '../flows/index.js';
import { loadCampaign } from './campaign/load.js';
import type { Campaign } from './campaign/schema.js';
import type { Config } from './config/index.js';
import type { OutboundChannel } from './channels/types.js';
import type { Channel } from './domain/entities.js';
import { SimulatorChannel } from './channels/simulator/channel.js';
import { simulatorRoutes } from './channels/simulator/routes.js';
import { createZalo, downloadZaloAttachment, zaloEnabled, type ZaloRuntime } from './channels/zalo/index.js';
import { seedDemo, demoUsers } from './demo/seed.js';
import { Engine } from './engine/engine.js';
import { FileStore } from './files.js';
import { createRedis } from './redis/connection.js';
import { createStore, type Store } from './store/index.js';

export interface App {
  config: Config;
  campaign: Campaign;
  redis: Redis;
  store: Store;
  engine: Engine;
  simulator: SimulatorChannel;
  /** How to reach a user on each enabled platform (the outbox sends through these). */
  outbound: Partial<Record<Channel, OutboundChannel>>;
  /** The Zalo OA channel when ZALO_* is configured (webhook, tokens, inbound queue). */
  zalo?: ZaloRuntime;
  http: express.Express;
  listen(): Promise<http.Server>;
  close(): Promise<void>;
}

export interface AppOptions {
  redisUrl: string;
  log: Logger;
  /** Key prefix; tests give each app its own. */
  prefix?: string;
  now?: () => Date;
}

/** Wires configuration, Redis, store, engine and channels into one process. */
export async function createApp(config: Config, opts: AppOptions): Promise<App> {
  const prefix = opts.prefix ?? config.STORE_PREFIX;
  const campaign = loadCampaign(config.CAMPAIGN);
  const redis = createRedis(opts.redisUrl);
  const store = createStore(redis, { prefix, now: opts.now });
  const files = new FileStore(config.dataDir);
  const simulatorRef: { current?: SimulatorChannel } = {};
  const engine = new Engine({
    redis,
    store,
    campaign,
    flows: allFlows,
    files,
    prefix,
    idleMs: config.SESSION_IDLE_HOURS * 3600_000,
    admins: config.ADMINS,
    now: opts.now,
    log: opts.log,
    fetchers: { sim: (a) => simulatorRef.current!.fetch(a), zalo: (a) => downloadZaloAttachment(a) },
  });
  const simulator = new SimulatorChannel(redis, prefix, config.dataDir, engine);
  simulatorRef.current = simulator;

  const app = express();
  app.disable('x-powered-by');
  app.get('/healthz', async (_req, res) => {
    const ok = await redis.ping().then(() => true, () => false);
    res.status(ok ? 200 : 503).json({ redis: ok });
  });
  if (config.SIMULATOR === 'on') {
    await seedDemo(store, campaign, redis, prefix);
    app.use(simulatorRoutes(simulator, () => demoUsers(store, redis, prefix)));
  }
  const outbound: Partial<Record<Channel, OutboundChannel>> = { sim: simulator };
  let zalo: ZaloRuntime | undefined;
  if (zaloEnabled(config)) {
    zalo = await createZalo({
      config,
      redisUrl: opts.redisUrl,
      redis,
      store,
      engine,
      campaign,
      prefix,
      log: opts.log,
      now: opts.now ?? (() => new Date()),
      outbound: () => outbound,
    });
    outbound.zalo = zalo.channel;
    app.use(zalo.routes);
  }

  let server: http.Server | undefined;
  return {
    config,
    campaign,
    redis,
    store,
    engine,
    simulator,
    outbound,
    zalo,
    http: app,
    listen: () =>
      new Promise((resolve, reject) => {
        // Registered last so it also covers routes that channels attached after createApp.
        // Nothing a request does may take the process down: answer 500, log without personal data.
        app.use((err: Error, _req: express.Request, res: express.Response, _next: express.NextFunction) => {
          opts.log.error({ err: err.message }, 'request failed');
          if (!res.headersSent) res.status(500).json({ error: 'internal' });
        });
        server = app.listen(config.PORT, config.HOST, () => resolve(server!));
        server.once('error', reject);
      }),
    async close() {
      await new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve()));
      await zalo?.close();
      await redis.quit().catch(() => redis.disconnect());
    },
  };
}
