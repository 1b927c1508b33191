import type { Redis } from 'ioredis';
import { createJobs, type Jobs } from '../../jobs/index.js';
import { loadCampaign } from '../campaign/load.js';
import type { Campaign } from '../campaign/schema.js';
import { zaloEnabled } from '../channels/zalo/index.js';
import { parseConfig, type Config } from '../config/index.js';
import type { Channel } from '../domain/index.js';
import { createLogger } from '../logger.js';
import { createRedis } from '../redis/connection.js';
import { openRedis } from '../redis/resolve.js';
import { createStore, type Store } from '../store/index.js';

/**
 * What the commands run against: configuration, Redis, the store, the jobs. Heavy on
 * purpose (config, ioredis, BullMQ…): command files import it inside their actions only.
 */

/** The store's key prefix, from the configuration contract (STORE_PREFIX, default `td`). */
export function storePrefix(env: NodeJS.ProcessEnv = process.env): string {
  return parseConfig(env).STORE_PREFIX;
}

export interface CliEnv {
  config: Config;
  redis: Redis;
  store: Store;
  /** Which data this is, for the operator: Redis host:port (never credentials) and key prefix. */
  where: string;
}

/** `redis 10.0.0.5:6379, prefix td` — no user or password. */
function describe(url: string, prefix: string, embedded: boolean): string {
  let host = 'unknown';
  try {
    const u = new URL(url);
    host = `${u.hostname}:${u.port || '6379'}`;
  } catch {
    // A malformed URL never gets this far (openRedis connects first).
  }
  return `redis ${host}${embedded ? ' (embedded, on DATA_DIR)' : ''}, store prefix ${prefix}`;
}

/**
 * Loads configuration, connects to Redis (REDIS_URL, the server's embedded Redis on
 * DATA_DIR, or a new embedded one, stopped afterwards), and runs `fn` with a store.
 */
export async function withStore<T>(fn: (env: CliEnv) => Promise<T>): Promise<T> {
  const config = parseConfig(process.env);
  const resolved = await openRedis(config);
  const redis = createRedis(resolved.url);
  try {
    const where = describe(resolved.url, config.STORE_PREFIX, resolved.embedded);
    return await fn({ config, redis, store: createStore(redis, { prefix: config.STORE_PREFIX }), where });
  } finally {
    await redis.quit().catch(() => redis.disconnect());
    await resolved.stop();
  }
}

/** The channels this configuration enables (as the app wires them). */
export function configuredChannels(config: Config): Channel[] {
  const out: Channel[] = [];
  if (config.SIMULATOR === 'on') out.push('sim');
  if (config.TELEGRAM_BOT_TOKEN) out.push('telegram');
  if (zaloEnabled(config)) out.push('zalo');
  return out;
}

export interface JobsEnv {
  config: Config;
  campaign: Campaign;
  store: Store;
  jobs: Jobs;
}

/** Like withStore, with the campaign and the jobs' queues (which only queue: the workers send). */
export async function withJobs<T>(fn: (env: JobsEnv) => Promise<T>): Promise<T> {
  const config = parseConfig(process.env);
  const campaign = loadCampaign(config.CAMPAIGN);
  const resolved = await openRedis(config);
  const redis = createRedis(resolved.url);
  const store = createStore(redis, { prefix: config.STORE_PREFIX });
  const jobs = createJobs({
    redisUrl: resolved.url,
    prefix: config.STORE_PREFIX,
    campaign,
    store,
    redis,
    log: createLogger('silent'),
    channels: () => configuredChannels(config),
    rates: { telegram: config.TELEGRAM_RATE_PER_SEC, zalo: config.ZALO_RATE_PER_SEC },
  });
  try {
    return await fn({ config, campaign, store, jobs });
  } finally {
    await jobs.close();
    await redis.quit().catch(() => redis.disconnect());
    await resolved.stop();
  }
}
