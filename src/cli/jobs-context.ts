import { createJobs, type Jobs } from '../../jobs/index.js';
import { loadCampaign } from '../campaign/load.js';
import type { Campaign } from '../campaign/schema.js';
import { zaloEnabled } from '../channels/zalo/index.js';
import type { Config } from '../config/index.js';
import { loadInviteSecret } from '../config/invite-secret.js';
import { hierarchyOf, type Channel } from '../domain/index.js';
import { createLogger } from '../logger.js';
import { createRedis } from '../redis/connection.js';
import { createStore, type Store } from '../store/index.js';
import type { Clock } from '../clock.js';
import { openCli, openClock, type OpenOptions } from './context.js';

/** The jobs' commands run against this (BullMQ and the channels: imported only by their actions). */

/** The channels this configuration enables (as the app wires them). */
export function configuredChannels(config: Config): Channel[] {
  const out: Channel[] = [];
  if (config.SIMULATOR === 'on') out.push('sim');
  if (config.TELEGRAM_BOT_TOKEN) out.push('telegram');
  if (zaloEnabled(config)) out.push('zalo');
  return out;
}

export interface JobsEnv {
  config: Config;
  campaign: Campaign;
  store: Store;
  jobs: Jobs;
  /** Campaign time (the demo store's simulated clock, else the real one). */
  clock: Clock;
}

/** Like withStore, with the campaign and the jobs' queues (which only queue: the workers send). */
export async function withJobs<T>(fn: (env: JobsEnv) => Promise<T>, opts: OpenOptions = {}): Promise<T> {
  const opened = await openCli(opts);
  const { config } = opened;
  const campaign = loadCampaign(config.CAMPAIGN);
  const redis = createRedis(opened.redisUrl);
  const clock = await openClock(config, redis);
  const store = createStore(redis, { prefix: config.STORE_PREFIX, now: clock.now, inviteSecret: loadInviteSecret(config), hierarchy: hierarchyOf(campaign) });
  const jobs = createJobs({
    clock,
    redisUrl: opened.redisUrl,
    prefix: config.STORE_PREFIX,
    campaign,
    store,
    redis,
    log: createLogger('silent'),
    channels: () => configuredChannels(config),
    rates: { telegram: config.TELEGRAM_RATE_PER_SEC, zalo: config.ZALO_RATE_PER_SEC },
    // The digests it queues carry their charts, as the workers' scheduled passes do.
    dataDir: config.dataDir,
  });
  try {
    return await fn({ config, campaign, store, jobs, clock });
  } finally {
    await jobs.close();
    await redis.quit().catch(() => redis.disconnect());
    await opened.close();
  }
}
