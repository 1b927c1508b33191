import { isClusterUrl, parseClusterUrl } from '../redis/cluster.js';
import path from 'node:path';
import { loadCampaign, isPresetId } from '../campaign/load.js';
import type { Config } from '../config/index.js';
import { createRedis } from '../redis/connection.js';
import { claimStore, readStoreClaim } from '../store/index.js';

/**
 * One store, one campaign (docs/store.md): every process (`npm start`, `npm run worker`,
 * the CLI) runs the campaign its store records. CAMPAIGN unset: the recorded one is used.
 * CAMPAIGN naming another: `problem` is one line naming both and how to choose.
 */
export interface StoreCampaign {
  /** The configuration with CAMPAIGN as the store records it. */
  config: Config;
  problem?: string;
}

/** Which store this is, for an operator: Redis host and port (never user or password), or the embedded one on DATA_DIR, and the prefix. */
export function describeStore(config: Pick<Config, 'REDIS_URL' | 'dataDir' | 'STORE_PREFIX'>, redisUrl: string): string {
  if (!config.REDIS_URL) return `embedded redis on DATA_DIR ${config.dataDir}, store prefix ${config.STORE_PREFIX}`;
  let host = 'unknown';
  try {
    if (isClusterUrl(redisUrl)) return `redis cluster ${parseClusterUrl(redisUrl).nodes.map((n) => `${n.host}:${n.port}`).join(',')}, store prefix ${config.STORE_PREFIX}`;
    const u = new URL(redisUrl);
    host = `${u.hostname}:${u.port || '6379'}${u.pathname.length > 1 ? u.pathname : ''}`;
  } catch {
    // Never shown with credentials: a URL that does not parse is not shown at all.
  }
  return `redis ${host}, store prefix ${config.STORE_PREFIX}`;
}

/** A preset id as given; a file as its absolute path (so any working directory finds it again). */
const sourceOf = (campaign: string) => (isPresetId(campaign.trim()) ? campaign.trim() : path.resolve(campaign.trim()));

/**
 * Reads (and with `claim`, records when none is) the store's campaign. `explicit`: whether
 * CAMPAIGN was set, rather than defaulted.
 */
export async function storeCampaign(config: Config, redisUrl: string, opts: { explicit: boolean; claim: boolean }): Promise<StoreCampaign> {
  const redis = createRedis(redisUrl);
  try {
    let held = await readStoreClaim(redis, config.STORE_PREFIX);
    if (!held && !opts.claim) return { config };
    if (held && !opts.explicit) return { config: { ...config, CAMPAIGN: held.source } };
    const wanted = loadCampaign(config.CAMPAIGN).id;
    held ??= await claimStore(redis, config.STORE_PREFIX, { campaignId: wanted, source: sourceOf(config.CAMPAIGN) }, new Date()); // host clock: when the store was claimed (a record stamp)
    if (held.campaignId === wanted) return { config };
    return {
      config,
      problem:
        `Refusing to start: this store (${describeStore(config, redisUrl)}) holds campaign ${held.campaignId}, not ${wanted} (CAMPAIGN). ` +
        `Run with CAMPAIGN=${held.campaignId}, or give ${wanted} a store of its own: another DATA_DIR or STORE_PREFIX.`,
    };
  } finally {
    await redis.quit().catch(() => redis.disconnect());
  }
}

/** Whether CAMPAIGN is set in this environment (an empty value counts as unset, as in parseConfig). */
export const campaignExplicit = (env: NodeJS.ProcessEnv): boolean => (env.CAMPAIGN ?? '').trim() !== '';
