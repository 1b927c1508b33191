import fs from 'node:fs';
import path from 'node:path';
import { startEmbeddedRedis } from './embedded.js';
import { createRedis } from './connection.js';

export interface ResolvedRedis {
  url: string;
  /** true when this process started the server and must stop it. */
  embedded: boolean;
  stop(): Promise<void>;
}

const portFile = (dataDir: string) => path.join(dataDir, 'redis', 'port');

async function alive(url: string): Promise<boolean> {
  const c = createRedis(url, 'store', { lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null });
  try {
    await c.connect();
    return (await c.ping()) === 'PONG';
  } catch {
    return false;
  } finally {
    c.disconnect();
  }
}

/**
 * REDIS_URL if set; else the embedded server another process of ours already runs on
 * this DATA_DIR (so `npm run cli` talks to the same data as `npm start`); else start one.
 */
/** What openRedis reads of the configuration (config/ reads the environment and stands above redis/: it parses cluster URLs). */
export interface RedisChoice {
  REDIS_URL?: string | undefined;
  dataDir: string;
}

export async function openRedis(config: RedisChoice): Promise<ResolvedRedis> {
  if (config.REDIS_URL) return { url: config.REDIS_URL, embedded: false, stop: async () => {} };
  const file = portFile(config.dataDir);
  if (fs.existsSync(file)) {
    const url = `redis://127.0.0.1:${fs.readFileSync(file, 'utf8').trim()}`;
    if (await alive(url)) return { url, embedded: false, stop: async () => {} };
  }
  const server = await startEmbeddedRedis({ dir: path.join(config.dataDir, 'redis') });
  fs.writeFileSync(file, String(server.port));
  return {
    url: server.url,
    embedded: true,
    async stop() {
      await server.stop();
      fs.rmSync(file, { force: true });
    },
  };
}
