import type { Queue } from 'bullmq';
import type { Redis } from 'ioredis';
import type { Logger } from 'pino';
import type { OutboundChannel, SendOutcome } from '../channels/types.js';
import type { Channel } from '../domain/entities.js';
import type { EngineHooks } from '../engine/ports.js';
import type { Reply } from '../engine/types.js';
import { checkHealth, outboxHealth, type ChannelHealth, type Health, type OutboxHealth, type RunningCheck } from './health.js';
import { createMetrics, type Metrics, type QueueSize } from './metrics.js';

/** A channel's stored down state (Telegram's refused token, Zalo's dead refresh token). */
type DownState = { reason: string; since: string } | null;

export interface ObserveDeps {
  redis: Redis;
  prefix: string;
  log: Logger;
  /** The app's outbound channels (filled in as they are configured). */
  outbound: Partial<Record<Channel, OutboundChannel>>;
  /** The outbox queue of a channel (jobs.outbox.queue). */
  outboxQueue: (channel: Channel) => Queue;
  /** Messages of a channel staged but not yet queued (jobs.outbox.feeder.staged). */
  outboxStaged?: (channel: Channel) => Promise<number>;
  /** Down states of the configured platforms, by channel. */
  downStates: () => Promise<Partial<Record<Channel, DownState>>>;
}

/**
 * Health, metrics and in-flight tracking of one app. The engine, the jobs and the
 * channels do not know about them: they get hooks (engineHooks, jobHooks) and the
 * outbound channels are wrapped (instrument).
 */
export function observe(deps: ObserveDeps) {
  const { redis, prefix, log, outbound } = deps;
  const channels = () => Object.keys(outbound) as Channel[];
  let localWorkers: readonly RunningCheck[] = [];
  const inflight = new Set<Promise<unknown>>();

  const queueSizes = async (): Promise<QueueSize[]> =>
    Promise.all(
      channels().map(async (c) => {
        const q = deps.outboxQueue(c);
        const [counts, staged] = await Promise.all([q.getJobCounts('waiting', 'prioritized', 'delayed', 'active', 'failed'), deps.outboxStaged?.(c) ?? 0]);
        return { queue: q.name, counts: { ...counts, staged } };
      }),
    );
  // Health is read by every replica from Redis: channel states, outbox backlog, heartbeats.
  const channelHealth = async (): Promise<Record<string, ChannelHealth>> => {
    const out: Record<string, ChannelHealth> = {};
    for (const [c, d] of Object.entries(await deps.downStates())) out[c] = d ? { state: 'down', reason: d.reason, since: d.since } : { state: 'up' };
    return out;
  };
  const outboxBacklog = async (): Promise<Record<string, OutboxHealth>> => {
    const now = Date.now(); // host clock: the age of queued jobs (BullMQ times them on the host)
    const list = await Promise.all(channels().map((c) => outboxHealth(deps.outboxQueue(c), now, deps.outboxStaged && (() => deps.outboxStaged!(c)))));
    return Object.fromEntries(channels().map((c, i) => [c, list[i]!]));
  };
  // One check at a time per process: a flood of /healthz (not limited) costs one probe, not one each.
  let checking: Promise<Health> | null = null;
  const health = () =>
    (checking ??= checkHealth({ redis, prefix, localWorkers: () => localWorkers, channels: channelHealth, outbox: outboxBacklog }).finally(() => {
      checking = null;
    }));
  const metrics: Metrics = createMetrics({ queueSizes, health });

  const engineHooks: EngineHooks = {
    onInbound: (inbound) => metrics.updatesIn.inc({ channel: inbound.channel }),
    onHandled(inbound, r, ms) {
      if (!r.duplicate && r.replies.length) metrics.repliesOut.inc({ channel: inbound.channel }, r.replies.length);
      // What happened, never what was said or who said it.
      log.trace({ channel: inbound.channel, input: inbound.payload ? 'button' : inbound.attachments?.length ? 'file' : 'text', replies: r.replies.length, duplicate: r.duplicate ?? false, ms }, 'engine step');
    },
    track(handling) {
      const tracked = handling.catch(() => {}).finally(() => inflight.delete(tracked));
      inflight.add(tracked);
    },
  };

  /** Counts what an outbound channel's sends come to (the outbox and notify send through the wrapper). */
  const instrument = (ch: OutboundChannel): OutboundChannel => {
    const count = (o: SendOutcome) => {
      log.trace({ channel: ch.channel, ok: o.ok, ...(!o.ok && { kind: o.kind }) }, 'outbound send');
      if (o.ok) metrics.repliesOut.inc({ channel: ch.channel });
      else if (o.kind === 'rate_limited') metrics.rateLimited.inc({ channel: ch.channel });
      return o;
    };
    return {
      channel: ch.channel,
      send: (userId, reply, o) => ch.send(userId, reply, o).then(count),
      ...(ch.edit && { edit: (userId: string, id: string, reply: Reply) => ch.edit!(userId, id, reply).then(count) }),
      ...(ch.reachable && { reachable: ch.reachable.bind(ch) }),
    };
  };

  return {
    metrics,
    health,
    engineHooks,
    jobHooks: { onReminderPass: () => metrics.reminderRuns.inc() },
    instrument,
    attachWorkers(workers: readonly RunningCheck[]) {
      localWorkers = workers;
    },
    /** Resolves when no engine step is running (they may start others meanwhile). */
    async settled(): Promise<void> {
      while (inflight.size) await Promise.all([...inflight]);
    },
  };
}
