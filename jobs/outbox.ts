import { DelayedError, Queue, Worker, type Job, type JobsOptions } from 'bullmq';
import { fromZonedTime, formatInTimeZone } from 'date-fns-tz';
import type { Redis } from 'ioredis';
import type { Logger } from 'pino';
import type { OutboundChannel, SendOutcome } from '../src/channels/types.js';
import { TEMPORARY_REASONS } from '../src/channels/zalo/codes.js';
import { VN_TZ } from '../src/domain/time.js';
import type { Channel } from '../src/domain/entities.js';
import type { Reply } from '../src/engine/types.js';
import type { Store } from '../src/store/index.js';
import { bullPrefix, DONE_TTL_SECONDS, jobKeys, messageJobId, QUEUES, type JobKeys } from './keys.js';

/**
 * The outbox: every message the bot sends on its own initiative (notifications,
 * reminders, staff alerts, broadcasts, admin reports) is one BullMQ job in the queue
 * of its channel. Workers send at the channel's rate (BullMQ limiter, global across
 * workers), pause the whole channel on a 429 for the platform's retry-after, and
 * record each message key's final outcome in Redis so the same key is never sent twice.
 */

export type MessageKind = 'direct' | 'reminder' | 'alert' | 'broadcast' | 'progress' | 'report' | 'admin';
export type Outcome = 'sent' | 'unreachable' | 'failed' | 'cancelled';

export interface OutboxMessage {
  channel: Channel;
  userId: string;
  reply: Reply;
  /** Idempotency key: a message with a key that was already delivered is never sent again. */
  key: string;
  kind: MessageKind;
  /** Counts are kept per group (`bc-12`, `rem-<campaign>-report-2024-d3` …). */
  ref?: string;
  /** Messages of a broadcast are dropped once it is cancelled. */
  broadcastId?: string;
  /** How long the outcome of `key` is remembered (default DONE_TTL_SECONDS). */
  ttlSeconds?: number;
  /** Send no earlier than this many ms from now (parts of one digest to one chat are spaced). */
  delayMs?: number;
  /** BullMQ priority (keys.ts PRIORITY); 0 = before every prioritised message. */
  priority?: number;
}

export type OutboxJobData = Omit<OutboxMessage, 'delayMs' | 'priority'>;

/**
 * What `notify` and `enqueue` answer: accepted for delivery (`queued: false` when the
 * key had already been delivered or is already queued), or the channel is not enabled
 * here. Assignable to SendOutcome, so it fits callers written against a direct send.
 */
export type NotifyOutcome = { ok: true; queued: boolean; jobId: string } | { ok: false; kind: 'config'; reason: string };

export interface EnqueueResult {
  queued: number;
  /** Already delivered (or finally failed) keys, and repeats within the batch. */
  skipped: number;
  /** Recipients on channels that are not enabled in this process. */
  disabled: number;
}

const JOB_OPTIONS: JobsOptions = {
  attempts: 8,
  backoff: { type: 'exponential', delay: 2_000 },
  removeOnComplete: { age: 24 * 3600, count: 20_000 },
  removeOnFail: { age: 7 * 24 * 3600, count: 20_000 },
};

export interface OutboxDeps {
  /** A connection made with createRedis(url, 'bullmq'). */
  connection: Redis;
  /** A store connection, for our own keys. */
  redis: Redis;
  prefix: string;
  /** Channels this deployment sends on; null = unknown (the CLI): accept every channel. */
  channels: () => readonly Channel[] | null;
}

export class Outbox {
  readonly keys: JobKeys;
  private readonly queues = new Map<Channel, Queue<OutboxJobData>>();

  constructor(private readonly deps: OutboxDeps) {
    this.keys = jobKeys(deps.prefix);
  }

  queue(channel: Channel): Queue<OutboxJobData> {
    let q = this.queues.get(channel);
    if (!q) {
      q = new Queue<OutboxJobData>(QUEUES.outbox(channel), {
        connection: this.deps.connection,
        prefix: bullPrefix(this.deps.prefix),
        defaultJobOptions: JOB_OPTIONS,
      });
      q.on('error', () => {});
      this.queues.set(channel, q);
    }
    return q;
  }

  enabled(channel: Channel): boolean {
    const list = this.deps.channels();
    return list === null || list.includes(channel);
  }

  /** One message; see NotifyOutcome. */
  async enqueue(message: OutboxMessage): Promise<NotifyOutcome> {
    if (!this.enabled(message.channel)) return { ok: false, kind: 'config', reason: `channel ${message.channel} is not enabled` };
    const r = await this.enqueueMany([message]);
    return { ok: true, queued: r.queued === 1, jobId: messageJobId(message.key) };
  }

  /**
   * Many messages at once (a reminder pass, a broadcast window): keys already done are
   * filtered out first (pipelined EXISTS), the rest added in bulk with job ids derived
   * from their keys, so a pass that runs twice adds nothing the second time.
   */
  async enqueueMany(messages: readonly OutboxMessage[]): Promise<EnqueueResult> {
    const result: EnqueueResult = { queued: 0, skipped: 0, disabled: 0 };
    const seen = new Set<string>();
    const candidates: OutboxMessage[] = [];
    for (const m of messages) {
      if (!this.enabled(m.channel)) result.disabled++;
      else if (seen.has(m.key)) result.skipped++;
      else {
        seen.add(m.key);
        candidates.push(m);
      }
    }
    const fresh: OutboxMessage[] = [];
    for (let i = 0; i < candidates.length; i += 1000) {
      const chunk = candidates.slice(i, i + 1000);
      const pipe = this.deps.redis.pipeline();
      for (const m of chunk) pipe.exists(this.keys.done(m.key));
      const res = (await pipe.exec()) ?? [];
      chunk.forEach((m, j) => {
        const [err, n] = res[j] ?? [null, 0];
        if (err) throw err;
        if (n === 1) result.skipped++;
        else fresh.push(m);
      });
    }
    const byChannel = new Map<Channel, OutboxMessage[]>();
    for (const m of fresh) {
      const list = byChannel.get(m.channel);
      if (list) list.push(m);
      else byChannel.set(m.channel, [m]);
    }
    for (const [channel, list] of byChannel) {
      const q = this.queue(channel);
      for (let i = 0; i < list.length; i += 500) {
        await q.addBulk(
          list.slice(i, i + 500).map((m) => {
            const { delayMs, priority, ...data } = m;
            return {
              name: m.kind,
              data,
              opts: {
                jobId: messageJobId(m.key),
                ...(delayMs ? { delay: delayMs } : {}),
                ...(priority ? { priority } : {}),
              },
            };
          }),
        );
      }
      result.queued += list.length;
    }
    return result;
  }

  /** The recorded final outcome of a key: `ok:<platform message id>`, `unreachable`, `failed:…`, `cancelled`; null while pending. */
  outcome(key: string): Promise<string | null> {
    return this.deps.redis.get(this.keys.done(key));
  }

  /** Counts of a group of messages, e.g. `{ 'telegram.sent': 10, 'zalo.unreachable': 2 }`. */
  async stats(ref: string): Promise<Record<string, number>> {
    return numbers(await this.deps.redis.hgetall(this.keys.stats(ref)));
  }

  async totals(): Promise<Record<string, number>> {
    return numbers(await this.deps.redis.hgetall(this.keys.totals));
  }

  /** Removes messages that wait (not yet active) from their queues; returns how many were removed. */
  async removePending(items: readonly { channel: Channel; key: string }[]): Promise<number> {
    let removed = 0;
    for (const { channel, key } of items) {
      try {
        removed += await this.queue(channel).remove(messageJobId(key));
      } catch {
        // Active (locked) or already gone: the worker sees the cancellation itself.
      }
    }
    return removed;
  }

  /** Waiting/active/delayed/failed counts of every channel queue opened so far (or the ones given). */
  async counts(channels: readonly Channel[]): Promise<Record<string, Record<string, number>>> {
    const out: Record<string, Record<string, number>> = {};
    for (const c of channels) out[c] = await this.queue(c).getJobCounts('waiting', 'prioritized', 'active', 'delayed', 'failed', 'completed');
    return out;
  }

  async close(): Promise<void> {
    await Promise.all([...this.queues.values()].map((q) => q.close().catch(() => {})));
    this.queues.clear();
  }
}

export function numbers(h: Record<string, string>): Record<string, number> {
  return Object.fromEntries(Object.entries(h).map(([k, v]) => [k, Number(v)]));
}

/** Sums `<channel>.<outcome>` fields by outcome. */
export function byOutcome(stats: Record<string, number>): Record<string, number> {
  const out: Record<string, number> = {};
  for (const [field, n] of Object.entries(stats)) {
    const outcome = field.slice(field.indexOf('.') + 1);
    out[outcome] = (out[outcome] ?? 0) + n;
  }
  return out;
}

// ---------------------------------------------------------------------------------------
// The worker side

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
    await redis.eval(FINALIZE_LUA, 4, k.done(d.key), k.stats(ref), k.totals, k.inflight(d.key), value, `${d.channel}.${outcome}`, ttl, Math.max(ttl, DONE_TTL_SECONDS));
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
      case 'unreachable':
        if (TEMPORARY_REASONS.has(outcome.reason)) {
          // Zalo refuses messages at night (22:00–06:00 Vietnam time): the same message goes out in the morning.
          await redis.del(k.inflight(d.key));
          await job.moveToDelayed(nextMorning(new Date()).getTime(), token);
          throw new DelayedError();
        }
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

/** 06:05 Vietnam time on the day of `now`, or on the next day if that has passed. */
export function nextMorning(now: Date): Date {
  const day = formatInTimeZone(now, VN_TZ, 'yyyy-MM-dd');
  const today = fromZonedTime(`${day}T06:05:00`, VN_TZ);
  return today.getTime() > now.getTime() ? today : new Date(today.getTime() + 86_400_000);
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
