import { randomUUID } from 'node:crypto';
import { inject } from 'vitest';
import type { Redis } from 'ioredis';
import { createRedis } from '../../src/redis/connection.js';

/** A client on the run's private Redis plus a unique namespace for this test's keys. */
export function testRedis(): { redis: Redis; url: string; ns: string } {
  const url = inject('redisUrl');
  return { redis: createRedis(url), url, ns: `t${randomUUID().slice(0, 8)}` };
}
