import type { Redis } from 'ioredis';
import { CHANNELS } from '../src/domain/entities.js';
import type { BroadcastSpec, BroadcastState, BroadcastStatus, CancelResult } from '../src/engine/ports.js';
import { jobKeys, type JobKeys } from './keys.js';
import { byOutcome, type Outbox } from './outbox.js';

/**
 * A broadcast's record in Redis (`{prefix}:bc:<id>`, docs/jobs.md): the spec, the state,
 * the per-channel list sizes and cursors the step job writes, and the final figures.
 * Live figures come from the outbox's counts for `bc-<id>`.
 */

const CANCEL_LUA = `
local s = redis.call('HGET', KEYS[1], 'status')
if not s then return 'not_found' end
if s == 'cancelled' then return 'already_cancelled' end
if s == 'done' then return 'finished' end
redis.call('HSET', KEYS[1], 'status', 'cancelled', 'cancelledBy', ARGV[1], 'cancelledAt', ARGV[2])
return 'cancelled'
`;

const isId = (id: string) => /^\d{1,12}$/.test(id);

export class BroadcastRecords {
  readonly k: JobKeys;
  private readonly cancelCache = new Map<string, { cancelled: boolean; at: number }>();

  constructor(private readonly deps: { redis: Redis; prefix: string; outbox: Pick<Outbox, 'stats'>; now: () => Date }) {
    this.k = jobKeys(deps.prefix);
  }

  /** A new record in state `queued`; returns its id. */
  async create(spec: BroadcastSpec): Promise<string> {
    const { redis } = this.deps;
    const id = String(await redis.incr(this.k.broadcastSeq));
    const now = this.deps.now().toISOString();
    await redis
      .multi()
      .hset(this.k.broadcast(id), {
        id,
        spec: JSON.stringify({ by: spec.by, text: spec.text, file: spec.file ?? null, audience: spec.audience }),
        status: 'queued',
        createdAt: now,
      })
      .sadd(this.k.broadcastsRunning, id)
      .zadd(this.k.broadcastsAll, Date.parse(now), id)
      .exec();
    return id;
  }

  async cancel(id: string, by: string): Promise<CancelResult> {
    if (!isId(id)) return 'not_found';
    const r = (await this.deps.redis.eval(CANCEL_LUA, 1, this.k.broadcast(id), by, this.deps.now().toISOString())) as CancelResult;
    if (r === 'cancelled') this.cancelCache.delete(id);
    return r;
  }

  /** Cached for a second: the outbox asks once per message. */
  async isCancelled(id: string): Promise<boolean> {
    const hit = this.cancelCache.get(id);
    if (hit && Date.now() - hit.at < 1_000) return hit.cancelled; // host clock: age of a cached answer
    const cancelled = (await this.deps.redis.hget(this.k.broadcast(id), 'status')) === 'cancelled';
    this.cancelCache.set(id, { cancelled, at: Date.now() }); // host clock: age of a cached answer
    return cancelled;
  }

  async status(id: string): Promise<BroadcastStatus | null> {
    if (!isId(id)) return null;
    const h = await this.deps.redis.hgetall(this.k.broadcast(id));
    if (!h.spec) return null;
    const spec = JSON.parse(h.spec) as Required<BroadcastSpec>;
    if (h.final) return JSON.parse(h.final) as BroadcastStatus;
    const stats = await this.deps.outbox.stats(`bc-${id}`);
    const o = byOutcome(stats);
    const perChannel: BroadcastStatus['perChannel'] = {};
    let pre = 0;
    let total = 0;
    for (const c of CHANNELS) {
      const size = Number(h[`size.${c}`] ?? 0);
      const known = Number(h[`pre.${c}`] ?? 0);
      if (size + known === 0) continue;
      pre += known;
      total += size + known;
      perChannel[c] = {
        total: size + known,
        sent: stats[`${c}.sent`] ?? 0,
        failed: stats[`${c}.failed`] ?? 0,
        unreachable: known + (stats[`${c}.unreachable`] ?? 0),
      };
    }
    const sent = o.sent ?? 0;
    const failed = o.failed ?? 0;
    const unreachable = pre + (o.unreachable ?? 0);
    const cancelled = o.cancelled ?? 0;
    return {
      id,
      status: h.status as BroadcastState,
      by: spec.by,
      text: spec.text,
      file: spec.file,
      audience: spec.audience,
      createdAt: h.createdAt!,
      startedAt: h.startedAt ?? null,
      finishedAt: h.finishedAt ?? null,
      total,
      sent,
      failed,
      unreachable,
      cancelled,
      resent: o.resent ?? 0,
      pending: Math.max(0, total - sent - failed - unreachable - cancelled),
      perChannel,
    };
  }

  async running(): Promise<BroadcastStatus[]> {
    const ids = await this.deps.redis.smembers(this.k.broadcastsRunning);
    const out: BroadcastStatus[] = [];
    for (const id of ids.sort((a, b) => Number(a) - Number(b))) {
      const s = await this.status(id);
      if (s && (s.status === 'queued' || s.status === 'running')) out.push(s);
    }
    return out;
  }
}
