import { createHash } from 'node:crypto';
import { Queue } from 'bullmq';
import type { Redis } from 'ioredis';
import type { Logger } from 'pino';
import type { Campaign } from '../src/campaign/schema.js';
import { CHANNELS, isParticipant, vnDate, type Channel, type Identity, type Nomination } from '../src/domain/index.js';
import { t } from '../src/i18n.js';
import { TelegramGroups } from '../src/channels/telegram/groups.js';
import { createRedis } from '../src/redis/connection.js';
import type { Store } from '../src/store/index.js';
import { activeStaffAlert, planStaffDigests, planSubmittedAlert } from './alerts.js';
import { cleanupFiles, type CleanupResult, type RetentionConfig } from './cleanup.js';
import { Broadcasts, type Audience, type BroadcastSpec, type BroadcastStatus, type CancelResult } from './broadcasts.js';
import { bullPrefix, jobKeys, QUEUES, safeJobId } from './keys.js';
import { Outbox, type EnqueueResult, type OutboxMessage } from './outbox.js';
import { planReminders, type PlannedReminder, type PlanOptions } from './reminders.js';
import { syncSchedules, type ScheduleData } from './schedule.js';

export type { Audience, BroadcastSpec, BroadcastStatus, CancelResult } from './broadcasts.js';
export type { NotifyOutcome, OutboxMessage } from './outbox.js';
export type { PlannedReminder } from './reminders.js';
export { startWorkers, type StartWorkersOptions, type RunningWorkers } from './workers.js';

/** What flows may ask of the jobs (FlowContext.jobs). */
export interface FlowJobs {
  /** Channels messages can be sent on here. */
  channels(): Channel[];
  /** A unit submitted a dossier: staff above it hear at once if parts are missing. */
  dossierSubmitted(nomination: Nomination): Promise<void>;
  /** Someone joined as an officer or individual: catch-up reminders for deadlines already in their reminder window. */
  memberJoined(identity: Identity): Promise<void>;
  broadcasts: {
    count(audience: Audience): Promise<{ total: number; unreachable: number }>;
    start(spec: BroadcastSpec): Promise<{ id: string }>;
    cancel(id: string, by: string): Promise<CancelResult>;
    status(id: string): Promise<BroadcastStatus | null>;
    running(): Promise<BroadcastStatus[]>;
  };
}

export interface JobsDeps {
  redisUrl: string;
  /** The store's key prefix; BullMQ uses `${prefix}:bull`. */
  prefix: string;
  campaign: Campaign;
  store: Store;
  /** The store's connection (our own keys). */
  redis: Redis;
  log: Logger;
  now?: () => Date;
  /** Channels this process can send on; null when unknown (the CLI): messages to every channel are queued. */
  channels: () => readonly Channel[] | null;
  /** Messages per second per channel for bulk sends (TELEGRAM_RATE_PER_SEC, ZALO_RATE_PER_SEC). */
  rates: { telegram: number; zalo: number; sim?: number };
  /** Received files and exports to clean up (the app's); without it cleanupFiles does nothing. */
  retention?: RetentionConfig;
}

export interface PassResult extends EnqueueResult {
  planned: number;
}

export interface Jobs extends FlowJobs {
  readonly deps: Required<Omit<JobsDeps, 'rates' | 'retention'>> & { rates: Record<Channel, number>; retention?: RetentionConfig };
  /** BullMQ connection (maxRetriesPerRequest: null) shared by the queues of this process. */
  readonly connection: Redis;
  readonly outbox: Outbox;
  readonly broadcasts: Broadcasts;
  readonly schedule: Queue<ScheduleData>;
  previewReminders(at: Date, opts?: PlanOptions): Promise<{ messages: PlannedReminder[] }>;
  runReminders(at: Date, opts?: PlanOptions): Promise<PassResult>;
  previewAlerts(at: Date, year?: number): Promise<{ alert: { year: number; offsetDays: number } | null; messages: OutboxMessage[] }>;
  runAlerts(at: Date, year?: number): Promise<PassResult & { alert: { year: number; offsetDays: number } | null }>;
  /** Runs the staff alert for one nomination now (what the dossier-submitted job does). */
  runSubmittedAlert(nominationId: string, at: Date): Promise<PassResult>;
  /** Tells admins (Telegram first) once a day per problem that a channel's configuration is wrong. */
  configAlert(channel: Channel, reason: string): Promise<void>;
  syncSchedules(): Promise<{ upserted: number; removed: number }>;
  /**
   * Deletes old exports, uploads and stored files no dossier needs (jobs/cleanup.ts), at
   * most once per Vietnam day across all workers unless `force`; null when it did not run.
   */
  cleanupFiles(at: Date, opts?: { force?: boolean }): Promise<CleanupResult | null>;
  close(): Promise<void>;
}

/** Simulator deliveries are local: no platform limit, a generous rate. */
export const SIM_RATE_PER_SEC = 200;

/** The producer side of the jobs (queues only; `startWorkers` runs the workers). */
export function createJobs(input: JobsDeps): Jobs {
  const deps = {
    ...input,
    now: input.now ?? (() => new Date()),
    rates: { telegram: input.rates.telegram, zalo: input.rates.zalo, sim: input.rates.sim ?? SIM_RATE_PER_SEC },
  };
  const { prefix, campaign, store, redis, log } = deps;
  const connection = createRedis(deps.redisUrl, 'bullmq');
  const outbox = new Outbox({ connection, redis, prefix, channels: deps.channels });
  const schedule = new Queue<ScheduleData>(QUEUES.schedule, {
    connection,
    prefix: bullPrefix(prefix),
    defaultJobOptions: { attempts: 5, backoff: { type: 'exponential', delay: 5_000 }, removeOnComplete: { age: 7 * 86_400, count: 1_000 }, removeOnFail: { age: 30 * 86_400 } },
  });
  schedule.on('error', () => {});
  const broadcasts = new Broadcasts({ redis, connection, prefix, store, campaign, outbox, log, now: deps.now, rates: deps.rates });
  const keys = jobKeys(prefix);
  // Staff group chats linked on Telegram (/lienket) hear about their office's units too.
  const groups = new TelegramGroups(store, prefix);
  const ctx = { store, campaign, groups: () => groups.all() };
  const pass = async (messages: OutboxMessage[]): Promise<PassResult> => ({ planned: messages.length, ...(await outbox.enqueueMany(messages)) });

  const jobs: Jobs = {
    deps,
    connection,
    outbox,
    broadcasts,
    schedule,
    channels: () => [...(deps.channels() ?? CHANNELS)],

    previewReminders: async (at, opts) => ({ messages: (await planReminders(ctx, at, opts)).messages }),
    runReminders: async (at, opts) => pass((await planReminders(ctx, at, opts)).messages),

    async previewAlerts(at, year) {
      const alert = activeStaffAlert(campaign, at, year);
      if (!alert) return { alert: null, messages: [] };
      return { alert: { year: alert.year, offsetDays: alert.offsetDays }, messages: await planStaffDigests(ctx, alert, at) };
    },
    async runAlerts(at, year) {
      const { alert, messages } = await jobs.previewAlerts(at, year);
      return { alert, ...(await pass(messages)) };
    },
    async runSubmittedAlert(nominationId, at) {
      const n = await store.nominations.get(nominationId);
      return pass(n ? await planSubmittedAlert(ctx, n, at) : []);
    },

    async dossierSubmitted(n) {
      await schedule.add('dossier-submitted', { nominationId: n.id }, { jobId: safeJobId('sub', n.id, n.submittedAt ? Date.parse(n.submittedAt) : Date.now()) });
    },
    async memberJoined(identity) {
      if (!isParticipant(identity)) return;
      await schedule.add('member-joined', { channel: identity.channel, userId: identity.userId }, { jobId: safeJobId('join', identity.channel, identity.userId, Date.now()) });
    },

    async configAlert(channel, reason) {
      const day = vnDate(deps.now());
      const hash = createHash('sha256').update(`${channel}|${reason}|${day.year}-${day.month}-${day.day}`).digest('hex').slice(0, 16);
      if ((await redis.set(keys.configAlerted(hash), '1', 'EX', 86_400, 'NX')) !== 'OK') return;
      log.error({ channel, reason: reason.slice(0, 200) }, 'channel configuration problem: alerting admins');
      const admins = (await store.identities.listByRole('admin')).filter((a) => !a.unreachable && a.channel !== channel && outbox.enabled(a.channel));
      const telegram = admins.filter((a) => a.channel === 'telegram');
      for (const a of telegram.length ? telegram : admins)
        await outbox.enqueue({
          kind: 'admin',
          ref: 'admin',
          channel: a.channel,
          userId: a.userId,
          key: `cfg|${hash}|${a.channel}|${a.userId}`,
          reply: { text: t(a.lang, 'outbox.config_alert', { channel: t(a.lang, `channel.${channel}`), reason: reason.slice(0, 300) }) },
        });
    },

    async cleanupFiles(at, opts = {}) {
      if (!deps.retention) return null;
      const day = vnDate(at);
      const once = await redis.set(keys.cleanedOn(`${day.year}-${day.month}-${day.day}`), '1', 'EX', 2 * 86_400, 'NX');
      if (once !== 'OK' && !opts.force) return null;
      const r = await cleanupFiles(redis, prefix, deps.retention, at);
      log.info({ ...r }, 'files cleaned up');
      return r;
    },

    // BullMQ schedules in real time, whatever clock the app was given.
    syncSchedules: () => syncSchedules(schedule, campaign, new Date()),

    async close() {
      await Promise.all([outbox.close(), broadcasts.close(), schedule.close().catch(() => {})]);
      await connection.quit().catch(() => connection.disconnect());
    },
  };
  return jobs;
}
