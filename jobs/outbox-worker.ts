import { DelayedError, Worker, type Job, type Queue } from 'bullmq';
import type { Redis } from 'ioredis';
import type { Logger } from 'pino';
import type { OutboundChannel, SendOutcome } from '../src/channels/types.js';
import type { Channel } from '../src/domain/entities.js';
import type { Store } from '../src/store/index.js';
import { evalWithReplicas } from '../src/redis/durable.js';
import { DONE_TTL_SECONDS, jobKeys } from './keys.js';
import type { OutboxJobData, Outcome } from './outbox.js';

/**
 * The outbox's worker side: one processor per channel queue (startWorkers in workers.ts
 * runs it). It knows SendOutcome's cases, never a platform's codes.
 */

/** Records a final outcome once: done key (NX), group and channel counts, in-flight marker cleared. */
const FINALIZE_LUA = `
local set = redis.call('SET', KEYS[1], ARGV[1], 'NX', 'EX', ARGV[3])
redis.call('DEL', KEYS[4])
if set then
  redis.call('HINCRBY', KEYS[2], ARGV[2], 1)
  redis.call('EXPIRE', KEYS[2], ARGV[4])
  redis.call('HINCRBY', KEYS[3], ARGV[2], 1)
  return 1
end
return 0
`;

/** Marks a send in progress; returns 1 when an earlier attempt's marker was still there (it died mid-send). */
const INFLIGHT_LUA = `
local prev = redis.call('GET', KEYS[1])
redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2])
if prev and prev ~= ARGV[1] then
  redis.call('HINCRBY', KEYS[2], ARGV[3], 1)
  redis.call('EXPIRE', KEYS[2], ARGV[4])
  redis.call('HINCRBY', KEYS[3], ARGV[3], 1)
  return 1
end
return 0
`;

const INFLIGHT_MS = 60 * 60_000;

export interface OutboxWorkerDeps {
  redis: Redis;
  prefix: string;
  store: Store;
  log: Logger;
  outbound: () => Partial<Record<Channel, OutboundChannel>>;
  /** The queue of a channel, to pause it on a 429 (global across workers). */
  queue: (channel: Channel) => Queue;
  /** Tells admins about a configuration problem (once per reason per day). */
  onConfigError: (channel: Channel, reason: string) => Promise<void>;
  /** Whether a broadcast was cancelled (the worker drops its remaining messages). */
  isCancelled: (broadcastId: string) => Promise<boolean>;
}

export type ProcessResult = 'sent' | 'duplicate' | 'unreachable' | 'failed' | 'cancelled';

/**
 * The outbox processor. At most once per key: the done key is checked before the send
 * and written (with the counts, atomically) right after it. A worker killed between the
 * platform accepting a message and that write leaves an in-flight marker; the retry then
 * sends again (at least once wins over silence) and counts it as `resent`, so reports show
 * how many recipients may have it twice. Platforms without idempotent sends (Telegram,
 * Zalo) allow no better; the simulator dedupes by key itself, so there it is exactly once.
 */
export function outboxProcessor(deps: OutboxWorkerDeps) {
  const k = jobKeys(deps.prefix);
  const { redis } = deps;

  const finalize = async (d: OutboxJobData, value: string, outcome: Outcome, ttl = d.ttlSeconds ?? DONE_TTL_SECONDS) => {
    const ref = d.ref ?? d.kind;
    // Replicated before the job completes (when configured): a failover must not forget a message was sent.
    await evalWithReplicas(redis, FINALIZE_LUA, 4, k.done(d.key), k.stats(ref), k.totals, k.inflight(d.key), value, `${d.channel}.${outcome}`, ttl, Math.max(ttl, DONE_TTL_SECONDS));
  };

  return async (job: Job<OutboxJobData>, token?: string): Promise<ProcessResult> => {
    const d = job.data;
    if ((await redis.exists(k.done(d.key))) === 1) return 'duplicate';
    if (d.broadcastId && (await deps.isCancelled(d.broadcastId))) {
      await finalize(d, 'cancelled', 'cancelled');
      return 'cancelled';
    }
    const channel = deps.outbound()[d.channel];
    if (!channel) {
      await finalize(d, 'failed:channel not enabled', 'failed', 3600);
      return 'failed';
    }
    const ref = d.ref ?? d.kind;
    await redis.eval(INFLIGHT_LUA, 3, k.inflight(d.key), k.stats(ref), k.totals, `${job.id}#${job.attemptsStarted}`, INFLIGHT_MS, `${d.channel}.resent`, DONE_TTL_SECONDS);

    let outcome: SendOutcome;
    try {
      outcome = await channel.send(d.userId, d.reply, { idempotencyKey: d.key });
    } catch (err) {
      outcome = { ok: false, kind: 'transient', reason: err instanceof Error ? err.message : String(err) };
    }
    if (outcome.ok) {
      await finalize(d, `ok:${outcome.platformMessageId ?? ''}`, 'sent');
      return 'sent';
    }
    switch (outcome.kind) {
      case 'rate_limited': {
        await redis.del(k.inflight(d.key));
        deps.log.warn({ channel: d.channel, retryAfterMs: outcome.retryAfterMs }, 'outbox: platform rate limit, pausing the channel');
        // Every worker of this channel stops fetching for retry-after; the job goes back to wait without using an attempt.
        await deps.queue(d.channel).rateLimit(Math.max(outcome.retryAfterMs, 250));
        throw Worker.RateLimitError();
      }
      case 'deferred':
        // Not now (Zalo at night): the same message goes out at the channel's retryAt, without using an attempt.
        await redis.del(k.inflight(d.key));
        await job.moveToDelayed(Math.max(outcome.retryAt.getTime(), Date.now() + 1_000), token); // host clock: BullMQ delays on the host clock
        throw new DelayedError();
      case 'unreachable':
        await deps.store.identities.markUnreachable(d.channel, d.userId, true).catch((err: Error) => deps.log.error({ err: err.message }, 'outbox: could not mark a recipient unreachable'));
        await finalize(d, 'unreachable', 'unreachable');
        return 'unreachable';
      case 'config':
        await deps.onConfigError(d.channel, outcome.reason).catch((err: Error) => deps.log.error({ err: err.message }, 'outbox: admin alert failed'));
        // Remembered for an hour only: once the configuration is fixed, a later pass may send it.
        await finalize(d, 'failed:config', 'failed', 3600);
        return 'failed';
      case 'transient': {
        await redis.del(k.inflight(d.key));
        if (job.attemptsMade + 1 >= (job.opts.attempts ?? 1)) {
          deps.log.warn({ channel: d.channel, kind: d.kind, reason: outcome.reason.slice(0, 200) }, 'outbox: giving up after the last attempt');
          await finalize(d, `failed:${outcome.reason.slice(0, 200)}`, 'failed');
          return 'failed';
        }
        throw new Error(`transient: ${outcome.reason.slice(0, 200)}`);
      }
    }
  };
}

/**
 * Limiter windows for a rate: `max` jobs per `duration` ms with small windows, so no
 * rolling second ever holds much more than the rate (BullMQ's limiter is a fixed window
 * that starts at its first job; one 1-second window of 25 could meet the next one's 25
 * inside a rolling second). k = max(1, floor(rate/10)) jobs per k/rate seconds, less 1 ms:
 * a worker starts the next window about a millisecond after the last one expired
 * (a timer and a Redis round trip), which would otherwise cost ~2 % of the rate.
 * At 25/s: 2 per 79 ms, at most 28 in any rolling second.
 */
export function limiterFor(ratePerSec: number): { max: number; duration: number } {
  const max = Math.max(1, Math.floor(ratePerSec / 10));
  const exact = (1000 * max) / ratePerSec;
  return { max, duration: Math.max(1, exact >= 20 ? Math.floor(exact) - 1 : Math.round(exact)) };
}
