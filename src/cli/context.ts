import type { Redis } from 'ioredis';
import { parseConfig, type Config } from '../config/index.js';
import { DemoClock, realClock, usesDemoClock, type Clock } from '../clock.js';
import { createRedis } from '../redis/connection.js';
import { openRedis } from '../redis/resolve.js';
import { createStore, type Store } from '../store/index.js';
import { loadInviteSecret } from '../config/invite-secret.js';
import { loadCampaign } from '../campaign/load.js';
import { hierarchyOf } from '../domain/levels.js';
import { CliError } from './errors.js';

/**
 * What the commands run against: configuration, Redis, the store (jobs-context.ts adds the
 * queues). Heavy (zod, ioredis…): command files import it inside their actions only.
 */

/** The store's key prefix, from the configuration contract (STORE_PREFIX, default `td`). */
export function storePrefix(env: NodeJS.ProcessEnv = process.env): string {
  return parseConfig(env).STORE_PREFIX;
}

export interface CliEnv {
  config: Config;
  redis: Redis;
  store: Store;
  /** Campaign time: the demo store's simulated clock, else the real one. */
  clock: Clock;
  /** Which data this is, for the operator: the store (never credentials) and its campaign. */
  where: string;
}

export interface OpenOptions {
  /** Record the campaign on a store that has none yet (commands that write units do). */
  claim?: boolean;
}

export interface Opened {
  config: Config;
  redisUrl: string;
  where: string;
  close(): Promise<void>;
}

/** The clock the store's processes agree on: the demo store's simulated one (read once), else the real one. */
export async function openClock(config: Config, redis: Redis): Promise<Clock> {
  return usesDemoClock(config) ? DemoClock.open(redis, config.STORE_PREFIX, { watch: false }) : realClock;
}

/**
 * Configuration, Redis (REDIS_URL, the server's embedded Redis on DATA_DIR, or a new
 * embedded one, stopped by close()) and the store's campaign (src/ops/store-campaign.ts):
 * another CAMPAIGN than the store's stops the command. Prints to stderr, in one line, which
 * store and campaign the command uses.
 */
export async function openCli(opts: OpenOptions = {}): Promise<Opened> {
  const parsed = parseConfig(process.env);
  const resolved = await openRedis(parsed);
  const { storeCampaign, campaignExplicit, describeStore } = await import('../ops/store-campaign.js');
  let held;
  try {
    held = await storeCampaign(parsed, resolved.url, { explicit: campaignExplicit(process.env), claim: opts.claim ?? false });
  } catch (err) {
    await resolved.stop();
    throw new CliError((err as Error).message);
  }
  if (held.problem) {
    await resolved.stop();
    throw new CliError(held.problem);
  }
  const where = `${describeStore(parsed, resolved.url)}, campaign ${held.config.CAMPAIGN}`;
  console.error(`Store: ${where}`);
  return { config: held.config, redisUrl: resolved.url, where, close: () => resolved.stop() };
}

/** Runs `fn` with a connected store (openCli), then disconnects. */
export async function withStore<T>(fn: (env: CliEnv) => Promise<T>, opts: OpenOptions = {}): Promise<T> {
  const opened = await openCli(opts);
  const { config } = opened;
  const redis = createRedis(opened.redisUrl);
  try {
    const clock = await openClock(config, redis);
    return await fn({ config, redis, clock, store: createStore(redis, { prefix: config.STORE_PREFIX, now: clock.now, inviteSecret: loadInviteSecret(config), hierarchy: hierarchyOf(loadCampaign(config.CAMPAIGN)) }), where: opened.where });
  } finally {
    await redis.quit().catch(() => redis.disconnect());
    await opened.close();
  }
}
