import { EventEmitter } from 'node:events';
import { DelayedError, Queue, Worker, type Job } from 'bullmq';
import type { Redis } from 'ioredis';
import type { Logger } from 'pino';
import type { Engine } from '../../engine/engine.js';
import type { Reply } from '../../engine/types.js';
import { SEEN_TTL_S } from '../../engine/session.js';
import { createRedis } from '../../redis/connection.js';
import type { SendOutcome } from '../types.js';
import type { ZaloChannel } from './channel.js';
import { normaliseEvent } from './events.js';
import type { ZaloPhones } from './phones.js';
import type { ZaloProfiles } from './profiles.js';

/**
 * Verified webhook events are persisted in the BullMQ queue `zalo-inbound` BEFORE the
 * webhook answers 200, and processed by a worker in the same process: a process that dies
 * after answering loses nothing (BullMQ hands a stalled job to another worker).
 *
 * - Job id = the event's dedupe key (msg_id; follow/unfollow: event + user + timestamp), so
 *   a redelivered event is not queued twice while the first copy is pending; after that
 *   the engine's own "seen" mark (7 days) drops it, and for user_submit_info (which does
 *   not go through the engine) a mark of the same length here. Both outlive the webhook's
 *   replay window, so a captured signed event can never be acted on twice.
 * - The engine's replies are saved into the job before they are sent, and each part is
 *   sent at most once (idempotency key `zin.<key>.<n>`), so a retried job resends only
 *   what did not go out.
 * - Zalo -32 (rate limit) delays the job without using up its attempts; transient errors
 *   retry with backoff; unreachable/config outcomes are logged and not retried.
 */

export const ZALO_INBOUND_QUEUE = 'zalo-inbound';

interface InboundJobData {
  event: unknown;
  replies?: Reply[];
}

export interface ProcessedEvent {
  key: string;
  duplicate: boolean;
  outcomes: SendOutcome[];
}

export interface ZaloInboundOptions {
  redisUrl: string;
  /** The store's client and key prefix (dedupe marks of events the engine does not see). */
  redis: Redis;
  prefix: string;
  /** BullMQ key prefix (`{store prefix}:bull`). */
  bullPrefix: string;
  engine: Engine;
  channel: ZaloChannel;
  phones: ZaloPhones;
  profiles: ZaloProfiles;
  log: Logger;
  now: () => Date;
  concurrency?: number;
  /**
   * A reply failed for a configuration reason (alert admins). Messages sent through the
   * jobs' outbox are reported by the outbox itself; this covers replies to inbound messages.
   */
  onConfigError?: (reason: string) => void;
  /** After all replies to a user's message went out (e.g. ask for a phone once). Errors are logged. */
  afterReplies?: (userId: string) => Promise<void>;
}

/** BullMQ job ids may not contain ':' nor be all digits. */
export const jobIdOf = (key: string) => `z-${key.replace(/[^A-Za-z0-9_.-]/g, '_').slice(0, 200)}`;

export class ZaloInbound {
  readonly queue: Queue;
  /** 'processed' (ProcessedEvent) after each event; tests and metrics listen. */
  readonly events = new EventEmitter();
  private readonly queueConnection: Redis;
  private worker: Worker | null = null;
  private workerConnection: Redis | null = null;
  /** Per-user chains: one process handles a user's events in the order it took them. */
  private readonly chains = new Map<string, Promise<void>>();

  constructor(private readonly opts: ZaloInboundOptions) {
    // A plain client (fails fast when Redis is down: the webhook answers 500 and Zalo redelivers).
    this.queueConnection = createRedis(opts.redisUrl);
    this.queue = new Queue(ZALO_INBOUND_QUEUE, {
      connection: this.queueConnection,
      prefix: opts.bullPrefix,
      defaultJobOptions: {
        attempts: 8,
        backoff: { type: 'exponential', delay: 2_000 },
        // Completed jobs hold personal text: drop them; failed ones stay a week for an operator.
        removeOnComplete: true,
        removeOnFail: { age: 7 * 24 * 3600 },
      },
    });
  }

  /** Persists one verified event; resolves once it is safely in Redis. */
  async enqueue(event: unknown, key: string): Promise<void> {
    await this.queue.add('event', { event } satisfies InboundJobData, { jobId: jobIdOf(key) });
  }

  start(): void {
    if (this.worker) return;
    this.workerConnection = createRedis(this.opts.redisUrl, 'bullmq');
    this.worker = new Worker(ZALO_INBOUND_QUEUE, (job, token) => this.process(job, token), {
      connection: this.workerConnection,
      prefix: this.opts.bullPrefix,
      // Events mostly wait on Redis and Zalo, not the CPU; per-user order is kept by the chains below.
      concurrency: this.opts.concurrency ?? 32,
    });
    this.worker.on('failed', (job, err) => {
      this.opts.log.warn({ job: job?.id, attempts: job?.attemptsMade, err: err.message }, 'zalo: inbound event failed');
    });
    this.worker.on('error', (err) => this.opts.log.error({ err: err.message }, 'zalo: inbound worker error'));
  }

  /** Stops taking new events; waits for the ones being processed. */
  async stop(): Promise<void> {
    const w = this.worker;
    this.worker = null;
    if (w) await w.close();
    if (this.workerConnection) {
      await this.workerConnection.quit().catch(() => this.workerConnection?.disconnect());
      this.workerConnection = null;
    }
  }

  async close(): Promise<void> {
    await this.stop();
    await this.queue.close();
    await this.queueConnection.quit().catch(() => this.queueConnection.disconnect());
  }

  private async process(job: Job<InboundJobData>, token: string | undefined): Promise<string> {
    const n = normaliseEvent(job.data.event);
    if (n.kind === 'ignore') return 'ignored';
    if (n.kind === 'submit_info') {
      // Marked after saving: a crash in between saves the same phone again, never loses it.
      const seen = `${this.opts.prefix}:zalo:seen:${n.key}`;
      if (await this.opts.redis.exists(seen)) {
        this.emit({ key: n.key, duplicate: true, outcomes: [] });
        return 'duplicate';
      }
      const saved = n.info.phone ? await this.opts.phones.save(n.userId, n.info.phone, this.opts.now()) : false;
      await this.opts.redis.set(seen, '1', 'EX', SEEN_TTL_S);
      this.emit({ key: n.key, duplicate: false, outcomes: [] });
      return saved ? 'phone saved' : 'no usable phone';
    }

    // The engine lock already keeps two messages of a user apart; this also keeps their order
    // (BullMQ starts jobs in queue order, so a later message waits for an earlier one here).
    const userId = n.inbound.userId;
    const prev = this.chains.get(userId) ?? Promise.resolve();
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    const mine = prev.then(() => gate);
    this.chains.set(userId, mine);
    await prev;
    try {
      return await this.handle(job, token, n);
    } finally {
      release();
      if (this.chains.get(userId) === mine) this.chains.delete(userId);
    }
  }

  private async handle(job: Job<InboundJobData>, token: string | undefined, n: Extract<ReturnType<typeof normaliseEvent>, { kind: 'message' }>): Promise<string> {
    let replies = job.data.replies;
    // Replies computed by this run were never tried before: no sent marks to look for.
    const firstTry = !replies;
    if (!replies) {
      const result = await this.opts.engine.handle({ ...n.inbound, at: this.opts.now() });
      if (result.duplicate) {
        this.emit({ key: n.key, duplicate: true, outcomes: [] });
        return 'duplicate';
      }
      replies = result.replies;
      await job.updateData({ ...job.data, replies });
      if (n.inbound.event === 'follow') {
        // Cache the display name; a failure here must not touch the conversation.
        void this.opts.profiles.get(n.inbound.userId, { refresh: true }).catch(() => null);
      }
      // Leaving the OA withdraws the phone they shared with it.
      if (n.inbound.event === 'unfollow') await this.opts.phones.forget(n.inbound.userId);
    }

    const outcomes: SendOutcome[] = [];
    for (const [i, reply] of replies.entries()) {
      const outcome = await this.opts.channel.send(n.inbound.userId, reply, { idempotencyKey: `zin.${n.key}.${i}`, firstTry });
      outcomes.push(outcome);
      if (outcome.ok) continue;
      if (outcome.kind === 'rate_limited') {
        await job.moveToDelayed(Date.now() + outcome.retryAfterMs, token); // host clock: BullMQ delays on the host clock
        throw new DelayedError();
      }
      if (outcome.kind === 'transient') throw new Error(`reply not sent: ${outcome.reason}`);
      if (outcome.kind === 'config') this.opts.onConfigError?.(outcome.reason);
      this.opts.log.warn({ job: job.id, kind: outcome.kind, reason: outcome.reason }, 'zalo: reply not delivered');
      break;
    }
    if (outcomes.every((o) => o.ok) && this.opts.afterReplies) {
      await this.opts.afterReplies(n.inbound.userId).catch((err: Error) => this.opts.log.warn({ err: err.message }, 'zalo: after-reply step failed'));
    }
    this.emit({ key: n.key, duplicate: false, outcomes });
    return 'done';
  }

  private emit(p: ProcessedEvent) {
    this.events.emit('processed', p);
  }
}
