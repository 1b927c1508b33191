import type { Logger } from 'pino';
import { parseConfig, platformConfigured, ConfigError, type Config } from '../config/index.js';
import { holdsDemo } from '../demo/seed.js';
import { createRedis } from '../redis/connection.js';
import { createStore } from '../store/index.js';
import { createLogger } from '../logger.js';
import { openRedis, type ResolvedRedis } from '../redis/resolve.js';
import type { App } from '../app.js';
import { startWorkers, type StartWorkersOptions } from '../../jobs/index.js';
import { startHeartbeat } from './health.js';
import { campaignExplicit, storeCampaign } from './store-campaign.js';

/** What every process (`npm start`, `npm run worker`) starts from. */
export interface Bootstrapped {
  config: Config;
  log: Logger;
  redis: ResolvedRedis;
}

/**
 * With a platform configured, the store must be a production one: the simulator's demo
 * accounts (a demo admin among them) would act on real people. One line saying what and
 * how to fix it, or null.
 */
export async function demoStoreProblem(config: Config, redisUrl: string): Promise<string | null> {
  if (!platformConfigured(config)) return null;
  const redis = createRedis(redisUrl);
  try {
    if (!(await holdsDemo(createStore(redis, { prefix: config.STORE_PREFIX }), redis, config.STORE_PREFIX))) return null;
  } finally {
    await redis.quit().catch(() => redis.disconnect());
  }
  return (
    `Refusing to start: the store (STORE_PREFIX=${config.STORE_PREFIX}) holds the simulator's demo accounts, left by a run without Telegram/Zalo tokens, ` +
    'and demo people must never share a store with real ones. Give this deployment a store of its own (another DATA_DIR, REDIS_URL or STORE_PREFIX).'
  );
}

/**
 * Configuration (a bad variable stops the process with one line naming it), the logger
 * and Redis (REDIS_URL, or the embedded server on DATA_DIR); a production store with
 * demo data stops it too (demoStoreProblem). Exits with 1 on failure.
 */
export async function bootstrap(env: NodeJS.ProcessEnv = process.env): Promise<Bootstrapped> {
  let config: Config;
  try {
    config = parseConfig(env);
  } catch (err) {
    if (err instanceof ConfigError) {
      console.error(err.message);
      process.exit(1);
    }
    throw err;
  }
  const log = createLogger(config.LOG_LEVEL);
  let redis: ResolvedRedis;
  try {
    redis = await openRedis(config);
  } catch (err) {
    console.error((err as Error).message);
    process.exit(1);
  }
  if (redis.embedded) log.info({ url: redis.url, dir: `${config.dataDir}/redis` }, 'started embedded redis-server');
  // One store, one campaign: the store records it at the first start; another CAMPAIGN stops here.
  const held = await storeCampaign(config, redis.url, { explicit: campaignExplicit(env), claim: true }).catch((err: unknown) => ({ config, problem: (err as Error).message }));
  config = held.config;
  const problem = held.problem ?? (await demoStoreProblem(config, redis.url));
  if (problem) {
    console.error(problem);
    await redis.stop();
    process.exit(1);
  }
  return { config, log, redis };
}

/**
 * Runs `stop` once on the first SIGTERM or SIGINT, then exits 0 (1 when a step of it
 * failed or it took longer than `timeoutMs`). A second signal during shutdown is ignored:
 * the running step still finishes. Unhandled rejections are logged (message only).
 */
export function onShutdown(log: Logger, stop: (signal: string) => Promise<void>, opts: { timeoutMs?: number; stoppedMessage?: string } = {}): void {
  let stopping = false;
  const run = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    log.info({ signal }, 'shutting down');
    const timer = setTimeout(() => {
      log.error({ timeoutMs: opts.timeoutMs }, 'shutdown took too long; exiting');
      process.exit(1);
    }, opts.timeoutMs ?? 60_000);
    timer.unref();
    let code = 0;
    try {
      await stop(signal);
    } catch (err) {
      code = 1;
      log.error({ err: (err as Error)?.message }, 'shutdown step failed');
    }
    log.info(opts.stoppedMessage ?? 'stopped');
    process.exit(code);
  };
  process.on('SIGINT', () => void run('SIGINT'));
  process.on('SIGTERM', () => void run('SIGTERM'));
  process.on('unhandledRejection', (err) => log.error({ err: (err as Error)?.message }, 'unhandled rejection'));
}

/**
 * Starts this process's BullMQ workers (jobs/), reports them to the app's /healthz and
 * keeps a heartbeat in Redis so every replica's /healthz sees workers cluster-wide.
 * close() leaves the heartbeat set, then waits for the jobs in progress.
 */
export async function runWorkers(app: App, opts: StartWorkersOptions = {}): Promise<{ close(): Promise<void> }> {
  const running = await startWorkers(app, opts);
  app.attachWorkers(running.workers);
  const heartbeat = startHeartbeat(app.redis, app.prefix, () => running.workers);
  await heartbeat.beat();
  // The simulator's sandbox has jobs of its own (announcements, reminders to its demo people).
  const sandbox = app.sandbox && (await runWorkers(app.sandbox, opts));
  return {
    async close() {
      await sandbox?.close();
      await heartbeat.stop();
      await running.close();
    },
  };
}
