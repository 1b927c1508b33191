import type http from 'node:http';
import path from 'node:path';
import type express from 'express';
import type { Redis } from 'ioredis';
import type { Logger } from 'pino';
import { allFlows } from '../flows/index.js';
import { loadCampaign } from './campaign/load.js';
import { clockOf, DemoClock, realClock, usesDemoClock, type Clock } from './clock.js';
import type { Campaign } from './campaign/schema.js';
import { platformConfigured, type Config } from './config/index.js';
import type { OutboundChannel } from './channels/types.js';
import type { Channel } from './domain/entities.js';
import { hierarchyOf } from './domain/levels.js';
import { SimulatorChannel } from './channels/simulator/channel.js';
import { simulatorRoutes } from './channels/simulator/routes.js';
import { TelegramChannel, telegramWebhook, WEBHOOK_PATH } from './channels/telegram/index.js';
import { createZalo, downloadZaloAttachment, zaloEnabled, type ZaloRuntime } from './channels/zalo/index.js';
import { seedDemo, demoUsers } from './demo/seed.js';
import { Engine } from './engine/engine.js';
import { zaloPolicy } from './download.js';
import { FileStore } from './files.js';
import { clusterPrefixProblem, isClusterUrl } from './redis/cluster.js';
import { createRedis } from './redis/connection.js';
import { createStore, type GuessLimits, type Store } from './store/index.js';
import { loadInviteSecret } from './config/invite-secret.js';
import { alertAdmins, type AdminAlert } from './services/admin-alerts.js';
import { notify } from './services/notify.js';
import { createJobs, type Jobs } from '../jobs/index.js';
import { clockControl, type ClockControl } from '../jobs/clock.js';
import { applyAdmins } from './ops/admins.js';
import { requireBasicAuth } from './ops/basic-auth.js';
import { t } from './i18n.js';
import type { Health, RunningCheck } from './ops/health.js';
import { createHttp } from './ops/http.js';
import type { Metrics } from './ops/metrics.js';
import { observe } from './ops/observe.js';
import type { UserFromGetMe } from 'grammy/types';
import { WebLogins, LOGIN_MINUTES } from './web/login.js';
import { dashboardRoutes, loginUrl } from './web/routes.js';

export interface App {
  config: Config;
  campaign: Campaign;
  redis: Redis;
  /** Campaign time for everything in this app: real, or the local demo's simulated clock (src/clock.ts). */
  clock: Clock;
  /** The local demo only: moving its clock (jobs/clock.ts; the simulator's /sim/api/clock and `npm run chat`'s /ngay). */
  clockControl?: ClockControl;
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
  /** The web dashboard's one-time login links and sessions (src/web/); absent in the simulator's sandbox. */
  webLogins?: WebLogins;
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
  /** A clock of the test's own; without it the real clock, or the demo clock for the local demo store. */
  now?: () => Date;
  /** Set for the simulator's sandbox next to real platforms (its clock stays real). */
  sandbox?: boolean;
  /** Telegram's getMe answer, when known (tests): the bot then never calls getMe. */
  telegramBotInfo?: UserFromGetMe;
  /** Failed invite redemption limits (tests shorten the window). */
  inviteLimits?: Partial<GuessLimits>;
}

/** Wires configuration, Redis, store, jobs, engine, channels and the HTTP side into one process. */
export async function createApp(config: Config, opts: AppOptions): Promise<App> {
  const prefix = opts.prefix ?? config.STORE_PREFIX;
  // parseConfig checks STORE_PREFIX; a prefix given here (tests, the sandbox) is checked too.
  const slotProblem = isClusterUrl(opts.redisUrl) ? clusterPrefixProblem(prefix) : null;
  if (slotProblem) throw new Error(`Refusing to start: the key prefix must be ${slotProblem}`);
  const campaign = loadCampaign(config.CAMPAIGN);
  const redis = createRedis(opts.redisUrl);
  // The local demo's clock can be moved from the simulator; nowhere else (never next to a platform, never in the sandbox).
  const demoClock = !opts.now && !opts.sandbox && usesDemoClock(config) ? await DemoClock.open(redis, prefix, { watch: true }) : null;
  const clock: Clock = demoClock ?? (opts.now ? clockOf(opts.now) : realClock);
  const now = clock.now;
  const store = createStore(redis, { prefix, now, inviteSecret: loadInviteSecret(config), inviteLimits: opts.inviteLimits, hierarchy: hierarchyOf(campaign) });
  await store.invites.checkSecret().catch((err: unknown) => {
    void clock.close();
    redis.disconnect();
    throw err;
  });
  await applyAdmins(store, config.ADMINS, now(), opts.log);
  const files = new FileStore(config.dataDir, {
    redis,
    prefix,
    perUserDailyBytes: config.UPLOAD_MB_PER_DAY * 1024 * 1024,
    maxTotalBytes: config.FILES_MAX_MB * 1024 * 1024,
  });
  // Filled in below as channels are configured; the outbox sends through these.
  const outbound: Partial<Record<Channel, OutboundChannel>> = {};
  let zalo: ZaloRuntime | undefined;
  let telegram: TelegramChannel | undefined;
  const ops = observe({
    redis,
    prefix,
    log: opts.log,
    outbound,
    outboxQueue: (c) => jobs.outbox.queue(c),
    outboxStaged: (c) => jobs.outbox.feeder.staged(c),
    downStates: async () => ({
      ...(telegram && { telegram: await telegram.down() }),
      ...(zalo && { zalo: await zalo.tokens.down().then((d) => d && { reason: `${d.kind}: ${d.reason}`, since: d.at }) }),
    }),
  });
  const adminAlerts = (alert: AdminAlert) => alertAdmins({ store, redis, log: opts.log, senders: () => outbound }, alert);
  const jobs = createJobs({
    redisUrl: opts.redisUrl,
    prefix,
    campaign,
    store,
    redis,
    log: opts.log,
    clock,
    channels: () => Object.keys(outbound) as Channel[],
    outbound: () => outbound,
    rates: { telegram: config.TELEGRAM_RATE_PER_SEC, zalo: config.ZALO_RATE_PER_SEC },
    retention: { dataDir: config.dataDir, fileRetentionDays: config.FILE_RETENTION_DAYS, exportRetentionDays: config.EXPORT_RETENTION_DAYS },
    alertAdmins: adminAlerts,
    hooks: ops.jobHooks,
  });
  const zaloDownloads = zaloPolicy(config.ZALO_FILE_HOSTS);
  // The sandbox's people have no dashboard: its store is not the one the dashboard reads.
  const webLogins = opts.sandbox ? undefined : new WebLogins(redis, prefix, now);
  const publicUrl = config.PUBLIC_URL ?? `http://localhost:${config.PORT}`;
  const engine = new Engine({
    redis,
    store,
    campaign,
    flows: allFlows,
    files,
    prefix,
    idleMs: config.SESSION_IDLE_HOURS * 3600_000,
    messagesPerMinute: config.USER_MESSAGES_PER_MINUTE,
    now,
    log: opts.log,
    fetchers: {
      sim: (a) => simulator.fetch(a),
      zalo: (a) => downloadZaloAttachment(a, zaloDownloads),
      telegram: (a) => (telegram ? telegram.fetch(a) : Promise.reject(new Error('Telegram is not configured'))),
    },
    notify: (to, reply, key) => notify(jobs.outbox, to, reply, key),
    ...(webLogins && { webLogin: async (who) => ({ url: loginUrl(publicUrl, await webLogins.issue(who)), minutes: LOGIN_MINUTES }) }),
    jobs,
    hooks: ops.engineHooks,
  });
  const simulator = new SimulatorChannel(redis, prefix, config.dataDir, engine, files, now);
  const web = createHttp({
    config,
    redis,
    prefix,
    log: opts.log,
    health: ops.health,
    metrics: ops.metrics,
    queues: () => [...(Object.keys(outbound) as Channel[]).map((c) => jobs.outbox.queue(c)), jobs.schedule, jobs.broadcasts.queue],
  });

  if (webLogins)
    web.app.use(dashboardRoutes({ store, campaign, files, jobs, prefix, now, log: opts.log, logins: webLogins, notify: (to, reply, key) => notify(jobs.outbox, to, reply, key) }));

  let sandbox: App | undefined;
  const control = demoClock ? clockControl(jobs, demoClock) : undefined;
  if (config.SIMULATOR === 'on') {
    const guard = config.SIMULATOR_PASSWORD ? requireBasicAuth({ user: null, password: config.SIMULATOR_PASSWORD, realm: 'thidua-bot simulator' }, opts.log) : undefined;
    if (platformConfigured(config)) {
      sandbox = await createApp(sandboxConfig(config), { ...opts, prefix: `${prefix}-sandbox`, log: opts.log.child({ sandbox: true }), sandbox: true });
      const sb = sandbox;
      web.app.use(simulatorRoutes(sb.simulator, () => demoUsers(sb.store, campaign, sb.redis, sb.prefix), { guard, notice: t('vi', 'sim.sandbox_notice') }));
    } else {
      // The local demo: the simulator is the only channel, so its store is the demo's.
      if ((await seedDemo(store, campaign, redis, prefix)) === 'real-store') opts.log.warn('demo seed skipped: this store has Telegram or Zalo accounts');
      const clockPort = control ? { view: control.view, move: control.move, badRequest: t('vi', 'clock.bad_date') } : undefined;
      web.app.use(simulatorRoutes(simulator, () => demoUsers(store, campaign, redis, prefix), { guard, clock: clockPort }));
    }
  }
  outbound.sim = ops.instrument(simulator);
  if (zaloEnabled(config)) {
    zalo = await createZalo({ config, redisUrl: opts.redisUrl, redis, store, engine, campaign, prefix, log: opts.log, now, alertAdmins: adminAlerts });
    outbound.zalo = ops.instrument(zalo.channel);
    web.app.use(zalo.routes);
  }
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
      now,
    });
    outbound.telegram = ops.instrument(telegram);
    // Polling is started by main (startPolling); the webhook route must exist before listen().
    if (config.TELEGRAM_MODE === 'webhook') web.webhooks.set(WEBHOOK_PATH, telegramWebhook(telegram, config.TELEGRAM_WEBHOOK_SECRET!, opts.log));
  }

  return {
    config,
    campaign,
    redis,
    clock,
    clockControl: control,
    store,
    engine,
    simulator,
    sandbox,
    outbound,
    zalo,
    telegram,
    jobs,
    http: web.app,
    requestListener: web.requestListener,
    prefix,
    metrics: ops.metrics,
    webLogins,
    health: ops.health,
    attachWorkers: ops.attachWorkers,
    listen: web.listen,
    async drain() {
      await web.close();
      await telegram?.stop();
      await ops.settled();
      await sandbox?.drain();
    },
    async close() {
      await web.close();
      await ops.settled();
      await telegram?.stop();
      await zalo?.close();
      await jobs.close();
      await telegram?.close();
      await sandbox?.close();
      await clock.close();
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
