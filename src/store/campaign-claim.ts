import type { Redis } from 'ioredis';
import { z } from 'zod';
import { decode } from './codec.js';

/**
 * One store, one campaign: the campaign a store was first started (or written) for, kept
 * under `P:campaign`. Reminders, quotas and reports of one campaign over another's units
 * would be wrong without a word, so a process with another campaign refuses to start.
 */
export const storeClaimSchema = z.object({
  campaignId: z.string().min(1),
  /** What CAMPAIGN named: a preset id, or the absolute path of a campaign file. */
  source: z.string().min(1),
  prefix: z.string().min(1),
  at: z.string().datetime(),
});
export type StoreClaim = z.infer<typeof storeClaimSchema>;

const claimKey = (prefix: string) => `${prefix}:campaign`;

export async function readStoreClaim(redis: Redis, prefix: string): Promise<StoreClaim | null> {
  return decode(storeClaimSchema, await redis.get(claimKey(prefix)), 'store campaign');
}

/** Records the campaign unless one is recorded already (SET NX); returns what the store holds now. */
export async function claimStore(redis: Redis, prefix: string, claim: Omit<StoreClaim, 'prefix' | 'at'>, now: Date): Promise<StoreClaim> {
  const value: StoreClaim = { ...claim, prefix, at: now.toISOString() };
  await redis.set(claimKey(prefix), JSON.stringify(value), 'NX');
  return (await readStoreClaim(redis, prefix)) ?? value;
}
