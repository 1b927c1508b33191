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
import { TelegramChannel, telegramWebhook } from './channels/telegram/index.js';
import { createZalo, downloadZaloAttachment, zaloEnabled, type ZaloRuntime } from './channels/zalo/index.js';
import { seedDemo, demoUsers } from './demo/seed.js';
import { Engine } from './engine/engine.js';
import { FileStore } from './files.js';
import { createRedis } from './redis/connection.js';
import { createStore, type Store } from './store/index.js';
import { notify } from './services/notify.js';
import { createJobs, type Jobs } from '../jobs/index.js';
import type { UserFromGetMe } from 'grammy/types';

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
  /** The Telegram channel when TELEGRAM_BOT_TOKEN is set (webhook route mounted, or polling via startPolling()). */
  telegram?: TelegramChannel;
  /** Queues of the jobs (outbox, schedules, broadcasts); `startWorkers(app)` (jobs/) runs their workers. */
  jobs: Jobs;
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
  /** Telegram's getMe answer, when known (tests): the bot then never calls getMe. */
  telegramBotInfo?: UserFromGetMe;
}

/** Wires configuration, Redis, store, engine and channels into one process. */
export async function createApp(config: Config, opts: AppOptions): Promise<App> {
  const prefix = opts.prefix ?? config.STORE_PREFIX;
  const campaign = loadCampaign(config.CAMPAIGN);
  const redis = createRedis(opts.redisUrl);
  const store = createStore(redis, { prefix, now: opts.now });
  const files = new FileStore(config.dataDir);
  const jobs = createJobs({
    redisUrl: opts.redisUrl,
    prefix,
    campaign,
    store,
    redis,
    log: opts.log,
    ...(opts.now && { now: opts.now }),
    channels: () => Object.keys(outbound) as Channel[],
    rates: { telegram: config.TELEGRAM_RATE_PER_SEC, zalo: config.ZALO_RATE_PER_SEC },
  });
  const simulatorRef: { current?: SimulatorChannel } = {};
  const telegramRef: { current?: TelegramChannel } = {};
  const engine = new Engine({
    redis,
    store,
    campaign,
    flows: allFlows,
    files,
    prefix,
    idleMs: config.SESSION_IDLE_HOURS * 3600_000,
    messagesPerMinute: config.USER_MESSAGES_PER_MINUTE,
    admins: config.ADMINS,
    now: opts.now,
    log: opts.log,
    fetchers: {
      sim: (a) => simulatorRef.current!.fetch(a),
      zalo: (a) => downloadZaloAttachment(a),
      telegram: (a) => (telegramRef.current ? telegramRef.current.fetch(a) : Promise.reject(new Error('Telegram is not configured'))),
    },
    notify: (to, reply, key) => notify(jobs.outbox, to, reply, key),
    jobs,
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
  let telegram: TelegramChannel | undefined;
  if (config.TELEGRAM_BOT_TOKEN) {
    telegram = new TelegramChannel({
      token: config.TELEGRAM_BOT_TOKEN,
      apiRoot: config.TELEGRAM_API_ROOT,
      engine,
      store,
      redis,
      prefix,
      dataDir: config.dataDir,
      log: opts.log,
      ...(opts.telegramBotInfo && { botInfo: opts.telegramBotInfo }),
      ...(opts.now && { now: opts.now }),
    });
    telegramRef.current = telegram;
    outbound.telegram = telegram;
    // Polling is started by main (startPolling); the webhook route must exist before listen().
    if (config.TELEGRAM_MODE === 'webhook') app.use(telegramWebhook(telegram, config.TELEGRAM_WEBHOOK_SECRET!, opts.log));
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
    telegram,
    jobs,
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
      await telegram?.stop();
      await zalo?.close();
      await jobs.close();
      await redis.quit().catch(() => redis.disconnect());
    },
  };
}
