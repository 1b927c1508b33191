import type { Redis } from 'ioredis';
import { platformConfigured, type Config } from './config/index.js';

/**
 * Campaign time: what deadlines, reminders, staff alerts, late marks and "còn N ngày"
 * are measured against. One clock per process, injected everywhere such time is read
 * (test/architecture/clock.test.ts: no other module reads the host clock for it).
 * Production runs on the real clock; the local demo on a simulated one whose date the
 * simulator can change, shared through Redis by the web process, the workers and the CLI.
 */
export interface Clock {
  /** Now, in campaign time. An own property: `const now = clock.now` works. */
  readonly now: () => Date;
  /** True for the demo's simulated clock. */
  readonly simulated: boolean;
  /** Re-reads the shared setting (the demo clock; nothing for the others). */
  refresh(): Promise<void>;
  close(): Promise<void>;
}

/** The host's clock: production, and every deployment with a Telegram or Zalo token. */
export const realClock: Clock = {
  now: () => new Date(),
  simulated: false,
  refresh: async () => {},
  close: async () => {},
};

/** A clock read from a function (tests drive time this way). */
export const clockOf = (now: () => Date): Clock => ({ now, simulated: false, refresh: async () => {}, close: async () => {} });

/**
 * Whether a configuration runs the local demo, the only place a simulated clock exists:
 * the simulator on and no platform credential (with a token the simulator is off or a
 * password-protected sandbox, whose clock stays real).
 */
export const usesDemoClock = (config: Config): boolean => config.SIMULATOR === 'on' && !platformConfigured(config);

export const demoClockKeys = (prefix: string) => ({
  /** Simulated minus real time, in milliseconds (absent: the real time). */
  offset: `${prefix}:clock:offset`,
  /** Pub/sub channel carrying the new offset to the other processes. */
  changed: `${prefix}:clock:changed`,
});

/**
 * The demo's clock: the real time shifted by an offset kept in Redis, so simulated time
 * keeps flowing from the chosen moment and every process agrees on it. Each process
 * holds the offset in memory (now() stays synchronous), reads it at start, hears changes
 * at once over pub/sub, and re-reads it before each scheduled job (refresh()).
 */
export class DemoClock implements Clock {
  readonly simulated = true;
  private offsetMs = 0;
  private subscriber: Redis | null = null;

  private constructor(
    private readonly redis: Redis,
    private readonly prefix: string,
  ) {}

  /** `watch`: follow changes made by other processes (long-running ones; the CLI reads once). */
  static async open(redis: Redis, prefix: string, opts: { watch: boolean }): Promise<DemoClock> {
    const clock = new DemoClock(redis, prefix);
    await clock.refresh();
    if (opts.watch) {
      const sub = redis.duplicate();
      sub.on('error', () => {});
      sub.on('message', (_channel: string, message: string) => clock.apply(message));
      await sub.subscribe(demoClockKeys(prefix).changed);
      clock.subscriber = sub;
      // A change published between the first read and the subscription is not lost.
      await clock.refresh();
    }
    return clock;
  }

  readonly now = (): Date => new Date(Date.now() + this.offsetMs);

  /** Whether the clock shows the real time (never moved, or moved back to today). */
  get isReal(): boolean {
    return this.offsetMs === 0;
  }

  async refresh(): Promise<void> {
    this.apply(await this.redis.get(demoClockKeys(this.prefix).offset));
  }

  /** Moves simulated time to `to` for every process; null goes back to the real time. */
  async set(to: Date | null): Promise<void> {
    const k = demoClockKeys(this.prefix);
    const offset = to === null ? 0 : Math.round(to.getTime() - Date.now());
    if (offset === 0) await this.redis.del(k.offset);
    else await this.redis.set(k.offset, String(offset));
    this.offsetMs = offset;
    await this.redis.publish(k.changed, String(offset));
  }

  private apply(raw: string | null) {
    const n = Number(raw ?? 0);
    this.offsetMs = Number.isFinite(n) ? n : 0;
  }

  async close(): Promise<void> {
    const sub = this.subscriber;
    this.subscriber = null;
    await sub?.quit().catch(() => sub.disconnect());
  }
}
