import { parseArgs } from 'node:util';
import { parseConfig, ConfigError } from './config/index.js';
import { createLogger } from './logger.js';
import { openRedis } from './redis/resolve.js';
import { createApp } from './app.js';
import { startWorkers } from '../jobs/index.js';

/**
 * `npm run worker`: the jobs' workers alone (outbox, reminders, alerts, broadcasts), no
 * web server. Run as many as you like next to `npm start` / the web processes; they
 * share the work through Redis. Options (all optional):
 *   --concurrency <n>   sends in flight per outbox worker (default 8)
 *   --lock-ms <ms>      a job held by a worker that died is retried after this (default 30000)
 *   --stalled-ms <ms>   how often to look for such jobs (default 30000)
 *   --no-schedules      do not create/refresh the campaign's job schedulers
 */
async function main() {
  const { values } = parseArgs({
    options: {
      concurrency: { type: 'string' },
      'lock-ms': { type: 'string' },
      'stalled-ms': { type: 'string' },
      'no-schedules': { type: 'boolean' },
    },
  });
  const num = (name: string, v: string | undefined) => {
    if (v === undefined) return undefined;
    const n = Number(v);
    if (!Number.isInteger(n) || n <= 0) {
      console.error(`Invalid option: --${name} must be a positive whole number`);
      process.exit(1);
    }
    return n;
  };
  const concurrency = num('concurrency', values.concurrency);
  const lockDurationMs = num('lock-ms', values['lock-ms']);
  const stalledIntervalMs = num('stalled-ms', values['stalled-ms']);

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
  const app = await createApp(config, { redisUrl: redis.url, log });
  const workers = await startWorkers(app, {
    log,
    ...(concurrency && { concurrency }),
    ...(lockDurationMs && { lockDurationMs }),
    ...(stalledIntervalMs && { stalledIntervalMs }),
    schedules: !values['no-schedules'],
  });
  log.info({ campaign: app.campaign.id, channels: Object.keys(app.outbound) }, 'worker started');

  let stopping = false;
  const stop = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    log.info({ signal }, 'worker shutting down');
    await workers.close();
    await app.close();
    await redis.stop();
    log.info('worker stopped');
    process.exit(0);
  };
  process.on('SIGINT', () => void stop('SIGINT'));
  process.on('SIGTERM', () => void stop('SIGTERM'));
  process.on('unhandledRejection', (err) => log.error({ err: (err as Error)?.message }, 'unhandled rejection'));
}

void main();
