import { randomUUID } from 'node:crypto';
import type { Redis } from 'ioredis';

const RELEASE = `if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('del', KEYS[1]) else return 0 end`;

export class LockTimeoutError extends Error {}

/**
 * A per-key mutex in Redis (SET NX PX + compare-and-delete), so two messages of one
 * user never run at once across processes. The expiry frees the lock if a process dies.
 */
export async function withLock<T>(
  redis: Redis,
  key: string,
  fn: () => Promise<T>,
  { ttlMs = 30_000, waitMs = 20_000 } = {},
): Promise<T> {
  const token = randomUUID();
  const deadline = Date.now() + waitMs; // host clock: how long to wait for the lock
  let delay = 5;
  while ((await redis.set(key, token, 'PX', ttlMs, 'NX')) !== 'OK') {
    if (Date.now() > deadline) throw new LockTimeoutError(`lock ${key} busy`); // host clock: how long to wait for the lock
    await new Promise((r) => setTimeout(r, delay));
    delay = Math.min(delay * 2, 100);
  }
  try {
    return await fn();
  } finally {
    await redis.eval(RELEASE, 1, key, token).catch(() => {});
  }
}
