import type { Redis } from 'ioredis';
import { z } from 'zod';
import { parseConfig, type Config } from '../config/index.js';
import { createRedis } from '../redis/connection.js';
import { openRedis } from '../redis/resolve.js';
import { createStore, type Store } from '../store/index.js';

/** An error already explained to the user: print the message, exit with `code`. */
export class CliError extends Error {
  override readonly name = 'CliError';
  constructor(
    message: string,
    readonly exitCode = 1,
  ) {
    super(message);
  }
}

/**
 * STORE_PREFIX: the store's key prefix (default `td`). Read here rather than in
 * src/config so the CLI can target a test namespace; the server should use the same.
 */
export function storePrefix(env: NodeJS.ProcessEnv = process.env): string {
  const parsed = z
    .string()
    .regex(/^[A-Za-z0-9_{}.-]{1,64}$/, 'STORE_PREFIX must be 1-64 characters of A-Z a-z 0-9 _ - . { }')
    .default('td')
    .safeParse(env.STORE_PREFIX || undefined);
  if (!parsed.success) throw new CliError(`Invalid configuration: ${parsed.error.issues[0]?.message ?? 'STORE_PREFIX'}`);
  return parsed.data;
}

export interface CliEnv {
  config: Config;
  redis: Redis;
  store: Store;
}

/**
 * Loads configuration, connects to Redis (REDIS_URL, the server's embedded Redis on
 * DATA_DIR, or a new embedded one, stopped afterwards), and runs `fn` with a store.
 */
export async function withStore<T>(fn: (env: CliEnv) => Promise<T>): Promise<T> {
  const config = parseConfig(process.env);
  const prefix = storePrefix();
  const resolved = await openRedis(config);
  const redis = createRedis(resolved.url);
  try {
    return await fn({ config, redis, store: createStore(redis, { prefix }) });
  } finally {
    await redis.quit().catch(() => redis.disconnect());
    await resolved.stop();
  }
}
