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
import { openCli, type OpenOptions } from './context.js';

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
}

/** Like withStore, with the campaign and the jobs' queues (which only queue: the workers send). */
export async function withJobs<T>(fn: (env: JobsEnv) => Promise<T>, opts: OpenOptions = {}): Promise<T> {
  const opened = await openCli(opts);
  const { config } = opened;
  const campaign = loadCampaign(config.CAMPAIGN);
  const redis = createRedis(opened.redisUrl);
  const store = createStore(redis, { prefix: config.STORE_PREFIX, inviteSecret: loadInviteSecret(config), hierarchy: hierarchyOf(campaign) });
  const jobs = createJobs({
    redisUrl: opened.redisUrl,
    prefix: config.STORE_PREFIX,
    campaign,
    store,
    redis,
    log: createLogger('silent'),
    channels: () => configuredChannels(config),
    rates: { telegram: config.TELEGRAM_RATE_PER_SEC, zalo: config.ZALO_RATE_PER_SEC },
  });
  try {
    return await fn({ config, campaign, store, jobs });
  } finally {
    await jobs.close();
    await redis.quit().catch(() => redis.disconnect());
    await opened.close();
  }
}
