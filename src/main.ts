import { parseConfig, ConfigError } from './config/index.js';
import { createLogger } from './logger.js';
import { openRedis } from './redis/resolve.js';
import { createApp } from './app.js';
import { startWorkers } from '../jobs/index.js';

/** `npm start`: web server, simulator and the jobs' workers in one process (`npm run worker` runs workers alone). */
async function main() {
  let config;
  try {
    config = parseConfig();
  } catch (err) {
    if (err instanceof ConfigError) {
      console.error(err.message);
      process.exit(1);
    }
    throw err;
  }
  const log = createLogger(config.LOG_LEVEL);
  let redis;
  try {
    redis = await openRedis(config);
  } catch (err) {
    console.error((err as Error).message);
    process.exit(1);
  }
  if (redis.embedded) log.info({ url: redis.url, dir: `${config.dataDir}/redis` }, 'started embedded redis-server');
  const app = await createApp(config, { redisUrl: redis.url, log });
  const server = await app.listen();
  if (app.telegram && config.TELEGRAM_MODE === 'polling') app.telegram.startPolling();
  const workers = await startWorkers(app, { log });
  const addr = server.address();
  const port = typeof addr === 'object' && addr ? addr.port : config.PORT;
  log.info({ campaign: app.campaign.id }, `listening on http://localhost:${port}/ (simulator: ${config.SIMULATOR})`);

  let stopping = false;
  const stop = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    log.info({ signal }, 'shutting down');
    await workers.close();
    await app.close();
    await redis.stop();
    log.info('stopped');
    process.exit(0);
  };
  process.on('SIGINT', () => void stop('SIGINT'));
  process.on('SIGTERM', () => void stop('SIGTERM'));
  process.on('unhandledRejection', (err) => log.error({ err: (err as Error)?.message }, 'unhandled rejection'));
}

void main();
