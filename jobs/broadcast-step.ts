import { DelayedError, type Job } from 'bullmq';
import type { Redis } from 'ioredis';
import type { Logger } from 'pino';
import type { OutboundChannel } from '../src/channels/types.js';
import { CHANNELS, type Channel, type Lang } from '../src/domain/entities.js';
import type { BroadcastSpec, BroadcastStatus } from '../src/engine/ports.js';
import type { Reply } from '../src/engine/types.js';
import type { Store } from '../src/store/index.js';
import { audienceMembers, knownUnreachable } from './broadcast-audience.js';
import type { BroadcastRecords } from './broadcast-record.js';
import { announcementReply, progressReply, reportText } from './broadcast-texts.js';
import { PRIORITY } from './keys.js';
import type { Outbox, OutboxMessage } from './outbox.js';

/**
 * The step job of a broadcast: a BullMQ job that re-delays itself every STEP_MS, builds
 * the recipient lists once, feeds the outbox in windows, edits the admin's progress line,
 * and sends the final report. Everything it needs is in Redis (the record, one recipient
 * list and one cursor per channel, the outbox counts), so after a worker dies another
 * worker continues where it stopped; the outbox's keys make re-fed messages no-ops.
 */

/** How often the step job looks at a running broadcast. */
export const STEP_MS = 2_000;
/** Progress edits at most this often. */
const EDIT_EVERY_MS = 3_000;
/** Without edits: a new progress message at each quarter, at most this often. */
const NEW_PROGRESS_EVERY_MS = 30_000;

type Outbound = () => Partial<Record<Channel, OutboundChannel>>;

export interface BroadcastStepDeps {
  redis: Redis;
  store: Store;
  outbox: Outbox;
  records: BroadcastRecords;
  log: Logger;
  now: () => Date;
  /** Send rate per channel: sizes the windows fed to the outbox. */
  rates: Record<Channel, number>;
}

export function broadcastStep(deps: BroadcastStepDeps, outbound: Outbound) {
  const { redis, outbox, records, log } = deps;
  const k = records.k;
  const status = async (id: string) => (await records.status(id))!;

  const again = async (job: Job, token?: string): Promise<never> => {
    await job.moveToDelayed(Date.now() + STEP_MS, token); // host clock: BullMQ delays on the host clock
    throw new DelayedError();
  };

  const toAdmin = (spec: BroadcastSpec, key: string, kind: OutboxMessage['kind'], reply: Reply): OutboxMessage => ({
    kind,
    key,
    channel: spec.by.channel,
    userId: spec.by.userId,
    ref: 'admin',
    reply,
  });

  /** Lists the recipients once, per channel; the known-unreachable are counted, not listed. */
  const build = async (id: string, spec: BroadcastSpec): Promise<void> => {
    const people = await audienceMembers(deps.store, spec.audience);
    const now = deps.now();
    const lists = new Map<Channel, string[]>();
    const pre = new Map<Channel, number>();
    for (const i of people) {
      if (knownUnreachable(i, outbound(), now)) {
        pre.set(i.channel, (pre.get(i.channel) ?? 0) + 1);
        continue;
      }
      const list = lists.get(i.channel) ?? [];
      list.push(JSON.stringify([i.userId, i.lang]));
      lists.set(i.channel, list);
    }
    const m = redis.multi();
    for (const c of CHANNELS) m.del(k.broadcastTo(id, c));
    const fields: Record<string, string> = { built: '1', total: String(people.length) };
    for (const c of CHANNELS) {
      const list = lists.get(c) ?? [];
      for (let i = 0; i < list.length; i += 1000) m.rpush(k.broadcastTo(id, c), ...list.slice(i, i + 1000));
      if (list.length) m.expire(k.broadcastTo(id, c), 90 * 86_400);
      fields[`size.${c}`] = String(list.length);
      fields[`pre.${c}`] = String(pre.get(c) ?? 0);
      fields[`cursor.${c}`] = '0';
    }
    m.hset(k.broadcast(id), fields);
    await m.exec();
    log.info({ broadcast: id, total: people.length }, 'broadcast recipients listed');
  };

  /** Tops up each channel's share of the outbox to a window of about 20 s of sending. */
  const feed = async (id: string, spec: BroadcastSpec): Promise<{ complete: boolean }> => {
    const h = await redis.hgetall(k.broadcast(id));
    const stats = await outbox.stats(`bc-${id}`);
    let complete = true;
    for (const c of CHANNELS) {
      const size = Number(h[`size.${c}`] ?? 0);
      let cursor = Number(h[`cursor.${c}`] ?? 0);
      if (cursor >= size) continue;
      const processed = ['sent', 'failed', 'unreachable', 'cancelled'].reduce((n, o) => n + (stats[`${c}.${o}`] ?? 0), 0);
      const window = Math.max(100, Math.ceil(deps.rates[c] * 20));
      const outstanding = cursor - processed;
      if (outstanding < window / 2) {
        const n = Math.min(window - outstanding, size - cursor, 2_000);
        const entries = await redis.lrange(k.broadcastTo(id, c), cursor, cursor + n - 1);
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
            reply: announcementReply(lang, spec),
          };
        });
        await outbox.enqueueMany(messages);
        cursor += entries.length;
        await redis.hset(k.broadcast(id), `cursor.${c}`, String(cursor));
      }
      if (cursor < size) complete = false;
    }
    return { complete };
  };

  /** Takes the fed-but-unsent messages of a cancelled broadcast out of the queues. */
  const removePending = async (id: string): Promise<number> => {
    const h = await redis.hgetall(k.broadcast(id));
    let removed = 0;
    for (const c of CHANNELS) {
      const cursor = Number(h[`cursor.${c}`] ?? 0);
      for (let from = 0; from < cursor; from += 1000) {
        const entries = await redis.lrange(k.broadcastTo(id, c), from, Math.min(cursor, from + 1000) - 1);
        const items = entries.map((e) => ({ channel: c, key: `bc|${id}|${c}|${(JSON.parse(e) as [string])[0]}` }));
        const pending: typeof items = [];
        const pipe = redis.pipeline();
        for (const x of items) pipe.exists(k.done(x.key));
        const res = (await pipe.exec()) ?? [];
        items.forEach((x, i) => {
          if (res[i]?.[1] === 0) pending.push(x);
        });
        removed += await outbox.removePending(pending);
      }
    }
    return removed;
  };

  const showProgress = async (id: string, spec: BroadcastSpec, s: BroadcastStatus): Promise<void> => {
    const key = k.broadcast(id);
    const h = await redis.hmget(key, 'lastEditAt', 'lastEditDone', 'milestone', 'lastProgressAt');
    const done = s.sent + s.failed + s.unreachable + s.cancelled;
    const now = Date.now(); // host clock: pacing of progress edits
    const channel = outbound()[spec.by.channel];
    const sentAs = await outbox.outcome(`bc|${id}|progress`);
    const messageId = sentAs?.startsWith('ok:') ? sentAs.slice(3) : '';
    if (channel?.edit && messageId) {
      if (String(done) === h[1] || now - Number(h[0] ?? 0) < EDIT_EVERY_MS) return;
      await redis.hset(key, 'lastEditAt', String(now), 'lastEditDone', String(done));
      const r = await channel.edit(spec.by.userId, messageId, progressReply(spec.by.lang, s)).catch(() => null);
      if (r && !r.ok) log.debug({ broadcast: id, outcome: r.kind }, 'progress edit failed');
      return;
    }
    if (channel?.edit && !sentAs) return; // the progress message is still on its way
    // No edits on this channel: a new message at each quarter, not too often.
    const quarter = s.total > 0 ? Math.floor((done / s.total) * 4) : 0;
    if (quarter <= Number(h[2] ?? 0) || quarter >= 4 || now - Number(h[3] ?? 0) < NEW_PROGRESS_EVERY_MS) return;
    await redis.hset(key, 'milestone', String(quarter), 'lastProgressAt', String(now));
    await outbox.enqueue(toAdmin(spec, `bc|${id}|progress|${quarter}`, 'progress', progressReply(spec.by.lang, s, { update: true })));
  };

  const finish = async (id: string, spec: BroadcastSpec, how: 'done' | 'cancelled'): Promise<void> => {
    const s = await status(id);
    const final: BroadcastStatus = { ...s, status: how, finishedAt: deps.now().toISOString(), cancelled: s.cancelled + s.pending, pending: 0 };
    await outbox.enqueue(toAdmin(spec, `bc|${id}|report`, 'report', { text: reportText(spec.by.lang, final, how) }));
    await redis
      .multi()
      .hset(k.broadcast(id), 'status', how, 'finishedAt', final.finishedAt!, 'final', JSON.stringify(final))
      .srem(k.broadcastsRunning, id)
      .exec();
    // The live line loses its cancel button.
    const channel = outbound()[spec.by.channel];
    const sentAs = await outbox.outcome(`bc|${id}|progress`);
    if (channel?.edit && sentAs?.startsWith('ok:') && sentAs.length > 3)
      await channel.edit(spec.by.userId, sentAs.slice(3), progressReply(spec.by.lang, final)).catch(() => null);
    // Still waiting in the outbox: it would arrive after the report with a button that stops nothing.
    if (!sentAs) await outbox.removePending([{ channel: spec.by.channel, key: `bc|${id}|progress` }]);
    log.info({ broadcast: id, status: how, sent: final.sent, failed: final.failed, unreachable: final.unreachable }, 'broadcast finished');
  };

  /** One look at a broadcast: build, feed, show progress; re-delays itself until done. */
  return async (job: Job<{ id: string }>, token?: string): Promise<string> => {
    const id = job.data.id;
    const key = k.broadcast(id);
    const h = await redis.hgetall(key);
    if (!h.spec) return 'missing';
    if (h.finishedAt) return h.status ?? 'done';
    const spec = JSON.parse(h.spec) as Required<BroadcastSpec>;
    if (h.status === 'queued') await redis.hsetnx(key, 'startedAt', deps.now().toISOString());
    if (h.status === 'queued') await redis.eval(`if redis.call('HGET', KEYS[1], 'status') == 'queued' then redis.call('HSET', KEYS[1], 'status', 'running') end`, 1, key);
    if (!h.built) await build(id, spec);
    if (!h.progressQueued) {
      await outbox.enqueue(toAdmin(spec, `bc|${id}|progress`, 'progress', progressReply(spec.by.lang, await status(id))));
      await redis.hset(key, 'progressQueued', '1');
    }

    if ((await redis.hget(key, 'status')) === 'cancelled') {
      if (!(await redis.hget(key, 'cancelHandled'))) {
        const removed = await removePending(id);
        await redis.hset(key, 'cancelHandled', '1');
        log.info({ broadcast: id, removed }, 'broadcast cancelled');
        // One more look after the messages being sent right now have finished.
        return again(job, token);
      }
      await finish(id, spec, 'cancelled');
      return 'cancelled';
    }

    const fed = await feed(id, spec);
    const s = await status(id);
    if (fed.complete && s.pending === 0) {
      await finish(id, spec, 'done');
      return 'done';
    }
    await showProgress(id, spec, s);
    return again(job, token);
  };
}
