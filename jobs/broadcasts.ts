import { DelayedError, Queue, type Job } from 'bullmq';
import type { Redis } from 'ioredis';
import type { Logger } from 'pino';
import type { Campaign } from '../src/campaign/schema.js';
import type { OutboundChannel } from '../src/channels/types.js';
import { CHANNELS, type Channel, type FileRef, type Identity, type Lang } from '../src/domain/entities.js';
import type { UnitLevel } from '../src/domain/levels.js';
import { flowLink } from '../src/engine/links.js';
import type { Reply } from '../src/engine/types.js';
import { documentName, senderLabel } from '../src/files.js';
import { t } from '../src/i18n.js';
import type { Store } from '../src/store/index.js';
import { bullPrefix, jobKeys, PRIORITY, QUEUES, safeJobId, type JobKeys } from './keys.js';
import { byOutcome, type Outbox, type OutboxMessage } from './outbox.js';
import { formatCount } from './text.js';

/**
 * Admin broadcasts. `start` records the announcement and queues one step job; the step
 * job (a BullMQ job that re-delays itself every STEP_MS) builds the recipient lists
 * once, feeds the outbox in windows, edits the admin's progress line, and sends the
 * final report. Everything it needs is in Redis (the record, one recipient list and
 * one cursor per channel, the outbox counts), so after a worker dies another worker
 * continues where it stopped; the outbox's keys make re-fed messages no-ops.
 */

export type Audience =
  | { kind: 'all' }
  | { kind: 'level'; level: UnitLevel }
  | { kind: 'office'; unitId: string }
  | { kind: 'channel'; channel: Channel }
  | { kind: 'staff' };

export interface BroadcastSpec {
  by: { channel: Channel; userId: string; lang: Lang };
  text: string;
  file?: FileRef | null;
  audience: Audience;
}

export type BroadcastState = 'queued' | 'running' | 'done' | 'cancelled';

export interface BroadcastStatus {
  id: string;
  status: BroadcastState;
  by: BroadcastSpec['by'];
  text: string;
  file: FileRef | null;
  audience: Audience;
  createdAt: string;
  startedAt: string | null;
  finishedAt: string | null;
  /** Recipients (0 until the list is built). */
  total: number;
  sent: number;
  failed: number;
  /** Blocked the bot / unfollowed / outside Zalo's 7-day window: known before or found while sending. */
  unreachable: number;
  /** Not sent because the broadcast was cancelled. */
  cancelled: number;
  /** Sent again after a worker died mid-send: these recipients may have the message twice. */
  resent: number;
  pending: number;
  perChannel: Partial<Record<Channel, { total: number; sent: number; failed: number; unreachable: number }>>;
}

export interface BroadcastDeps {
  redis: Redis;
  connection: Redis;
  prefix: string;
  store: Store;
  campaign: Campaign;
  outbox: Outbox;
  log: Logger;
  now: () => Date;
  /** Send rate per channel: sizes the windows fed to the outbox. */
  rates: Record<Channel, number>;
}

/** How often the step job looks at a running broadcast. */
export const STEP_MS = 2_000;
/** Progress edits at most this often. */
const EDIT_EVERY_MS = 3_000;
/** Without edits: a new progress message at each quarter, at most this often. */
const NEW_PROGRESS_EVERY_MS = 30_000;
/** Zalo allows consultation messages only within 7 days of the user's last message. */
const ZALO_WINDOW_MS = 7 * 86_400_000;

const CANCEL_LUA = `
local s = redis.call('HGET', KEYS[1], 'status')
if not s then return 'not_found' end
if s == 'cancelled' then return 'already_cancelled' end
if s == 'done' then return 'finished' end
redis.call('HSET', KEYS[1], 'status', 'cancelled', 'cancelledBy', ARGV[1], 'cancelledAt', ARGV[2])
return 'cancelled'
`;

export type CancelResult = 'cancelled' | 'already_cancelled' | 'finished' | 'not_found';

export class Broadcasts {
  readonly queue: Queue<{ id: string }>;
  private readonly k: JobKeys;
  private readonly cancelCache = new Map<string, { cancelled: boolean; at: number }>();

  constructor(private readonly deps: BroadcastDeps) {
    this.k = jobKeys(deps.prefix);
    this.queue = new Queue<{ id: string }>(QUEUES.broadcast, {
      connection: deps.connection,
      prefix: bullPrefix(deps.prefix),
      defaultJobOptions: { attempts: 20, backoff: { type: 'fixed', delay: 5_000 }, removeOnComplete: { age: 7 * 86_400 }, removeOnFail: { age: 30 * 86_400 } },
    });
    this.queue.on('error', () => {});
  }

  // --- audience -------------------------------------------------------------------------

  /** Everyone the audience names (joined chat accounts), unreachable ones included. */
  async recipients(audience: Audience): Promise<Identity[]> {
    const { store } = this.deps;
    switch (audience.kind) {
      case 'all':
        return (await store.identities.all()).filter((i) => i.role !== null);
      case 'channel':
        return (await store.identities.all()).filter((i) => i.role !== null && i.channel === audience.channel);
      case 'staff':
        return store.identities.listByRole('staff');
      case 'level': {
        const officers = (await store.identities.listByRole('officer')).filter((i) => i.unitId !== null);
        const units = await store.units.getMany([...new Set(officers.map((i) => i.unitId!))]);
        const ids = new Set(units.filter((u) => u.level === audience.level).map((u) => u.id));
        return officers.filter((i) => ids.has(i.unitId!));
      }
      case 'office': {
        const below = new Set(await store.units.subtree(audience.unitId));
        below.delete(audience.unitId);
        return (await store.identities.listByRole('officer')).filter((i) => i.unitId !== null && below.has(i.unitId));
      }
    }
  }

  /** Known not to be reachable now: flagged, or on Zalo and silent for 7 days (without an announcement template). */
  unreachable(i: Identity): boolean {
    if (i.unreachable) return true;
    if (i.channel !== 'zalo' || this.deps.campaign.zaloTemplates.announcement) return false;
    const last = i.lastInboundAt ? Date.parse(i.lastInboundAt) : 0;
    return this.deps.now().getTime() - last > ZALO_WINDOW_MS;
  }

  async count(audience: Audience): Promise<{ total: number; unreachable: number }> {
    const list = await this.recipients(audience);
    return { total: list.length, unreachable: list.filter((i) => this.unreachable(i)).length };
  }

  // --- lifecycle ------------------------------------------------------------------------

  /** Records the announcement and queues its step job; the recipients are listed by the job. */
  async start(spec: BroadcastSpec): Promise<{ id: string }> {
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
    await this.queue.add('step', { id }, { jobId: safeJobId('bc', id) });
    this.deps.log.info({ broadcast: id, audience: spec.audience.kind }, 'broadcast queued');
    return { id };
  }

  async cancel(id: string, by: string): Promise<CancelResult> {
    if (!/^\d{1,12}$/.test(id)) return 'not_found';
    const r = (await this.deps.redis.eval(CANCEL_LUA, 1, this.k.broadcast(id), by, this.deps.now().toISOString())) as CancelResult;
    if (r === 'cancelled') {
      this.cancelCache.delete(id);
      // Wake the step job now rather than at its next tick.
      await (await this.queue.getJob(safeJobId('bc', id)))?.promote().catch(() => {});
    }
    return r;
  }

  /** Cached for a second: the outbox asks once per message. */
  async isCancelled(id: string): Promise<boolean> {
    const hit = this.cancelCache.get(id);
    if (hit && Date.now() - hit.at < 1_000) return hit.cancelled;
    const cancelled = (await this.deps.redis.hget(this.k.broadcast(id), 'status')) === 'cancelled';
    this.cancelCache.set(id, { cancelled, at: Date.now() });
    return cancelled;
  }

  async status(id: string): Promise<BroadcastStatus | null> {
    if (!/^\d{1,12}$/.test(id)) return null;
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

  async close(): Promise<void> {
    await this.queue.close().catch(() => {});
  }

  // --- the step job -----------------------------------------------------------------------

  /** One look at a broadcast: build, feed, show progress; re-delays itself until done. */
  processor(outbound: () => Partial<Record<Channel, OutboundChannel>>) {
    return async (job: Job<{ id: string }>, token?: string): Promise<string> => {
      const id = job.data.id;
      const key = this.k.broadcast(id);
      const h = await this.deps.redis.hgetall(key);
      if (!h.spec) return 'missing';
      if (h.finishedAt) return h.status ?? 'done';
      const spec = JSON.parse(h.spec) as Required<BroadcastSpec>;
      if (h.status === 'queued') await this.deps.redis.hsetnx(key, 'startedAt', this.deps.now().toISOString());
      if (h.status === 'queued') await this.deps.redis.eval(`if redis.call('HGET', KEYS[1], 'status') == 'queued' then redis.call('HSET', KEYS[1], 'status', 'running') end`, 1, key);
      if (!h.built) await this.build(id, spec);
      if (!h.progressQueued) {
        const s = (await this.status(id))!;
        await this.deps.outbox.enqueue(this.toAdmin(spec, `bc|${id}|progress`, 'progress', this.progressReply(spec.by.lang, s, true)));
        await this.deps.redis.hset(key, 'progressQueued', '1');
      }

      const status = await this.deps.redis.hget(key, 'status');
      if (status === 'cancelled') {
        if (!(await this.deps.redis.hget(key, 'cancelHandled'))) {
          const removed = await this.removePending(id);
          await this.deps.redis.hset(key, 'cancelHandled', '1');
          this.deps.log.info({ broadcast: id, removed }, 'broadcast cancelled');
          // One more look after the messages being sent right now have finished.
          return this.again(job, token);
        }
        await this.finish(id, spec, outbound, 'cancelled');
        return 'cancelled';
      }

      const fed = await this.feed(id, spec);
      const s = (await this.status(id))!;
      if (fed.complete && s.pending === 0) {
        await this.finish(id, spec, outbound, 'done');
        return 'done';
      }
      await this.showProgress(id, spec, s, outbound);
      return this.again(job, token);
    };
  }

  private async again(job: Job, token?: string): Promise<never> {
    await job.moveToDelayed(Date.now() + STEP_MS, token);
    throw new DelayedError();
  }

  /** Lists the recipients once, per channel; the known-unreachable are counted, not listed. */
  private async build(id: string, spec: BroadcastSpec): Promise<void> {
    const { redis } = this.deps;
    const people = await this.recipients(spec.audience);
    const lists = new Map<Channel, string[]>();
    const pre = new Map<Channel, number>();
    for (const i of people) {
      if (this.unreachable(i)) {
        pre.set(i.channel, (pre.get(i.channel) ?? 0) + 1);
        continue;
      }
      const list = lists.get(i.channel) ?? [];
      list.push(JSON.stringify([i.userId, i.lang]));
      lists.set(i.channel, list);
    }
    const m = redis.multi();
    for (const c of CHANNELS) m.del(this.k.broadcastTo(id, c));
    const fields: Record<string, string> = { built: '1', total: String(people.length) };
    for (const c of CHANNELS) {
      const list = lists.get(c) ?? [];
      for (let i = 0; i < list.length; i += 1000) m.rpush(this.k.broadcastTo(id, c), ...list.slice(i, i + 1000));
      if (list.length) m.expire(this.k.broadcastTo(id, c), 90 * 86_400);
      fields[`size.${c}`] = String(list.length);
      fields[`pre.${c}`] = String(pre.get(c) ?? 0);
      fields[`cursor.${c}`] = '0';
    }
    m.hset(this.k.broadcast(id), fields);
    await m.exec();
    this.deps.log.info({ broadcast: id, total: people.length }, 'broadcast recipients listed');
  }

  /** Tops up each channel's share of the outbox to a window of about 20 s of sending. */
  private async feed(id: string, spec: BroadcastSpec): Promise<{ complete: boolean }> {
    const { redis } = this.deps;
    const h = await redis.hgetall(this.k.broadcast(id));
    const stats = await this.deps.outbox.stats(`bc-${id}`);
    let complete = true;
    for (const c of CHANNELS) {
      const size = Number(h[`size.${c}`] ?? 0);
      let cursor = Number(h[`cursor.${c}`] ?? 0);
      if (cursor >= size) continue;
      const processed = ['sent', 'failed', 'unreachable', 'cancelled'].reduce((n, o) => n + (stats[`${c}.${o}`] ?? 0), 0);
      const window = Math.max(100, Math.ceil(this.deps.rates[c] * 20));
      const outstanding = cursor - processed;
      if (outstanding < window / 2) {
        const n = Math.min(window - outstanding, size - cursor, 2_000);
        const entries = await redis.lrange(this.k.broadcastTo(id, c), cursor, cursor + n - 1);
        const messages: OutboxMessage[] = entries.map((e) => {
          const [userId, lang] = JSON.parse(e) as [string, Lang];
          return {
            kind: 'broadcast',
            channel: c,
            userId,
            key: `bc|${id}|${c}|${userId}`,
            ref: `bc-${id}`,
            broadcastId: id,
            priority: PRIORITY.broadcast,
            reply: this.messageFor(lang, spec),
          };
        });
        await this.deps.outbox.enqueueMany(messages);
        cursor += entries.length;
        await redis.hset(this.k.broadcast(id), `cursor.${c}`, String(cursor));
      }
      if (cursor < size) complete = false;
    }
    return { complete };
  }

  messageFor(lang: Lang, spec: Pick<BroadcastSpec, 'text' | 'file'>): Reply {
    const reply: Reply = {
      text: t(lang, 'announce.message', { text: spec.text }),
      // Outside Zalo's 7-day window only the campaign's announcement template may be sent.
      template: { kind: 'announcement', params: { content: spec.text.slice(0, 500) } },
    };
    // Recipients get the file under the bot's name: the sender's words, the real type's extension.
    if (spec.file) reply.file = { path: spec.file.path, name: documentName(senderLabel(spec.file.name).replace(/\.[^.]*$/, ''), spec.file), mime: spec.file.mime };
    return reply;
  }

  /** Takes the fed-but-unsent messages of a cancelled broadcast out of the queues. */
  private async removePending(id: string): Promise<number> {
    const h = await this.deps.redis.hgetall(this.k.broadcast(id));
    let removed = 0;
    for (const c of CHANNELS) {
      const cursor = Number(h[`cursor.${c}`] ?? 0);
      for (let from = 0; from < cursor; from += 1000) {
        const entries = await this.deps.redis.lrange(this.k.broadcastTo(id, c), from, Math.min(cursor, from + 1000) - 1);
        const items = entries.map((e) => ({ channel: c, key: `bc|${id}|${c}|${(JSON.parse(e) as [string])[0]}` }));
        const pending: typeof items = [];
        const pipe = this.deps.redis.pipeline();
        for (const x of items) pipe.exists(this.k.done(x.key));
        const res = (await pipe.exec()) ?? [];
        items.forEach((x, i) => {
          if (res[i]?.[1] === 0) pending.push(x);
        });
        removed += await this.deps.outbox.removePending(pending);
      }
    }
    return removed;
  }

  private toAdmin(spec: BroadcastSpec, key: string, kind: OutboxMessage['kind'], reply: Reply): OutboxMessage {
    return { kind, key, channel: spec.by.channel, userId: spec.by.userId, ref: 'admin', reply };
  }

  private progressReply(lang: Lang, s: BroadcastStatus, withCancel: boolean): Reply {
    const done = s.sent + s.failed + s.unreachable + s.cancelled;
    const text = s.total === 0 && s.status !== 'done'
      ? t(lang, 'announce.progress_preparing', { id: s.id })
      : t(lang, 'announce.progress', { id: s.id, done: formatCount(lang, done), total: formatCount(lang, s.total), sent: formatCount(lang, s.sent) });
    return withCancel ? { text, choices: [{ payload: flowLink('bccancel', s.id), label: t(lang, 'bccancel.button') }] } : { text };
  }

  private async showProgress(id: string, spec: BroadcastSpec, s: BroadcastStatus, outbound: () => Partial<Record<Channel, OutboundChannel>>): Promise<void> {
    const { redis } = this.deps;
    const key = this.k.broadcast(id);
    const h = await redis.hmget(key, 'lastEditAt', 'lastEditDone', 'milestone', 'lastProgressAt');
    const done = s.sent + s.failed + s.unreachable + s.cancelled;
    const now = Date.now();
    const channel = outbound()[spec.by.channel];
    const sentAs = await this.deps.outbox.outcome(`bc|${id}|progress`);
    const messageId = sentAs?.startsWith('ok:') ? sentAs.slice(3) : '';
    if (channel?.edit && messageId) {
      if (String(done) === h[1] || now - Number(h[0] ?? 0) < EDIT_EVERY_MS) return;
      await redis.hset(key, 'lastEditAt', String(now), 'lastEditDone', String(done));
      const r = await channel.edit(spec.by.userId, messageId, this.progressReply(spec.by.lang, s, true)).catch(() => null);
      if (r && !r.ok) this.deps.log.debug({ broadcast: id, outcome: r.kind }, 'progress edit failed');
      return;
    }
    if (channel?.edit && !sentAs) return; // the progress message is still on its way
    // No edits on this channel: a new message at each quarter, not too often.
    const quarter = s.total > 0 ? Math.floor((done / s.total) * 4) : 0;
    if (quarter <= Number(h[2] ?? 0) || quarter >= 4 || now - Number(h[3] ?? 0) < NEW_PROGRESS_EVERY_MS) return;
    await redis.hset(key, 'milestone', String(quarter), 'lastProgressAt', String(now));
    await this.deps.outbox.enqueue(this.toAdmin(spec, `bc|${id}|progress|${quarter}`, 'progress', this.progressReply(spec.by.lang, s, true)));
  }

  private async finish(id: string, spec: BroadcastSpec, outbound: () => Partial<Record<Channel, OutboundChannel>>, how: 'done' | 'cancelled'): Promise<void> {
    const { redis } = this.deps;
    const s = (await this.status(id))!;
    const final: BroadcastStatus = {
      ...s,
      status: how,
      finishedAt: this.deps.now().toISOString(),
      cancelled: s.cancelled + s.pending,
      pending: 0,
    };
    const lang = spec.by.lang;
    const n = (x: number) => formatCount(lang, x);
    const lines = [
      t(lang, how === 'done' ? 'announce.report_done' : 'announce.report_cancelled', { id, total: n(final.total) }),
      t(lang, 'announce.report_counts', { sent: n(final.sent), failed: n(final.failed), unreachable: n(final.unreachable) }),
    ];
    if (final.cancelled) lines.push(t(lang, 'announce.report_not_sent', { count: n(final.cancelled) }));
    if (final.perChannel.zalo?.unreachable) lines.push(t(lang, 'announce.report_zalo', { count: n(final.perChannel.zalo.unreachable) }));
    if (final.resent) lines.push(t(lang, 'announce.report_resent', { count: n(final.resent) }));
    await this.deps.outbox.enqueue(this.toAdmin(spec, `bc|${id}|report`, 'report', { text: lines.join('\n') }));
    await redis
      .multi()
      .hset(this.k.broadcast(id), 'status', how, 'finishedAt', final.finishedAt!, 'final', JSON.stringify(final))
      .srem(this.k.broadcastsRunning, id)
      .exec();
    // The live line loses its cancel button.
    const channel = outbound()[spec.by.channel];
    const sentAs = await this.deps.outbox.outcome(`bc|${id}|progress`);
    if (channel?.edit && sentAs?.startsWith('ok:') && sentAs.length > 3)
      await channel.edit(spec.by.userId, sentAs.slice(3), this.progressReply(lang, final, false)).catch(() => null);
    this.deps.log.info({ broadcast: id, status: how, sent: final.sent, failed: final.failed, unreachable: final.unreachable }, 'broadcast finished');
  }
}
