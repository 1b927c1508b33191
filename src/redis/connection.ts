import { Redis, type RedisOptions } from 'ioredis';

/**
 * The one place Redis connections are made. BullMQ workers need
 * maxRetriesPerRequest: null (they block); store clients keep ioredis' default so a
 * dead Redis fails a request instead of hanging a user's step forever.
 */
export type ConnectionRole = 'store' | 'bullmq';

export function createRedis(url: string, role: ConnectionRole = 'store', extra: RedisOptions = {}): Redis {
  const client = new Redis(url, {
    maxRetriesPerRequest: role === 'bullmq' ? null : 3,
    enableReadyCheck: true,
    lazyConnect: false,
    ...extra,
  });
  // ioredis re-emits connection errors; without a listener Node would crash the process.
  client.on('error', () => {});
  return client;
}
