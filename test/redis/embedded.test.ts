import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { testRedis } from '../helpers/redis.js';
import { startEmbeddedRedis } from '../../src/redis/embedded.js';
import { createRedis } from '../../src/redis/connection.js';

describe('redis', () => {
  const { redis, url } = testRedis();
  afterAll(() => redis.quit());

  it('tests run against a private server, never the default port', async () => {
    expect(url).not.toMatch(/:6379$/);
    expect(await redis.ping()).toBe('PONG');
  });

  it('the embedded server keeps its data in the AOF across a restart', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'thidua-embedded-'));
    const first = await startEmbeddedRedis({ dir });
    const c1 = createRedis(first.url);
    await c1.set('k', 'v');
    expect(await c1.config('GET', 'appendfsync')).toEqual(['appendfsync', 'always']);
    expect(await c1.config('GET', 'bind')).toEqual(['bind', '127.0.0.1']);
    c1.disconnect();
    await first.stop();
    const second = await startEmbeddedRedis({ dir, port: first.port });
    const c2 = createRedis(second.url);
    expect(await c2.get('k')).toBe('v');
    c2.disconnect();
    await second.stop();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('explains how to get redis-server when the binary is missing', async () => {
    await expect(startEmbeddedRedis({ dir: os.tmpdir(), binary: 'no-such-redis-server' })).rejects.toThrow(
      /apt-get install redis-server.*brew install redis.*REDIS_URL/,
    );
  });
});
