import { parseArgs } from 'node:util';
import { createApp } from './app.js';
import { bootstrap, onShutdown, runWorkers } from './ops/bootstrap.js';

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

  const { config, log, redis } = await bootstrap();
  const app = await createApp(config, { redisUrl: redis.url, log });
  const workers = await runWorkers(app, {
    log,
    ...(concurrency && { concurrency }),
    ...(lockDurationMs && { lockDurationMs }),
    ...(stalledIntervalMs && { stalledIntervalMs }),
    schedules: !values['no-schedules'],
  });
  log.info({ campaign: app.campaign.id, channels: Object.keys(app.outbound) }, 'worker started');

  onShutdown(
    log,
    async () => {
      await workers.close();
      await app.close();
      await redis.stop();
    },
    { stoppedMessage: 'worker stopped' },
  );
}

void main();
