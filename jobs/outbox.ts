import { Queue, type JobsOptions } from 'bullmq';
import type { Redis } from 'ioredis';
import type { Channel } from '../src/domain/entities.js';
import type { NotifyOutcome } from '../src/services/notify.js';
import { bullPrefix, jobKeys, messageJobId, QUEUES, type JobKeys } from './keys.js';
import type { OutboxJobData, OutboxMessage } from './outbox-message.js';
import { Feeder, stageMessages, type FeedOptions } from './outbox-staging.js';

/**
 * The outbox: every message the bot sends on its own initiative (notifications,
 * reminders, staff alerts, broadcasts, admin reports) is one BullMQ job in the queue
 * of its channel. This is the producer side (add, look up, remove); the workers
 * (outbox-worker.ts) send at the channel's rate (BullMQ limiter, global across
 * workers), pause the whole channel on a 429 for the platform's retry-after, and
 * record each message key's final outcome in Redis so the same key is never sent twice.
 */

export type { MessageKind, Outcome, OutboxMessage, OutboxJobData } from './outbox-message.js';

/** What `enqueue` answers (declared by notify(), the port it implements). */
export type { NotifyOutcome } from '../src/services/notify.js';

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
  /** A planned pass of at least this many messages is staged (outbox-staging.ts) rather than queued job by job (default 1,000). */
  stageFrom?: number;
  feed?: FeedOptions;
}

export class Outbox {
  readonly keys: JobKeys;
  readonly feeder: Feeder;
  stageFrom: number;
  private readonly queues = new Map<Channel, Queue<OutboxJobData>>();

  constructor(private readonly deps: OutboxDeps) {
    this.keys = jobKeys(deps.prefix);
    this.feeder = new Feeder(deps.redis, this.keys, (c) => this.queue(c), deps.feed);
    this.stageFrom = deps.stageFrom ?? 1_000;
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
    // Chunks go out a few at a time on the pipelined connections: the round trips overlap.
    const fresh: OutboxMessage[] = [];
    const chunks = chunked(candidates, CHECK_CHUNK);
    const found = await inFlight(chunks, IN_FLIGHT, async (chunk) => {
      const pipe = this.deps.redis.pipeline();
      for (const m of chunk) pipe.exists(this.keys.done(m.key));
      return (await pipe.exec()) ?? [];
    });
    chunks.forEach((chunk, c) =>
      chunk.forEach((m, j) => {
        const [err, n] = found[c]![j] ?? [null, 0];
        if (err) throw err;
        if (n === 1) result.skipped++;
        else fresh.push(m);
      }),
    );
    const byChannel = new Map<Channel, OutboxMessage[]>();
    for (const m of fresh) {
      const list = byChannel.get(m.channel);
      if (list) list.push(m);
      else byChannel.set(m.channel, [m]);
    }
    const batches = [...byChannel].flatMap(([channel, list]) => chunked(list, ADD_CHUNK).map((chunk) => ({ q: this.queue(channel), chunk })));
    await inFlight(batches, IN_FLIGHT, ({ q, chunk }) =>
      q.addBulk(
        chunk.map((m) => ({
          name: m.kind,
          data: jobData(m),
          opts: {
            jobId: messageJobId(m.key),
            ...(m.delayMs ? { delay: m.delayMs } : {}),
            ...(m.priority ? { priority: m.priority } : {}),
          },
        })),
      ),
    );
    result.queued = fresh.length;
    return result;
  }

  /**
   * A planned pass (reminders, digests): a large one is staged, a small one (someone who
   * just joined) queued at once. Messages with a delay or of a broadcast always take the
   * direct path. Same counts as enqueueMany.
   */
  async enqueuePlanned(messages: readonly OutboxMessage[]): Promise<EnqueueResult> {
    if (messages.length < this.stageFrom) return this.enqueueMany(messages);
    const direct = messages.filter((m) => m.delayMs || m.broadcastId);
    const result = direct.length ? await this.enqueueMany(direct) : { queued: 0, skipped: 0, disabled: 0 };
    const seen = new Set<string>();
    const byChannel = new Map<Channel, OutboxMessage[]>();
    for (const m of messages) {
      if (m.delayMs || m.broadcastId) continue;
      if (!this.enabled(m.channel)) result.disabled++;
      else if (seen.has(m.key)) result.skipped++;
      else {
        seen.add(m.key);
        const list = byChannel.get(m.channel);
        if (list) list.push(m);
        else byChannel.set(m.channel, [m]);
      }
    }
    for (const [channel, list] of byChannel) {
      const r = await stageMessages(this.deps.redis, this.keys, channel, list);
      result.queued += r.staged;
      result.skipped += r.skipped;
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

  /** Staged (not yet a job), waiting/active/delayed/failed counts of the channels given. */
  async counts(channels: readonly Channel[]): Promise<Record<string, Record<string, number>>> {
    const out: Record<string, Record<string, number>> = {};
    for (const c of channels) out[c] = { staged: await this.feeder.staged(c), ...(await this.queue(c).getJobCounts('waiting', 'prioritized', 'active', 'delayed', 'failed', 'completed')) };
    return out;
  }

  async close(): Promise<void> {
    await Promise.all([...this.queues.values()].map((q) => q.close().catch(() => {})));
    this.queues.clear();
  }
}

/** Done-key checks per pipeline, jobs per addBulk, and how many of either are sent before the first answer. */
const CHECK_CHUNK = 1000;
const ADD_CHUNK = 500;
const IN_FLIGHT = 4;

/** Exactly the fields a job carries (a planned reminder's own fields stay out of Redis). */
function jobData(m: OutboxMessage): OutboxJobData {
  const data: OutboxJobData = { channel: m.channel, userId: m.userId, reply: m.reply, key: m.key, kind: m.kind };
  if (m.ref !== undefined) data.ref = m.ref;
  if (m.broadcastId !== undefined) data.broadcastId = m.broadcastId;
  if (m.ttlSeconds !== undefined) data.ttlSeconds = m.ttlSeconds;
  return data;
}

function chunked<T>(items: readonly T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}

/** `fn` over every item, at most `width` at a time; results in item order. */
async function inFlight<T, R>(items: readonly T[], width: number, fn: (x: T) => Promise<R>): Promise<R[]> {
  const out: R[] = new Array(items.length);
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(width, items.length) }, async () => {
      while (next < items.length) {
        const i = next++;
        out[i] = await fn(items[i]!);
      }
    }),
  );
  return out;
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
