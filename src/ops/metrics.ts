import { collectDefaultMetrics, Counter, Gauge, Registry } from 'prom-client';

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

export function createMetrics(opts: { queueSizes?: () => Promise<QueueSize[]> } = {}): Metrics {
  const registry = new Registry();
  const updatesIn = new Counter({ name: 'updates_in_total', help: 'Inbound messages handed to the engine', labelNames: ['channel'] as const, registers: [registry] });
  const repliesOut = new Counter({ name: 'replies_out_total', help: 'Messages accepted by the platform (conversation replies and outbox sends)', labelNames: ['channel'] as const, registers: [registry] });
  const rateLimited = new Counter({ name: 'rate_limited_total', help: 'Platform rate-limit answers (429) seen when sending', labelNames: ['channel'] as const, registers: [registry] });
  const reminderRuns = new Counter({ name: 'reminder_runs_total', help: 'Reminder passes run', registers: [registry] });
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
  return {
    registry,
    updatesIn,
    repliesOut,
    rateLimited,
    reminderRuns,
    async scrape() {
      const merged = Registry.merge([processMetrics(), registry]);
      return { contentType: merged.contentType, body: await merged.metrics() };
    },
  };
}
