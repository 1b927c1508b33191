import { Worker, type Job } from 'bullmq';
import type { Logger } from 'pino';
import type { OutboundChannel } from '../src/channels/types.js';
import type { Channel } from '../src/domain/entities.js';
import { createRedis } from '../src/redis/connection.js';
import type { Jobs } from './types.js';
import { bullPrefix, QUEUES } from './keys.js';
import { limiterFor, outboxProcessor } from './outbox-worker.js';
import { runFeeder } from './outbox-staging.js';
import { isDaytime, type ScheduleData } from './schedule.js';
import { pastCampaignNote } from './clock.js';

export interface StartWorkersOptions {
  /** Sends in flight per outbox worker (default 8: enough for the rate at ~300 ms per API call). */
  concurrency?: number;
  /** BullMQ lock duration: a job held by a dead worker is retried this long after (default 30 s). */
  lockDurationMs?: number;
  /** How often workers look for such jobs (default 30 s). */
  stalledIntervalMs?: number;
  /** How often the feeder looks for staged messages to move into each outbox queue (default 500 ms). */
  feedIntervalMs?: number;
  /** Create/refresh the campaign's job schedulers (default true). */
  schedules?: boolean;
  log?: Logger;
}

export interface RunningWorkers {
  workers: Worker[];
  /** Waits for the jobs in progress, then stops. */
  close(): Promise<void>;
}

/** What startWorkers needs of the app: its jobs and its channels. */
export interface WorkerHost {
  jobs: Jobs;
  outbound: Partial<Record<Channel, OutboundChannel>>;
}

/**
 * Starts the workers of this process: one outbox worker per enabled channel (rate
 * limited, the limiter is global across every worker of that queue), the schedule
 * worker (reminder and alert passes, sweep, per-event alerts) and the broadcast worker,
 * and syncs the campaign's job schedulers. Any number of processes may do this at
 * once against one Redis.
 */
export async function startWorkers(app: WorkerHost, opts: StartWorkersOptions = {}): Promise<RunningWorkers> {
  const { jobs } = app;
  const { store, log: appLog, now, prefix, campaign } = jobs.deps;
  const log = opts.log ?? appLog;
  const connection = createRedis(jobs.deps.redisUrl, 'bullmq');
  const base = {
    connection,
    prefix: bullPrefix(prefix),
    lockDuration: opts.lockDurationMs ?? 30_000,
    stalledInterval: opts.stalledIntervalMs ?? 30_000,
    // A job may be caught by several worker deaths before it completes.
    maxStalledCount: 10,
  };
  const outbound = () => app.outbound;
  const workers: Worker[] = [];
  const watch = (w: Worker, queue: string) => {
    w.on('error', (err) => log.error({ queue, err: err.message }, 'worker error'));
    w.on('failed', (job, err) => log.warn({ queue, job: job?.id, name: job?.name, err: err.message.slice(0, 200) }, 'job failed'));
    workers.push(w);
  };

  const feeders: { close(): Promise<void> }[] = [];
  for (const channel of Object.keys(app.outbound) as Channel[]) {
    const queue = QUEUES.outbox(channel);
    // Staged messages (a reminder pass) become jobs while the queue is short; one feeder at a time per channel (a lock).
    feeders.push(runFeeder(jobs.outbox.feeder, channel, (err) => log.error({ channel, err: err.message }, 'outbox feeder failed'), opts.feedIntervalMs));
    const processor = outboxProcessor({
      redis: jobs.deps.redis,
      prefix,
      store,
      log,
      outbound,
      queue: (c) => jobs.outbox.queue(c),
      onConfigError: (c, reason) => jobs.configAlert(c, reason),
      isCancelled: (id) => jobs.broadcasts.isCancelled(id),
    });
    watch(new Worker(queue, processor, { ...base, concurrency: opts.concurrency ?? 8, limiter: limiterFor(jobs.deps.rates[channel]) }), queue);
  }

  const scheduleProcessor = async (job: Job<ScheduleData>) => {
    // The demo clock may have been moved by another process a moment ago.
    await jobs.deps.clock.refresh();
    const at = (iso: string) => new Date(Math.max(Date.parse(iso), now().getTime()));
    switch (job.name) {
      case 'reminder': {
        const d = job.data as Extract<ScheduleData, { kind: string }>;
        // A pass that runs late (workers were down) uses the reminder in effect when it runs.
        const r = await jobs.runReminders(at(d.at), { only: { kind: d.kind, year: d.year } });
        log.info({ kind: d.kind, year: d.year, offsetDays: d.offsetDays, planned: r.planned, queued: r.queued }, 'reminder pass');
        return r;
      }
      case 'staff-alert': {
        const d = job.data as Extract<ScheduleData, { year: number; at: string }>;
        const r = await jobs.runAlerts(at(d.at), d.year);
        log.info({ year: d.year, offsetDays: r.alert?.offsetDays, planned: r.planned, queued: r.queued }, 'staff alert pass');
        return r;
      }
      case 'sweep': {
        if (!isDaytime(now())) return { skipped: 'night' };
        // Once a day, the first sweep also frees disk; a failure there never stops reminders.
        await jobs.cleanupFiles(now()).catch((err: Error) => log.error({ err: err.message }, 'files cleanup failed'));
        const r = await jobs.runReminders(now());
        if (r.queued) log.info({ queued: r.queued }, 'catch-up reminders');
        return r;
      }
      case 'dossier-submitted':
        return jobs.runSubmittedAlert((job.data as { nominationId: string }).nominationId, now());
      case 'dossier-completed':
        return jobs.runCompletedAlert((job.data as { nominationId: string }).nominationId, now());
      case 'dossier-forwarded': {
        const d = job.data as Extract<ScheduleData, { step: string }>;
        return jobs.runForwardedAlert(d.nominationId, d.step);
      }
      case 'member-joined': {
        const d = job.data as { channel: Channel; userId: string };
        const identity = await store.identities.get(d.channel, d.userId);
        return identity ? jobs.runReminders(now(), { recipient: identity }) : { planned: 0 };
      }
      default:
        throw new Error(`unknown schedule job ${job.name}`);
    }
  };
  watch(new Worker<ScheduleData>(QUEUES.schedule, scheduleProcessor, { ...base, concurrency: 2 }), QUEUES.schedule);
  watch(new Worker(QUEUES.broadcast, jobs.broadcasts.processor(outbound), { ...base, concurrency: 4 }), QUEUES.broadcast);

  if (opts.schedules !== false) {
    try {
      const r = await jobs.syncSchedules();
      // A campaign whose dates are all past schedules nothing: say so, and how the demo shows reminders anyway.
      if (r.ahead === 0) log.warn({ campaign: campaign.id, schedulers: r.upserted, removed: r.removed }, pastCampaignNote(campaign, jobs.deps.clock.simulated));
      else log.info({ campaign: campaign.id, schedulers: r.upserted, removed: r.removed }, 'job schedulers in place');
    } catch (err) {
      log.error({ err: (err as Error).message }, 'could not set up the job schedulers');
    }
  }

  return {
    workers,
    async close() {
      await Promise.all(feeders.map((f) => f.close()));
      await Promise.all(workers.map((w) => w.close().catch(() => {})));
      await connection.quit().catch(() => connection.disconnect());
    },
  };
}
