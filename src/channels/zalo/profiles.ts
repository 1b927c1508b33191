import type { Redis } from 'ioredis';
import type { ZaloApi } from './api.js';
import { realClock } from '../../clock.js';

export interface ZaloProfile {
  displayName: string;
  isFollower: boolean | null;
  fetchedAt: string;
}

const TTL_S = 7 * 24 * 3600;

/**
 * Zalo display names from GET /v3.0/oa/user/detail?data={"user_id"}, cached in Redis
 * (`{p}:zalo:profile:<user id>`, 7 days) so a name costs one API call a week per user.
 * Fetched when a user follows the OA and whenever code asks for a name.
 */
export class ZaloProfiles {
  constructor(
    private readonly api: ZaloApi,
    private readonly redis: Redis,
    private readonly prefix: string,
    private readonly now: () => Date = realClock.now,
  ) {}

  private key(userId: string) {
    return `${this.prefix}:zalo:profile:${userId}`;
  }

  async get(userId: string, opts: { refresh?: boolean } = {}): Promise<ZaloProfile | null> {
    if (!opts.refresh) {
      const cached = await this.redis.get(this.key(userId));
      if (cached) return JSON.parse(cached) as ZaloProfile;
    }
    const answer = await this.api.call({ method: 'GET', path: '/v3.0/oa/user/detail', data: { user_id: userId } });
    const name = answer.data?.display_name;
    if (answer.error !== 0 || typeof name !== 'string') return null;
    const follower = answer.data?.user_is_follower;
    const profile: ZaloProfile = {
      displayName: name.slice(0, 120),
      isFollower: typeof follower === 'boolean' ? follower : null,
      fetchedAt: this.now().toISOString(),
    };
    await this.redis.set(this.key(userId), JSON.stringify(profile), 'EX', TTL_S);
    return profile;
  }

  async displayName(userId: string): Promise<string | null> {
    return (await this.get(userId))?.displayName ?? null;
  }
}
