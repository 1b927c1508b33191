import { createApp } from './app.js';
import { bootstrap, onShutdown, runWorkers } from './ops/bootstrap.js';
import { formatVnDateTime } from './domain/time.js';
import { campaignYearsAll } from './services/deadlines.js';
import { warmOverview } from './services/overview.js';

/** `npm start`: web server, simulator and the jobs' workers in one process (`npm run worker` runs workers alone). */
async function main() {
  const { config, log, redis } = await bootstrap();
  const app = await createApp(config, { redisUrl: redis.url, log });
  const server = await app.listen();
  if (app.telegram && config.TELEGRAM_MODE === 'polling') app.telegram.startPolling();
  const workers = await runWorkers(app, { log });
  const addr = server.address();
  const port = typeof addr === 'object' && addr ? addr.port : config.PORT;
  // The local demo runs on a clock the simulator can move: say where it stands.
  const simulated = app.clock.simulated ? { simulatedTime: formatVnDateTime(app.clock.now(), 'vi') } : {};
  log.info({ campaign: app.campaign.id, ...simulated }, `listening on http://localhost:${port}/ (simulator: ${app.sandbox ? 'sandbox, password required' : config.SIMULATOR})`);
  // A province or the country: /thongke's records are read now, not by the first staff member who asks.
  const warmStart = performance.now();
  warmOverview(app.store, app.campaign, campaignYearsAll(app.campaign)).then(
    (warmed) => warmed && log.info({ ms: Math.round(performance.now() - warmStart) }, 'overview records read'),
    (err: Error) => log.warn({ err: err.message }, 'overview records not read ahead'),
  );

  // SIGTERM/SIGINT: stop taking webhooks (503, server closed) and let the requests and
  // engine steps in flight finish; then the workers finish their jobs; then Redis.
  onShutdown(log, async () => {
    await app.drain();
    await workers.close();
    await app.close();
    await redis.stop();
  });
}

void main();
