import { Queue } from 'bullmq';
import type { Redis } from 'ioredis';
import type { OutboundChannel } from '../src/channels/types.js';
import type { Audience, Channel } from '../src/domain/index.js';
import type { BroadcastSpec, BroadcastStatus, CancelResult, FlowJobs } from '../src/engine/ports.js';
import { audienceMembers, knownUnreachable } from './broadcast-audience.js';
import { BroadcastRecords } from './broadcast-record.js';
import { broadcastStep, type BroadcastStepDeps } from './broadcast-step.js';
import { bullPrefix, QUEUES, safeJobId } from './keys.js';

export type { BroadcastSpec, BroadcastState, BroadcastStatus, CancelResult } from '../src/engine/ports.js';
export { STEP_MS } from './broadcast-step.js';

/**
 * Admin broadcasts. `start` records the announcement (broadcast-record.ts) and queues one
 * step job (broadcast-step.ts), which lists the audience (broadcast-audience.ts), feeds
 * the outbox and reports (broadcast-texts.ts).
 */

/** What the step job needs (its records aside), plus the queue's connection and how to count the reachable. */
export interface BroadcastDeps extends Omit<BroadcastStepDeps, 'records'> {
  connection: Redis;
  prefix: string;
  /** The channels of this process, for counting who is reachable; null when unknown (the CLI). */
  outbound: () => Partial<Record<Channel, OutboundChannel>> | null;
}

type FlowBroadcasts = FlowJobs['broadcasts'];

export class Broadcasts implements FlowBroadcasts {
  readonly queue: Queue<{ id: string }>;
  private readonly records: BroadcastRecords;

  constructor(private readonly deps: BroadcastDeps) {
    this.records = new BroadcastRecords({ redis: deps.redis, prefix: deps.prefix, outbox: deps.outbox, now: deps.now });
    this.queue = new Queue<{ id: string }>(QUEUES.broadcast, {
      connection: deps.connection,
      prefix: bullPrefix(deps.prefix),
      defaultJobOptions: { attempts: 20, backoff: { type: 'fixed', delay: 5_000 }, removeOnComplete: { age: 7 * 86_400 }, removeOnFail: { age: 30 * 86_400 } },
    });
    this.queue.on('error', () => {});
  }

  async count(audience: Audience): Promise<{ total: number; unreachable: number }> {
    const list = await audienceMembers(this.deps.store, audience);
    const outbound = this.deps.outbound();
    const now = this.deps.now();
    return { total: list.length, unreachable: list.filter((i) => knownUnreachable(i, outbound, now)).length };
  }

  /** Records the announcement and queues its step job; the recipients are listed by the job. */
  async start(spec: BroadcastSpec): Promise<{ id: string }> {
    const id = await this.records.create(spec);
    await this.queue.add('step', { id }, { jobId: safeJobId('bc', id) });
    this.deps.log.info({ broadcast: id, audience: spec.audience.kind }, 'broadcast queued');
    return { id };
  }

  async cancel(id: string, by: string): Promise<CancelResult> {
    const r = await this.records.cancel(id, by);
    // Wake the step job now rather than at its next tick.
    if (r === 'cancelled') await (await this.queue.getJob(safeJobId('bc', id)))?.promote().catch(() => {});
    return r;
  }

  isCancelled(id: string): Promise<boolean> {
    return this.records.isCancelled(id);
  }

  status(id: string): Promise<BroadcastStatus | null> {
    return this.records.status(id);
  }

  running(): Promise<BroadcastStatus[]> {
    return this.records.running();
  }

  /** The step job's processor (startWorkers). */
  processor(outbound: () => Partial<Record<Channel, OutboundChannel>>) {
    const { redis, store, outbox, log, now, rates } = this.deps;
    return broadcastStep({ redis, store, outbox, records: this.records, log, now, rates }, outbound);
  }

  async close(): Promise<void> {
    await this.queue.close().catch(() => {});
  }
}
