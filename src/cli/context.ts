import type { Redis } from 'ioredis';
import { parseConfig, type Config } from '../config/index.js';
import { isClusterUrl, parseClusterUrl } from '../redis/cluster.js';
import { createRedis } from '../redis/connection.js';
import { openRedis } from '../redis/resolve.js';
import { createStore, type Store } from '../store/index.js';
import { loadInviteSecret } from '../config/invite-secret.js';

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
  /** Which data this is, for the operator: Redis host:port (never credentials) and key prefix. */
  where: string;
}

/** `redis 10.0.0.5:6379, prefix td` — no user or password. */
function describe(url: string, prefix: string, embedded: boolean): string {
  let host = 'unknown';
  try {
    if (isClusterUrl(url)) return `redis cluster ${parseClusterUrl(url).nodes.map((n) => `${n.host}:${n.port}`).join(',')}, store prefix ${prefix}`;
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
    return await fn({ config, redis, store: createStore(redis, { prefix: config.STORE_PREFIX, inviteSecret: loadInviteSecret(config) }), where });
  } finally {
    await redis.quit().catch(() => redis.disconnect());
    await resolved.stop();
  }
}
