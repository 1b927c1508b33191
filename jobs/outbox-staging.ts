import { randomUUID } from 'node:crypto';
import type { Queue } from 'bullmq';
import type { Redis } from 'ioredis';
import type { Channel } from '../src/domain/entities.js';
import { evalWithReplicas } from '../src/redis/durable.js';
import { messageJobId, type JobKeys } from './keys.js';
import type { MessageKind, OutboxJobData, OutboxMessage } from './outbox-message.js';

/**
 * The staged outbox (docs/jobs.md "Staged outbox"). A large planned pass (200,000
 * reminders) would cost one BullMQ job each at once: ~240 µs of CPU and 1.6 KB of Redis
 * per message. Instead the pass appends its messages, one compact line each, to a list
 * per channel (a message is in the outbox once it is there), and the feeder moves them
 * into real outbox jobs a batch at a time while the channel's queue is short. Sending
 * takes hours at the platforms' rates, so feeding lazily loses nothing.
 *
 * Exactly once: a key is staged once (a set of staged keys, cleared as they move), a
 * move adds jobs with the ids derived from their keys (BullMQ ignores an id it has) and
 * skips keys already done, and only then trims the list. A feeder that dies between
 * the two leaves the batch at the head; the next move adds nothing twice.
 */

/** One staged message: [key, userId, kind, ref, ttlSeconds, priority, reply, broadcastId]. */
type Line = [string, string, MessageKind, string | null, number | null, number, OutboxJobData['reply'], string | null];

export function encodeStaged(m: OutboxMessage): string {
  const line: Line = [m.key, m.userId, m.kind, m.ref ?? null, m.ttlSeconds ?? null, m.priority ?? 0, m.reply, m.broadcastId ?? null];
  return JSON.stringify(line);
}

export function decodeStaged(channel: Channel, raw: string): { data: OutboxJobData; priority: number } {
  const [key, userId, kind, ref, ttlSeconds, priority, reply, broadcastId] = JSON.parse(raw) as Line;
  const data: OutboxJobData = { channel, userId, reply, key, kind };
  if (ref !== null) data.ref = ref;
  if (broadcastId !== null) data.broadcastId = broadcastId;
  if (ttlSeconds !== null) data.ttlSeconds = ttlSeconds;
  return { data, priority };
}

/**
 * KEYS: staged list, staged-key set, then one done key per message; ARGV: key, line per
 * message. Done keys are skipped, keys already staged count as staged (as a job already
 * queued does); returns { staged, skipped }.
 */
const STAGE_LUA = `
local lines = {}
local staged, skipped = 0, 0
for i = 3, #KEYS do
  if redis.call('EXISTS', KEYS[i]) == 1 then
    skipped = skipped + 1
  else
    staged = staged + 1
    if redis.call('SADD', KEYS[2], ARGV[2 * (i - 2) - 1]) == 1 then lines[#lines + 1] = ARGV[2 * (i - 2)] end
  end
end
if #lines > 0 then redis.call('RPUSH', KEYS[1], unpack(lines)) end
return { staged, skipped }
`;

/** KEYS: lock, staged list, staged-key set; ARGV: token, count, keys moved. Trims only while the lock is still ours. */
const TRIM_LUA = `
if redis.call('GET', KEYS[1]) ~= ARGV[1] then return 0 end
redis.call('LTRIM', KEYS[2], tonumber(ARGV[2]), -1)
for i = 3, #ARGV do redis.call('SREM', KEYS[3], ARGV[i]) end
return 1
`;

const UNLOCK_LUA = `
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end
return 0
`;

/** Messages per staging script (each is one EVAL with this many keys). */
const STAGE_CHUNK = 500;
const STAGE_IN_FLIGHT = 4;

/** Appends messages of one channel to its staged list; returns how many are staged and how many were already done. */
export async function stageMessages(redis: Redis, keys: JobKeys, channel: Channel, messages: readonly OutboxMessage[]): Promise<{ staged: number; skipped: number }> {
  const chunks: OutboxMessage[][] = [];
  for (let i = 0; i < messages.length; i += STAGE_CHUNK) chunks.push(messages.slice(i, i + STAGE_CHUNK));
  const total = { staged: 0, skipped: 0 };
  let next = 0;
  const run = async () => {
    while (next < chunks.length) {
      const chunk = chunks[next++]!;
      const args: string[] = [keys.staged(channel), keys.stagedKeys(channel)];
      for (const m of chunk) args.push(keys.done(m.key));
      for (const m of chunk) args.push(m.key, encodeStaged(m));
      // Replicated before the pass reports them queued (when configured), like every outcome.
      const [staged, skipped] = (await evalWithReplicas(redis, STAGE_LUA, chunk.length + 2, ...args)) as [number, number];
      total.staged += staged;
      total.skipped += skipped;
    }
  };
  await Promise.all(Array.from({ length: Math.min(STAGE_IN_FLIGHT, chunks.length) }, run));
  return total;
}

export interface FeedOptions {
  /** Move only while the channel's queue has fewer ready or delayed jobs than this (default 2,000). */
  lowWater?: number;
  /** Messages per move (default 1,000). */
  batch?: number;
  /** How long a feeder holds the channel's lock; a dead feeder's lock frees after this (default 30 s). */
  lockMs?: number;
}

/** A batch added to the queue but not yet trimmed from the staged list. */
export interface Move {
  channel: Channel;
  token: string;
  count: number;
  keys: string[];
}

export class Feeder {
  private readonly lowWater: number;
  private readonly batch: number;
  private readonly lockMs: number;

  constructor(
    private readonly redis: Redis,
    private readonly keys: JobKeys,
    private readonly queue: (channel: Channel) => Queue<OutboxJobData>,
    opts: FeedOptions = {},
  ) {
    this.lowWater = opts.lowWater ?? 2_000;
    this.batch = opts.batch ?? 1_000;
    this.lockMs = opts.lockMs ?? 30_000;
  }

  /**
   * First half of a move: takes the lock, and if the queue is short, adds the head of
   * the staged list as jobs (done keys skipped). Null when there is nothing to move now.
   */
  async add(channel: Channel): Promise<Move | null> {
    // Idle most of the time: one LLEN, no lock.
    if ((await this.redis.llen(this.keys.staged(channel))) === 0) return null;
    const token = randomUUID();
    if ((await this.redis.set(this.keys.feedLock(channel), token, 'PX', this.lockMs, 'NX')) !== 'OK') return null;
    try {
      // Delayed jobs count too: at night Zalo defers every send to the morning, and the list must not all turn into delayed jobs.
      const c = await this.queue(channel).getJobCounts('waiting', 'prioritized', 'delayed');
      if ((c.waiting ?? 0) + (c.prioritized ?? 0) + (c.delayed ?? 0) >= this.lowWater) throw new NothingToMove();
      const lines = await this.redis.lrange(this.keys.staged(channel), 0, this.batch - 1);
      if (lines.length === 0) throw new NothingToMove();
      const items = lines.map((raw) => decodeStaged(channel, raw));
      const pipe = this.redis.pipeline();
      for (const { data } of items) pipe.exists(this.keys.done(data.key));
      const done = (await pipe.exec()) ?? [];
      const fresh = items.filter((_, i) => {
        const [err, n] = done[i] ?? [null, 0];
        if (err) throw err;
        return n !== 1;
      });
      if (fresh.length)
        await this.queue(channel).addBulk(
          fresh.map(({ data, priority }) => ({ name: data.kind, data, opts: { jobId: messageJobId(data.key), ...(priority ? { priority } : {}) } })),
        );
      return { channel, token, count: lines.length, keys: items.map((x) => x.data.key) };
    } catch (err) {
      await this.unlock(channel, token);
      if (err instanceof NothingToMove) return null;
      throw err;
    }
  }

  /** Second half: trims the moved batch from the staged list (only while the lock is still ours) and frees the lock. */
  async commit(move: Move): Promise<boolean> {
    const trimmed = await evalWithReplicas(this.redis, TRIM_LUA, 3, this.keys.feedLock(move.channel), this.keys.staged(move.channel), this.keys.stagedKeys(move.channel), move.token, move.count, ...move.keys);
    await this.unlock(move.channel, move.token);
    return trimmed === 1;
  }

  /** One move; how many staged messages it took off the list. */
  async feed(channel: Channel): Promise<number> {
    const move = await this.add(channel);
    if (!move) return 0;
    return (await this.commit(move)) ? move.count : 0;
  }

  staged(channel: Channel): Promise<number> {
    return this.redis.llen(this.keys.staged(channel));
  }

  private async unlock(channel: Channel, token: string): Promise<void> {
    await this.redis.eval(UNLOCK_LUA, 1, this.keys.feedLock(channel), token);
  }
}

class NothingToMove extends Error {}

/**
 * Keeps feeding one channel while it runs: a move every `intervalMs` (default 500 ms),
 * the next one at once while full batches move. Errors are reported, never thrown.
 */
export function runFeeder(feeder: Feeder, channel: Channel, onError: (err: Error) => void, intervalMs = 500): { close(): Promise<void> } {
  let stopped = false;
  let timer: NodeJS.Timeout | undefined;
  let current: Promise<void> = Promise.resolve();
  const tick = () => {
    current = (async () => {
      let moved = 0;
      try {
        do moved = await feeder.feed(channel);
        while (moved > 0 && !stopped);
      } catch (err) {
        onError(err as Error);
      }
      if (!stopped) timer = setTimeout(tick, intervalMs);
    })();
  };
  tick();
  return {
    async close() {
      stopped = true;
      clearTimeout(timer);
      await current;
    },
  };
}
