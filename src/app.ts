import http from 'node:http';
import path from 'node:path';
import express from 'express';
import type { Redis } from 'ioredis';
import type { Logger } from 'pino';
import { allFlows } from '../flows/index.js';
import { loadCampaign } from './campaign/load.js';
import type { Campaign } from './campaign/schema.js';
import { platformConfigured, type Config } from './config/index.js';
import type { OutboundChannel, SendOutcome } from './channels/types.js';
import type { Reply } from './engine/types.js';
import type { Channel } from './domain/entities.js';
import { SimulatorChannel } from './channels/simulator/channel.js';
import { simulatorRoutes } from './channels/simulator/routes.js';
import { TelegramChannel, telegramWebhook, WEBHOOK_PATH, type WebhookHandler } from './channels/telegram/index.js';
import { createZalo, downloadZaloAttachment, zaloEnabled, type ZaloRuntime } from './channels/zalo/index.js';
import { seedDemo, demoUsers } from './demo/seed.js';
import { Engine } from './engine/engine.js';
import { zaloPolicy } from './download.js';
import { FileStore } from './files.js';
import { createRedis } from './redis/connection.js';
import { createStore, type GuessLimits, type Store } from './store/index.js';
import { loadInviteSecret } from './config/invite-secret.js';
import { notify } from './services/notify.js';
import { createJobs, type Jobs } from '../jobs/index.js';
import { applyAdmins } from './ops/admins.js';
import { bullBoard, requireBasicAuth } from './ops/board.js';
import { t } from './i18n.js';
import { checkHealth, outboxHealth, type ChannelHealth, type Health, type OutboxHealth, type RunningCheck } from './ops/health.js';
import { ipLimit } from './ops/ip-limit.js';
import { createMetrics, type Metrics, type QueueSize } from './ops/metrics.js';
import type { UserFromGetMe } from 'grammy/types';

export interface App {
  config: Config;
  campaign: Campaign;
  redis: Redis;
  store: Store;
  engine: Engine;
  simulator: SimulatorChannel;
  /**
   * With platform tokens and SIMULATOR=on: the simulator's own app (keys under
   * `<prefix>-sandbox`, its own demo people and jobs, no channel but the simulator), so
   * nobody in it can reach or act on real people. The web simulator talks to it.
   */
  sandbox?: App;
  /** How to reach a user on each enabled platform (the outbox sends through these). */
  outbound: Partial<Record<Channel, OutboundChannel>>;
  /** The Zalo OA channel when ZALO_* is configured (webhook, tokens, inbound queue). */
  zalo?: ZaloRuntime;
  /** The Telegram channel when TELEGRAM_BOT_TOKEN is set (webhook route mounted, or polling via startPolling()). */
  telegram?: TelegramChannel;
  /** Queues of the jobs (outbox, schedules, broadcasts); `startWorkers(app)` (jobs/) runs their workers. */
  jobs: Jobs;
  http: express.Express;
  /** The HTTP server's handler: platform webhooks first, then `http` (express). */
  requestListener: http.RequestListener;
  /** Key prefix of this app's data in Redis. */
  prefix: string;
  /** Prometheus metrics (GET /metrics). */
  metrics: Metrics;
  /** What GET /healthz answers. */
  health(): Promise<Health>;
  /** BullMQ workers this process runs (startWorkers), for /healthz. */
  attachWorkers(workers: readonly RunningCheck[]): void;
  listen(): Promise<http.Server>;
  /**
   * First step of a graceful shutdown: new requests get 503, the server stops accepting
   * connections and waits for the requests in flight, then for the engine steps still
   * running (Telegram polling, Zalo inbound). close() does the rest.
   */
  drain(): Promise<void>;
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
  /** Failed invite redemption limits (tests shorten the window). */
  inviteLimits?: Partial<GuessLimits>;
}

/** Wires configuration, Redis, store, engine and channels into one process. */
export async function createApp(config: Config, opts: AppOptions): Promise<App> {
  const prefix = opts.prefix ?? config.STORE_PREFIX;
  const campaign = loadCampaign(config.CAMPAIGN);
  const redis = createRedis(opts.redisUrl);
  const store = createStore(redis, { prefix, now: opts.now, inviteSecret: loadInviteSecret(config), inviteLimits: opts.inviteLimits });
  await store.invites.checkSecret().catch((err: unknown) => {
    redis.disconnect();
    throw err;
  });
  await applyAdmins(store, config.ADMINS, opts.now?.() ?? new Date(), opts.log);
  const files = new FileStore(config.dataDir, {
    redis,
    prefix,
    perUserDailyBytes: config.UPLOAD_MB_PER_DAY * 1024 * 1024,
    maxTotalBytes: config.FILES_MAX_MB * 1024 * 1024,
  });
  const zaloDownloads = zaloPolicy(config.ZALO_FILE_HOSTS);
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
    retention: { dataDir: config.dataDir, fileRetentionDays: config.FILE_RETENTION_DAYS, exportRetentionDays: config.EXPORT_RETENTION_DAYS },
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
    now: opts.now,
    log: opts.log,
    fetchers: {
      sim: (a) => simulatorRef.current!.fetch(a),
      zalo: (a) => downloadZaloAttachment(a, zaloDownloads),
      telegram: (a) => (telegramRef.current ? telegramRef.current.fetch(a) : Promise.reject(new Error('Telegram is not configured'))),
    },
    notify: (to, reply, key) => notify(jobs.outbox, to, reply, key),
    jobs,
  });
  // Metrics and shutdown hook in around the engine here, so the engine and channels stay unaware of them.
  const outbound: Partial<Record<Channel, OutboundChannel>> = {};
  const queueSizes = async (): Promise<QueueSize[]> =>
    Promise.all(
      (Object.keys(outbound) as Channel[]).map(async (c) => {
        const q = jobs.outbox.queue(c);
        return { queue: q.name, counts: await q.getJobCounts('waiting', 'prioritized', 'delayed', 'active', 'failed') };
      }),
    );
  let localWorkers: readonly RunningCheck[] = [];
  // Set below when configured.
  let zalo: ZaloRuntime | undefined;
  let telegram: TelegramChannel | undefined;
  // Health is read by every replica from Redis: channel states, outbox backlog, heartbeats.
  const channelHealth = async (): Promise<Record<string, ChannelHealth>> => {
    const state = (d: { reason: string; since: string } | null): ChannelHealth => (d ? { state: 'down', reason: d.reason, since: d.since } : { state: 'up' });
    const out: Record<string, ChannelHealth> = {};
    if (telegram) out.telegram = state(await telegram.down());
    if (zalo) {
      const d = await zalo.tokens.down();
      out.zalo = state(d && { reason: `${d.kind}: ${d.reason}`, since: d.at });
    }
    return out;
  };
  const outboxBacklog = async (): Promise<Record<string, OutboxHealth>> => {
    const now = Date.now();
    const channels = Object.keys(outbound) as Channel[];
    const list = await Promise.all(channels.map((c) => outboxHealth(jobs.outbox.queue(c), now)));
    return Object.fromEntries(channels.map((c, i) => [c, list[i]!]));
  };
  // One check at a time per process: a flood of /healthz (not limited) costs one probe, not one each.
  let checking: Promise<Health> | null = null;
  const health = () =>
    (checking ??= checkHealth({ redis, prefix, localWorkers: () => localWorkers, channels: channelHealth, outbox: outboxBacklog }).finally(() => {
      checking = null;
    }));
  const metrics = createMetrics({ queueSizes, health });
  const inflight = new Set<Promise<unknown>>();
  const handle = engine.handle.bind(engine);
  engine.handle = (inbound) => {
    metrics.updatesIn.inc({ channel: inbound.channel });
    const started = Date.now();
    const p = handle(inbound).then((r) => {
      if (!r.duplicate && r.replies.length) metrics.repliesOut.inc({ channel: inbound.channel }, r.replies.length);
      // What happened, never what was said or who said it.
      opts.log.trace({ channel: inbound.channel, input: inbound.payload ? 'button' : inbound.attachments?.length ? 'file' : 'text', replies: r.replies.length, duplicate: r.duplicate ?? false, ms: Date.now() - started }, 'engine step');
      return r;
    });
    const tracked = p.catch(() => {}).finally(() => inflight.delete(tracked));
    inflight.add(tracked);
    return p;
  };
  const runReminders = jobs.runReminders;
  jobs.runReminders = (at, o) => {
    metrics.reminderRuns.inc();
    return runReminders(at, o);
  };
  const instrument = (ch: OutboundChannel): OutboundChannel => {
    const count = (o: SendOutcome) => {
      opts.log.trace({ channel: ch.channel, ok: o.ok, ...(!o.ok && { kind: o.kind }) }, 'outbound send');
      if (o.ok) metrics.repliesOut.inc({ channel: ch.channel });
      else if (o.kind === 'rate_limited') metrics.rateLimited.inc({ channel: ch.channel });
      return o;
    };
    return {
      channel: ch.channel,
      send: (userId, reply, o) => ch.send(userId, reply, o).then(count),
      ...(ch.edit && { edit: (userId: string, id: string, reply: Reply) => ch.edit!(userId, id, reply).then(count) }),
    };
  };

  const simulator = new SimulatorChannel(redis, prefix, config.dataDir, engine, files);
  simulatorRef.current = simulator;

  let draining = false;

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
  app.use(ipLimit({ redis, prefix, perMinute: config.HTTP_REQUESTS_PER_MINUTE, exempt: unlimited, onLimited: () => metrics.httpLimited.inc() }));
  app.get('/healthz', async (_req, res) => {
    const h = await health();
    res.status(h.ok ? 200 : 503).json(h);
  });
  app.get('/metrics', async (_req, res, next) => {
    try {
      const m = await metrics.scrape();
      res.type(m.contentType).send(m.body);
    } catch (err) {
      next(err);
    }
  });
  if (config.BULL_BOARD_USER && config.BULL_BOARD_PASSWORD) {
    const queues = () => [...(Object.keys(outbound) as Channel[]).map((c) => jobs.outbox.queue(c)), jobs.schedule, jobs.broadcasts.queue];
    app.use(bullBoard(queues, { user: config.BULL_BOARD_USER, password: config.BULL_BOARD_PASSWORD }, opts.log));
  }
  let sandbox: App | undefined;
  if (config.SIMULATOR === 'on') {
    const guard = config.SIMULATOR_PASSWORD ? requireBasicAuth({ user: null, password: config.SIMULATOR_PASSWORD, realm: 'thidua-bot simulator' }, opts.log) : undefined;
    if (platformConfigured(config)) {
      sandbox = await createApp(sandboxConfig(config), { ...opts, prefix: `${prefix}-sandbox`, log: opts.log.child({ sandbox: true }) });
      const sb = sandbox;
      app.use(simulatorRoutes(sb.simulator, () => demoUsers(sb.store, sb.redis, sb.prefix), { guard, notice: t('vi', 'sim.sandbox_notice') }));
    } else {
      // The local demo: the simulator is the only channel, so its store is the demo's.
      if ((await seedDemo(store, campaign, redis, prefix)) === 'real-store') opts.log.warn('demo seed skipped: this store has Telegram or Zalo accounts');
      app.use(simulatorRoutes(simulator, () => demoUsers(store, redis, prefix), { guard }));
    }
  }
  outbound.sim = instrument(simulator);
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
    outbound.zalo = instrument(zalo.channel);
    app.use(zalo.routes);
  }
  const webhooks = new Map<string, WebhookHandler>();
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
    outbound.telegram = instrument(telegram);
    // Polling is started by main (startPolling); the webhook route must exist before listen().
    if (config.TELEGRAM_MODE === 'webhook') webhooks.set(WEBHOOK_PATH, telegramWebhook(telegram, config.TELEGRAM_WEBHOOK_SECRET!, opts.log));
  }

  let server: http.Server | undefined;
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
      opts.log.error({ err: err instanceof Error ? err.message : String(err) }, 'request failed');
      if (!res.headersSent) res.writeHead(500, { 'content-type': 'application/json' }).end('{"error":"internal"}');
    });
  };
  return {
    config,
    campaign,
    redis,
    store,
    engine,
    simulator,
    sandbox,
    outbound,
    zalo,
    telegram,
    jobs,
    http: app,
    requestListener,
    prefix,
    metrics,
    health,
    attachWorkers(workers) {
      localWorkers = workers;
    },
    listen: () =>
      new Promise((resolve, reject) => {
        // Registered last so it also covers routes that channels attached after createApp.
        // Nothing a request does may take the process down: answer 500, log without personal data.
        app.use((err: Error & { status?: number; type?: string }, req: express.Request, res: express.Response, _next: express.NextFunction) => {
          // Body parser refusals (too large, not JSON): the client's fault. Their messages may quote the body, so only the type is logged.
          if (typeof err.status === 'number' && err.status >= 400 && err.status < 500) {
            opts.log.warn({ path: req.path, status: err.status, type: err.type }, 'request refused');
            if (!res.headersSent) res.status(err.status).json({ error: err.status === 413 ? 'payload too large' : 'bad request' });
            return;
          }
          opts.log.error({ err: err.message }, 'request failed');
          if (!res.headersSent) res.status(500).json({ error: 'internal' });
        });
        server = http.createServer(requestListener).listen(config.PORT, config.HOST, () => resolve(server!));
        server.once('error', reject);
      }),
    async drain() {
      draining = true;
      await new Promise<void>((resolve) => (server?.listening ? server.close(() => resolve()) : resolve()));
      await telegram?.stop();
      while (inflight.size) await Promise.all([...inflight]);
      await sandbox?.drain();
    },
    async close() {
      draining = true;
      await new Promise<void>((resolve) => (server?.listening ? server.close(() => resolve()) : resolve()));
      while (inflight.size) await Promise.all([...inflight]);
      await telegram?.stop();
      await zalo?.close();
      await jobs.close();
      await telegram?.close();
      await sandbox?.close();
      await redis.quit().catch(() => redis.disconnect());
    },
  };
}

/**
 * The sandbox's configuration: no platform credential, no bootstrap admin, its own files.
 * Every platform variable must be cleared here (checked: a platform left on throws).
 */
function sandboxConfig(config: Config): Config {
  const c: Config = {
    ...config,
    TELEGRAM_BOT_TOKEN: undefined,
    TELEGRAM_WEBHOOK_SECRET: undefined,
    ZALO_APP_ID: undefined,
    ZALO_APP_SECRET: undefined,
    ZALO_OA_SECRET_KEY: undefined,
    ZALO_REFRESH_TOKEN: undefined,
    ADMINS: [],
    BULL_BOARD_USER: undefined,
    BULL_BOARD_PASSWORD: undefined,
    SIMULATOR: 'on',
    SIMULATOR_PASSWORD: undefined,
    dataDir: path.join(config.dataDir, 'sandbox'),
  };
  if (platformConfigured(c)) throw new Error('sandbox configuration still has a platform');
  return c;
}
