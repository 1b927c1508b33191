import { createHash } from 'node:crypto';
import { Queue } from 'bullmq';
import { realClock } from '../src/clock.js';
import { CHANNELS, isParticipant, vnDate } from '../src/domain/index.js';
import { t } from '../src/i18n.js';
import { createRedis } from '../src/redis/connection.js';
import { activeStaffAlert, planStaffDigestParts, planStaffDigests } from './alerts.js';
import { planCompletedAlert, planForwardedAlert, planSubmittedAlert } from './dossier-alerts.js';
import { cleanupFiles } from './cleanup.js';
import { Broadcasts } from './broadcasts.js';
import { bullPrefix, jobKeys, QUEUES, safeJobId } from './keys.js';
import { Outbox, type OutboxMessage } from './outbox.js';
import { planReminders } from './reminders.js';
import { syncSchedules, type ScheduleData } from './schedule.js';
import type { Jobs, JobsDeps, PassResult } from './types.js';

export type { Jobs, JobsDeps, PassResult } from './types.js';
export type { Audience } from '../src/domain/audience.js';
export type { BroadcastSpec, BroadcastStatus, CancelResult, FlowJobs } from '../src/engine/ports.js';
export type { NotifyOutcome, OutboxMessage } from './outbox.js';
export type { PlannedReminder } from './reminders.js';
export { startWorkers, type StartWorkersOptions, type RunningWorkers } from './workers.js';

/** Simulator deliveries are local: no platform limit, a generous rate. */
export const SIM_RATE_PER_SEC = 200;

/** The producer side of the jobs (queues only; `startWorkers` runs the workers). */
export function createJobs(input: JobsDeps): Jobs {
  const clock = input.clock ?? realClock;
  const deps = {
    ...input,
    clock,
    now: clock.now,
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
  const broadcasts = new Broadcasts({ redis, connection, prefix, store, outbox, log, now: deps.now, rates: deps.rates, outbound: () => input.outbound?.() ?? null });
  const keys = jobKeys(prefix);
  // Staff group chats linked on Telegram (/lienket) hear about their office's units too.
  const dataDir = deps.dataDir ?? deps.retention?.dataDir;
  const ctx = { store, campaign, groups: () => store.groupLinks.all(), ...(dataDir && { dataDir }) };
  const pass = async (messages: OutboxMessage[]): Promise<PassResult> => ({ planned: messages.length, ...(await outbox.enqueueMany(messages)) });
  // Reminder passes may be national (200,000 messages): staged, then fed to the queues (outbox-staging.ts).
  const plannedPass = async (messages: OutboxMessage[]): Promise<PassResult> => ({ planned: messages.length, ...(await outbox.enqueuePlanned(messages)) });

  const jobs: Jobs = {
    deps,
    connection,
    outbox,
    broadcasts,
    schedule,
    channels: () => [...(deps.channels() ?? CHANNELS)],

    previewReminders: async (at, opts) => ({ messages: (await planReminders(ctx, at, opts)).messages }),
    async runReminders(at, opts) {
      input.hooks?.onReminderPass?.();
      return plannedPass((await planReminders(ctx, at, opts)).messages);
    },

    async previewAlerts(at, year, opts) {
      const alert = activeStaffAlert(campaign, at, year);
      if (!alert) return { alert: null, messages: [] };
      const messages = opts?.charts === false ? (await planStaffDigestParts(ctx, alert, at)).messages : await planStaffDigests(ctx, alert, at);
      return { alert: { year: alert.year, offsetDays: alert.offsetDays }, messages };
    },
    async runAlerts(at, year) {
      const active = activeStaffAlert(campaign, at, year);
      if (!active) return { alert: null, ...(await pass([])) };
      const alert = { year: active.year, offsetDays: active.offsetDays };
      const plan = await planStaffDigestParts(ctx, active, at);
      // Digest parts to one chat are spaced by delays: they keep the direct path, in order.
      // The texts are queued first; the charts (≈ 0.15 s each, thousands in a national pass) follow.
      const texts = await pass(plan.messages);
      const charts = await pass(await plan.charts());
      return { alert, planned: texts.planned + charts.planned, queued: texts.queued + charts.queued, skipped: texts.skipped + charts.skipped, disabled: texts.disabled + charts.disabled };
    },
    async runSubmittedAlert(nominationId, at) {
      const n = await store.nominations.get(nominationId);
      return pass(n ? await planSubmittedAlert(ctx, n, at) : []);
    },
    async runCompletedAlert(nominationId, at) {
      const n = await store.nominations.get(nominationId);
      return pass(n ? await planCompletedAlert(ctx, n, at) : []);
    },
    async runForwardedAlert(nominationId, step) {
      const n = await store.nominations.get(nominationId);
      return pass(n ? await planForwardedAlert(ctx, n, step) : []);
    },

    async dossierSubmitted(n) {
      await schedule.add('dossier-submitted', { nominationId: n.id }, { jobId: safeJobId('sub', n.id, n.submittedAt ? Date.parse(n.submittedAt) : Date.now()) }); // host clock: a unique job id
    },
    async dossierCompleted(n) {
      // One job per dossier; the outbox keys (one per dossier and listener) make it once even if queued again.
      await schedule.add('dossier-completed', { nominationId: n.id }, { jobId: safeJobId('done', n.id) });
    },
    async dossierForwarded(n) {
      if (!n.step) return;
      // One job per arrival at a step (a dossier returned and sent again arrives again).
      await schedule.add('dossier-forwarded', { nominationId: n.id, step: n.step }, { jobId: safeJobId('fwd', n.id, n.step, Date.parse(n.updatedAt)) });
    },
    async memberJoined(identity) {
      if (!isParticipant(identity)) return;
      await schedule.add('member-joined', { channel: identity.channel, userId: identity.userId }, { jobId: safeJobId('join', identity.channel, identity.userId, Date.now()) }); // host clock: a unique job id
    },

    async configAlert(channel, reason) {
      const day = vnDate(deps.now());
      const hash = createHash('sha256').update(`${channel}|${reason}|${day.year}-${day.month}-${day.day}`).digest('hex').slice(0, 16);
      if (!input.alertAdmins) return void log.error({ channel, reason: reason.slice(0, 200) }, 'channel configuration problem');
      const told = await input.alertAdmins({
        about: channel,
        onceKey: keys.configAlerted(hash),
        ttlSeconds: 86_400,
        key: `cfg|${hash}`,
        text: (lang) => t(lang, 'outbox.config_alert', { channel: t(lang, `channel.${channel}`), reason: reason.slice(0, 300) }),
      });
      if (told !== null) log.error({ channel, reason: reason.slice(0, 200), told }, 'channel configuration problem: admins alerted');
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

    // BullMQ schedules in real time, whatever clock the app was given (the demo clock moves by jobs/clock.ts).
    syncSchedules: () => syncSchedules(schedule, campaign, new Date()), // host clock: BullMQ fires on the host's time

    async close() {
      await Promise.all([outbox.close(), broadcasts.close(), schedule.close().catch(() => {})]);
      await connection.quit().catch(() => connection.disconnect());
    },
  };
  return jobs;
}
