import type { Redis } from 'ioredis';
import { RateLimiterRedis, RateLimiterRes } from 'rate-limiter-flexible';

export interface GuessLimits {
  /** Wrong codes one chat account may send per window before it must wait. */
  perUser: number;
  /** Wrong codes all accounts together may send per window; then redemption pauses for everyone until the window ends. */
  global: number;
  windowS: number;
}

/**
 * 10 tries leave room for typos; 100 a window across everyone bounds guessing to
 * 14,400 a day (a 61.8-bit code: nothing; an old 8-symbol code: ~1 in 60 million a day each).
 */
export const DEFAULT_GUESS_LIMITS: GuessLimits = { perUser: 10, global: 100, windowS: 600 };

export type Ticket = { ok: true; refund(): Promise<void> } | { ok: false; scope: 'user' | 'all'; retryInMs: number; pauseStarted: boolean };

/**
 * Failed-redemption counters in Redis (rate-limiter-flexible), shared by every process.
 * A point is taken from both counters before a code is looked up and given back when it
 * was right, so concurrent guesses cannot overshoot the limit: at most `global` wrong
 * codes are ever looked up per window.
 */
export function inviteGuard(redis: Redis, keyPrefix: string, limits: GuessLimits) {
  const options = { storeClient: redis, keyPrefix, duration: limits.windowS };
  const perUser = new RateLimiterRedis({ ...options, points: limits.perUser });
  const global = new RateLimiterRedis({ ...options, points: limits.global });

  async function take(limiter: RateLimiterRedis, key: string): Promise<RateLimiterRes | null> {
    try {
      await limiter.consume(key, 1);
      return null;
    } catch (err) {
      if (err instanceof RateLimiterRes) return err;
      throw err; // Redis is unreachable: the message is redelivered, not answered
    }
  }

  return {
    /** Before looking up a code typed by `who` (`channel:userId`). */
    async ticket(who: string): Promise<Ticket> {
      const userKey = `user:${who}`;
      const user = await take(perUser, userKey);
      if (user) return { ok: false, scope: 'user', retryInMs: user.msBeforeNext, pauseStarted: false };
      const all = await take(global, 'all');
      if (all) {
        await perUser.reward(userKey, 1); // nothing was looked up for this user
        // Exactly one attempt sees the counter step past the limit: it raises the alert.
        return { ok: false, scope: 'all', retryInMs: all.msBeforeNext, pauseStarted: all.consumedPoints === limits.global + 1 };
      }
      return {
        ok: true,
        refund: async () => {
          await Promise.all([perUser.reward(userKey, 1), global.reward('all', 1)]);
        },
      };
    },
  };
}
