import { collectDefaultMetrics, Counter, Gauge, Registry } from 'prom-client';
import type { Health } from './health.js';

/** One queue's job counts by state (what the queue-size gauges report). */
export interface QueueSize {
  queue: string;
  counts: Record<string, number>;
}

/**
 * The bot's Prometheus metrics (`GET /metrics`). One registry per app; the default
 * process metrics (CPU, memory, event loop, GC) are registered once per process and
 * merged in at scrape time. Modules do not import this: the app wires the counters to
 * the engine, the outbound channels and the reminder pass (src/app.ts).
 */
export interface Metrics {
  readonly registry: Registry;
  /** Inbound messages handed to the engine, per channel. */
  readonly updatesIn: Counter<'channel'>;
  /** Messages the platforms accepted: conversation replies and outbox sends, per channel. */
  readonly repliesOut: Counter<'channel'>;
  /** Platform rate-limit answers (Telegram 429, Zalo -32) seen by the outbox, per channel. */
  readonly rateLimited: Counter<'channel'>;
  /** Reminder passes run (scheduled, catch-up sweeps, for a new member, from the CLI). */
  readonly reminderRuns: Counter;
  /** Requests refused by the per-client limit on public routes. */
  readonly httpLimited: Counter;
  /** The Prometheus text exposition of this registry and the process metrics. */
  scrape(): Promise<{ contentType: string; body: string }>;
}

let processRegistry: Registry | undefined;
function processMetrics(): Registry {
  if (!processRegistry) {
    processRegistry = new Registry();
    collectDefaultMetrics({ register: processRegistry });
  }
  return processRegistry;
}

/** `health`: what /healthz reports, turned into gauges at scrape time (one check per scrape). */
export function createMetrics(opts: { queueSizes?: () => Promise<QueueSize[]>; health?: () => Promise<Health> } = {}): Metrics {
  const registry = new Registry();
  const updatesIn = new Counter({ name: 'updates_in_total', help: 'Inbound messages handed to the engine', labelNames: ['channel'] as const, registers: [registry] });
  const repliesOut = new Counter({ name: 'replies_out_total', help: 'Messages accepted by the platform (conversation replies and outbox sends)', labelNames: ['channel'] as const, registers: [registry] });
  const rateLimited = new Counter({ name: 'rate_limited_total', help: 'Platform rate-limit answers (429) seen when sending', labelNames: ['channel'] as const, registers: [registry] });
  const reminderRuns = new Counter({ name: 'reminder_runs_total', help: 'Reminder passes run', registers: [registry] });
  const httpLimited = new Counter({ name: 'http_rate_limited_total', help: 'Requests refused by the per-client limit on public routes (429)', registers: [registry] });
  const queueSizes = opts.queueSizes;
  new Gauge({
    name: 'queue_jobs',
    help: 'Jobs in each queue by state, read from Redis at scrape time',
    labelNames: ['queue', 'state'] as const,
    registers: [registry],
    async collect() {
      this.reset();
      if (!queueSizes) return;
      for (const q of await queueSizes().catch(() => [])) for (const [state, n] of Object.entries(q.counts)) this.set({ queue: q.queue, state }, n);
    },
  });
  const healthGauges = createHealthGauges(registry);
  return {
    registry,
    updatesIn,
    repliesOut,
    rateLimited,
    reminderRuns,
    httpLimited,
    async scrape() {
      if (opts.health) healthGauges.set(await opts.health().catch(() => null));
      const merged = Registry.merge([processMetrics(), registry]);
      return { contentType: merged.contentType, body: await merged.metrics() };
    },
  };
}

/** The /healthz figures as gauges; a failed check leaves only `health_status` = 2 (down). */
function createHealthGauges(registry: Registry) {
  const g = <L extends string>(name: string, help: string, labelNames: readonly L[] = []) => new Gauge<L>({ name, help, labelNames, registers: [registry] });
  const status = g('health_status', '0 ok, 1 degraded, 2 down (as GET /healthz)');
  const writable = g('redis_writable', '1 when a small SET succeeds (0 at maxmemory with noeviction)');
  const used = g('redis_memory_used_bytes', 'Redis used_memory');
  const max = g('redis_memory_max_bytes', 'Redis maxmemory (0: no limit)');
  const channelUp = g('channel_up', '1 while a configured platform channel can send, 0 when down (token refused)', ['channel']);
  const waiting = g('outbox_waiting', 'Outbox jobs ready to send', ['channel']);
  const oldest = g('outbox_oldest_waiting_age_seconds', 'How long the longest-waiting ready outbox job has waited (0: none)', ['channel']);
  const all = [status, writable, used, max, channelUp, waiting, oldest];
  return {
    set(h: Health | null) {
      for (const x of all) x.reset();
      status.set(h ? { ok: 0, degraded: 1, down: 2 }[h.status] : 2);
      if (!h) return;
      writable.set(h.redis.writable ? 1 : 0);
      if (h.redis.usedMemory !== null) used.set(h.redis.usedMemory);
      if (h.redis.maxMemory !== null) max.set(h.redis.maxMemory);
      for (const [channel, c] of Object.entries(h.channels)) channelUp.set({ channel }, c.state === 'up' ? 1 : 0);
      for (const [channel, o] of Object.entries(h.outbox)) {
        waiting.set({ channel }, o.waiting);
        oldest.set({ channel }, o.oldestWaitingAgeSec ?? 0);
      }
    },
  };
}
